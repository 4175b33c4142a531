import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from './create-test-app.js'

interface RateRuleDto {
  id: string
  dealId: string | null
  scope: string
  rate: string
  validFrom: string
  validTo: string | null
  note: string | null
}

// Rules are scoped to a deal no data or other test uses, so concurrent prefills are unaffected.
describe('/rate-rules', () => {
  let t: TestApp
  const dealId = `APP-T${randomUUID().slice(0, 8)}`
  const base = { dealId, rate: '85.50', currency: 'USD', validFrom: '2026-01-01', validTo: '2026-07-01' }

  beforeAll(async () => {
    t = await createTestApp()
  })
  afterAll(async () => {
    await t?.db.rateRule.deleteMany({ where: { dealId } })
    await t?.dispose()
  })

  const create = async (body: Record<string, unknown>) => t.call('POST', '/rate-rules', { body })
  const count = () => t.db.rateRule.count({ where: { dealId } })

  it('creates, reads, lists, replaces and deletes a rule (admin writes, a viewer reads)', async () => {
    const created = await create({ ...base, category: 'Development', note: 'negotiated' })
    expect(created.status).toBe(201)
    const rule = (await created.json()) as RateRuleDto
    expect(created.headers.get('Location')).toBe(`/rate-rules/${rule.id}`)
    expect(rule).toMatchObject({ dealId, customerId: null, category: 'Development', scope: 'deal+category', rate: '85.5', currency: 'USD', validFrom: '2026-01-01', validTo: '2026-07-01', note: 'negotiated' })

    expect(await (await t.call('GET', `/rate-rules/${rule.id}`, { as: 'viewer' })).json()).toEqual(rule)
    const listed = (await (await t.call('GET', `/rate-rules?dealId=${dealId}`, { as: 'viewer' })).json()) as { items: RateRuleDto[] }
    expect(listed.items.map((r) => r.id)).toEqual([rule.id])

    const replaced = await t.call('PUT', `/rate-rules/${rule.id}`, { body: { ...base, category: 'Development', rate: '90.1234', validTo: null } })
    expect(replaced.status).toBe(200)
    expect(await replaced.json()).toMatchObject({ id: rule.id, rate: '90.1234', validTo: null, note: null })

    expect((await t.call('DELETE', `/rate-rules/${rule.id}`)).status).toBe(204)
    expect((await t.call('GET', `/rate-rules/${rule.id}`)).status).toBe(404)
    expect((await t.call('DELETE', `/rate-rules/${rule.id}`)).status).toBe(404)
  })

  it.each([
    ['rate', { rate: '-1' }, 'non-negative decimal'],
    ['rate', { rate: '1.23456' }, 'at most 4 decimals'],
    ['rate', { rate: 85.5 }, 'expected string'],
    ['rate', { rate: undefined }, 'is required'],
    ['currency', { currency: 'XXX' }, 'Invalid option'],
    ['validFrom', { validFrom: '2026-02-30' }, 'must be a date YYYY-MM-DD'],
    ['validTo', { validTo: '2026-01-01' }, 'must be after validFrom'],
    ['validTo', { validTo: '2025-12-31' }, 'must be after validFrom'],
    ['category', { category: '  ' }, 'use null for every category'],
    ['dealId', { dealId: 'APP:1' }, 'letters, digits'],
    ['note', { note: 'x'.repeat(2001) }, 'at most 2000 characters'],
    ['note', { note: 'a\u0000b' }, 'must not contain NUL'],
    ['extra', { extra: 1 }, 'unknown field'],
  ])('answers 400 naming %s for %j, writing nothing', async (field, change, problem) => {
    const before = await count()
    const res = await create({ ...base, ...change })
    expect(res.status).toBe(400)
    const body = (await res.json()) as { code: string; message: string; issues: { field: string; problem: string }[] }
    expect(body.code).toBe('VALIDATION_FAILED')
    expect(body.issues).toContainEqual({ field: `body.${field}`, problem: expect.stringContaining(problem) })
    expect(await count()).toBe(before)
  })

  it('refuses overlapping dates for the same scope (409), allows adjacent ones and other scopes', async () => {
    const first = (await (await create({ ...base, validFrom: '2027-01-01', validTo: '2027-04-01' })).json()) as RateRuleDto
    const overlap = await create({ ...base, validFrom: '2027-03-01', validTo: '2027-05-01' })
    expect(overlap.status).toBe(409)
    expect(await overlap.json()).toMatchObject({ code: 'RATE_RULE_OVERLAP', conflictingRuleId: first.id, message: expect.stringContaining('2027-01-01..2027-04-01') })
    const openEnded = await create({ ...base, validFrom: '2026-12-01', validTo: null })
    expect(openEnded.status).toBe(409)

    const adjacent = await create({ ...base, validFrom: '2027-04-01', validTo: null })
    expect(adjacent.status).toBe(201)
    const otherScope = await create({ ...base, category: 'Support', validFrom: '2027-03-01', validTo: '2027-05-01' })
    expect(otherScope.status).toBe(201)

    // Moving the first rule onto the open-ended one is refused too; its own dates are not a conflict.
    expect((await t.call('PUT', `/rate-rules/${first.id}`, { body: { ...base, validFrom: '2027-01-01', validTo: '2027-06-01' } })).status).toBe(409)
    expect((await t.call('PUT', `/rate-rules/${first.id}`, { body: { ...base, validFrom: '2027-02-01', validTo: '2027-04-01' } })).status).toBe(200)
  })

  it('refuses concurrent overlapping creates: exactly one wins', async () => {
    const body = { ...base, category: 'Concurrent', validFrom: '2028-01-01', validTo: '2028-02-01' }
    const statuses = (await Promise.all(Array.from({ length: 4 }, () => create(body)))).map((r) => r.status).sort()
    expect(statuses).toEqual([201, 409, 409, 409])
  })

  it('pages the list and validates its query', async () => {
    const page1 = (await (await t.call('GET', `/rate-rules?dealId=${dealId}&limit=2`)).json()) as { items: RateRuleDto[]; nextOffset: number | null }
    expect(page1.items).toHaveLength(2)
    expect(page1.nextOffset).toBe(2)
    const page2 = (await (await t.call('GET', `/rate-rules?dealId=${dealId}&limit=2&offset=2`)).json()) as { items: RateRuleDto[] }
    expect(page2.items.map((r) => r.id)).not.toContain(page1.items[0]!.id)
    expect((await t.call('GET', '/rate-rules?limit=0')).status).toBe(400)
    expect((await t.call('GET', '/rate-rules?dealid=x')).status).toBe(400)
    expect((await t.call('GET', '/rate-rules/not-a-uuid')).status).toBe(400)
    expect((await t.call('PUT', `/rate-rules/${randomUUID()}`, { body: { ...base, validFrom: '2030-01-01', validTo: null } })).status).toBe(404)
  })
})
