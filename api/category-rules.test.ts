import { randomInt, randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from './create-test-app.js'

interface CategoryRuleDto {
  id: string
  position: number
  category: string
  active: boolean
  note: string | null
}

// Rules are created inactive at random high positions: prefills running meanwhile ignore them.
describe('/category-rules', () => {
  let t: TestApp
  const created: string[] = []
  const position = 500_000_000 + randomInt(0, 400_000_000)
  const body = (extra: Record<string, unknown> = {}) => ({ position, category: 'API test', issueTypes: ['Bug'], active: false, ...extra })

  beforeAll(async () => {
    t = await createTestApp()
  })
  afterAll(async () => {
    await t?.db.categoryRule.deleteMany({ where: { id: { in: created } } })
    await t?.dispose()
  })

  async function create(payload: Record<string, unknown>): Promise<Response> {
    const res = await t.call('POST', '/category-rules', { body: payload })
    if (res.status === 201) created.push(((await res.clone().json()) as CategoryRuleDto).id)
    return res
  }

  it('creates, lists in position order, replaces and deletes (admin writes, a viewer reads)', async () => {
    const res = await create(body({ labels: ['billable'], note: 'from the API test' }))
    expect(res.status).toBe(201)
    const rule = (await res.json()) as CategoryRuleDto
    expect(res.headers.get('Location')).toBe(`/category-rules/${rule.id}`)
    expect(rule).toMatchObject({ position, category: 'API test', issueTypes: ['Bug'], labels: ['billable'], components: [], active: false })

    const list = (await (await t.call('GET', '/category-rules', { as: 'viewer' })).json()) as { items: CategoryRuleDto[] }
    const positions = list.items.map((r) => r.position)
    expect(positions).toEqual([...positions].sort((a, b) => a - b))
    expect(list.items.map((r) => r.id)).toContain(rule.id)

    const replaced = await t.call('PUT', `/category-rules/${rule.id}`, { body: body({ position: position + 1, category: 'Renamed' }) })
    expect(replaced.status).toBe(200)
    expect(await replaced.json()).toMatchObject({ id: rule.id, position: position + 1, category: 'Renamed', labels: [] })
    expect(await (await t.call('GET', `/category-rules/${rule.id}`, { as: 'viewer' })).json()).toMatchObject({ category: 'Renamed' })

    expect((await t.call('DELETE', `/category-rules/${rule.id}`)).status).toBe(204)
    expect((await t.call('GET', `/category-rules/${rule.id}`)).status).toBe(404)
  })

  it('refuses a position another rule has (409), on create and on replace', async () => {
    const first = (await (await create(body({ position: position + 10 }))).json()) as CategoryRuleDto
    const clash = await create(body({ position: position + 10 }))
    expect(clash.status).toBe(409)
    expect(await clash.json()).toMatchObject({ code: 'POSITION_TAKEN', message: expect.stringContaining(String(position + 10)) })
    const second = (await (await create(body({ position: position + 11 }))).json()) as CategoryRuleDto
    const move = await t.call('PUT', `/category-rules/${second.id}`, { body: body({ position: first.position }) })
    expect(move.status).toBe(409)
    expect((await t.db.categoryRule.findUniqueOrThrow({ where: { id: second.id } })).position).toBe(position + 11)
  })

  it.each([
    ['position', { position: -1 }, 'Too small'],
    ['position', { position: 1.5 }, 'expected int'],
    ['position', { position: undefined }, 'is required'],
    ['category', { category: '' }, 'Too small'],
    ['issueTypes', { issueTypes: 'Bug' }, 'expected array'],
    ['labels.0', { labels: [''] }, 'Too small'],
    ['active', { active: 'yes' }, 'expected boolean'],
    ['colour', { colour: 'red' }, 'unknown field'],
  ])('answers 400 naming %s, writing nothing', async (field, change, problem) => {
    const before = await t.db.categoryRule.count()
    const res = await create(body({ position: position + 20, ...change }))
    expect(res.status).toBe(400)
    expect(((await res.json()) as { issues: unknown[] }).issues).toContainEqual({ field: `body.${field}`, problem: expect.stringContaining(problem) })
    expect(await t.db.categoryRule.count()).toBe(before)
  })

  it('answers 404 for an unknown rule and 400 for a malformed id', async () => {
    expect((await t.call('PUT', `/category-rules/${randomUUID()}`, { body: body({ position: position + 30 }) })).status).toBe(404)
    expect((await t.call('DELETE', `/category-rules/${randomUUID()}`)).status).toBe(404)
    expect((await t.call('GET', '/category-rules/123')).status).toBe(400)
  })
})
