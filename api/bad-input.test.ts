import { createHash, randomUUID } from 'node:crypto'
import { Client, Connection } from '@temporalio/client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from './create-test-app.js'
import { apiConnectionOptions } from './temporal-connection.js'
import { buildInvoiceListQuery, quoteQueryValue } from '../operations/invoices/invoice-list-query.js'
import { listInvoices } from '../operations/invoices/list-invoices.js'
import { describeInvoice } from '../operations/invoices/load-invoice-state.js'

const INVOICE_ID = encodeURIComponent('invoice:APP-0000:2026-10')
const SQL = "x'); DROP TABLE rate_rules; --"
const HTML = '<script>alert("x")</script><img src=x onerror=alert(1)>'

describe('bad input: a clear 4xx each, nothing half-written', () => {
  let t: TestApp
  const dealId = `APP-B${randomUUID().slice(0, 8)}`
  const writes = [
    ['POST', '/invoices', 'accountant'],
    ['POST', '/rate-rules', 'admin'],
    ['POST', '/category-rules', 'admin'],
    ['PUT', '/settings/makerChecker', 'admin'],
    ['POST', `/invoices/${INVOICE_ID}/cancel`, 'accountant'],
    ['POST', `/invoices/${INVOICE_ID}/confirm`, 'accountant'],
  ] as const

  beforeAll(async () => {
    t = await createTestApp()
  })
  afterAll(async () => {
    await t?.db.rateRule.deleteMany({ where: { dealId } })
    await t?.db.categoryRule.deleteMany({ where: { note: `bad-input ${dealId}` } })
    await t?.dispose()
  })

  const snapshot = async () => [await t.db.rateRule.count(), await t.db.categoryRule.count(), JSON.stringify(await t.db.setting.findMany({ orderBy: { key: 'asc' } }))]

  it('answers 400 MALFORMED_JSON to a body that is not JSON, on every write route', async () => {
    const before = await snapshot()
    for (const [method, path, as] of writes) {
      for (const body of ['{"dealId": "APP-1001", ', "{'single': 'quotes'}", 'NaN']) {
        const res = await t.call(method, path, { as, body })
        expect(res.status, `${method} ${path} ${body}`).toBe(400)
        expect(await res.json()).toMatchObject({ code: 'MALFORMED_JSON', message: 'the request body is not valid JSON', requestId: expect.any(String) })
      }
    }
    expect(await snapshot()).toEqual(before)
  })

  it('answers 400 to JSON that is not an object', async () => {
    for (const body of ['[]', 'null', '"text"', '42']) {
      const res = await t.call('POST', '/rate-rules', { body })
      expect(res.status, body).toBe(400)
      expect(await res.json()).toMatchObject({ code: 'VALIDATION_FAILED', issues: [{ field: 'body', problem: expect.stringContaining('expected object') }] })
    }
  })

  it('answers 415 to a body that is not declared as JSON, on every write route', async () => {
    for (const [method, path, as] of writes) {
      for (const contentType of ['text/plain', 'application/x-www-form-urlencoded', 'application/xml', 'multipart/form-data; boundary=x']) {
        const res = await t.call(method, path, { as, body: '{"reason":"x"}', headers: { 'Content-Type': contentType } })
        expect(res.status, `${method} ${path} ${contentType}`).toBe(415)
        expect(await res.json()).toMatchObject({ code: 'UNSUPPORTED_MEDIA_TYPE' })
      }
    }
    const undeclared = await t.app.request('/rate-rules', { method: 'POST', headers: { Authorization: 'Bearer test-admin-token' }, body: new Blob(['{}']).stream(), duplex: 'half' } as RequestInit)
    expect(undeclared.status).toBe(415)
  })

  it('answers 413 to a body over 64 KB, whether or not Content-Length announces it', async () => {
    const before = await snapshot()
    const huge = JSON.stringify({ dealId, rate: '1', currency: 'USD', validFrom: '2026-01-01', note: 'x'.repeat(70_000) })
    for (const [method, path, as] of writes) {
      const streamed = await t.call(method, path, { as, body: huge })
      expect(streamed.status, `${method} ${path}`).toBe(413)
      expect(await streamed.json()).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', message: 'the body is larger than 65536 bytes' })
      const announced = await t.call(method, path, { as, body: huge, headers: { 'Content-Length': String(huge.length) } })
      expect(announced.status).toBe(413)
    }
    expect(await snapshot()).toEqual(before)
  })

  it('rejects unknown fields instead of ignoring them', async () => {
    const res = await t.call('POST', '/invoices', { as: 'accountant', body: { dealId, period: '2026-10', startedBy: 'mallory' } })
    expect(res.status).toBe(400)
    expect(await res.json()).toMatchObject({ issues: [{ field: 'body.startedBy', problem: 'unknown field' }] })
    const query = await t.call('GET', '/invoices?status=completed')
    expect(query.status).toBe(400)
    expect(await query.json()).toMatchObject({ issues: [{ field: 'query.status', problem: 'unknown field' }] })
  })

  it.each([
    ['2026-13', 'month must be YYYY-MM, got "2026-13"'],
    ['2026-00', 'month must be YYYY-MM'],
    ['2026-02-30..2026-03-05', 'period.from must be a date'],
    ['2026-03-05..2026-03-01', 'must be before period.to'],
    ['October', 'period must be a month YYYY-MM or a range'],
  ])('answers 400 to the period %s and starts no workflow', async (period, problem) => {
    const res = await t.call('POST', '/invoices', { as: 'accountant', body: { dealId, period } })
    expect(res.status).toBe(400)
    expect(await res.json()).toMatchObject({ code: 'VALIDATION_FAILED', issues: [{ field: 'body.period', problem: expect.stringContaining(problem) }] })
    expect(await describeInvoice(t.env.client, `invoice:${dealId}:${period}`)).toBeNull()
    const listed = await t.call('GET', `/invoices?period=${encodeURIComponent(period)}`)
    expect(listed.status).toBe(400)
  })

  it('stores SQL and HTML in text fields as text and returns them unchanged as JSON', async () => {
    const note = `${SQL} ${HTML}`
    const res = await t.call('POST', '/rate-rules', { body: { dealId, rate: '10', currency: 'EUR', validFrom: '2026-01-01', note } })
    expect(res.status).toBe(201)
    expect(res.headers.get('Content-Type')).toMatch(/^application\/json/)
    const rule = (await res.json()) as { id: string; note: string }
    expect(rule.note).toBe(note)
    expect((await t.db.rateRule.findUniqueOrThrow({ where: { id: rule.id } })).note).toBe(note)

    const category = await t.call('POST', '/category-rules', {
      body: { position: 900_000_000 + Math.floor(Math.random() * 90_000_000), category: HTML, labels: [SQL], active: false, note: `bad-input ${dealId}` },
    })
    expect(category.status).toBe(201)
    expect(await category.json()).toMatchObject({ category: HTML, labels: [SQL] })
  })

  it('refuses what PostgreSQL cannot store or nobody means in a rule: NUL, years like 0269, a 16-digit rate', async () => {
    const rule = { dealId, rate: '10', currency: 'EUR', validFrom: '2026-01-01' }
    const refusals: [string, Record<string, unknown>, string, RegExp][] = [
      ['/rate-rules', { ...rule, category: 'Dev\u0000' }, 'body.category', /NUL/],
      ['/rate-rules', { ...rule, validFrom: '0269-01-01' }, 'body.validFrom', /between 2000-01-01 and 2100-12-31/],
      ['/rate-rules', { ...rule, validTo: '9329-01-01' }, 'body.validTo', /between 2000-01-01 and 2100-12-31/],
      ['/rate-rules', { ...rule, rate: '6077330261379095.87' }, 'body.rate', /at most 10 digits before the point/],
      ['/category-rules', { position: 1, category: 'QA\u0000' }, 'body.category', /NUL/],
      ['/category-rules', { position: 1, category: 'QA', labels: ['a\u0000b'] }, 'body.labels.0', /NUL/],
    ]
    for (const [path, body, field, problem] of refusals) {
      const res = await t.call('POST', path, { body })
      expect(res.status, `${path} ${JSON.stringify(body)}`).toBe(400)
      expect(await res.json()).toMatchObject({ code: 'VALIDATION_FAILED', issues: [{ field, problem: expect.stringMatching(problem) }] })
    }
  })

  it('answers a junk cursor with 400 naming query.cursor at once, never asking Temporal (it took 20 s to refuse)', async () => {
    for (const path of ['/invoices?cursor=AAAA', '/billing-runs?cursor=AAAA', '/billing-runs?cursor=AAAA.AAAAAAAA', `/billing-runs?cursor=${'0'.repeat(2000)}`]) {
      const started = Date.now()
      const res = await t.call('GET', path, { as: 'viewer' })
      expect(res.status, path).toBe(400)
      expect(await res.json()).toMatchObject({ code: 'VALIDATION_FAILED', message: expect.stringContaining('query.cursor'), issues: [{ field: 'query.cursor' }] })
      expect(Date.now() - started, path).toBeLessThan(1_000)
    }
  })

  it('answers a well-formed cursor Temporal cannot read with 400 too, within 2 s (the API retries Temporal briefly)', async () => {
    const connection = await Connection.connect(apiConnectionOptions({ address: process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233' }))
    const app = await createTestApp({ temporal: new Client({ connection, namespace: t.env.namespace }) })
    try {
      const token = Buffer.from('not a page token')
      const cursor = `${token.toString('base64url')}.${createHash('sha256').update(token).digest('base64url').slice(0, 8)}`
      const started = Date.now()
      const res = await app.call('GET', `/billing-runs?cursor=${cursor}`, { as: 'viewer' })
      expect(res.status).toBe(400)
      expect(await res.json()).toMatchObject({ code: 'VALIDATION_FAILED', issues: [{ field: 'query.cursor' }] })
      expect(Date.now() - started).toBeLessThan(3_000)
    } finally {
      await app.dispose()
      await connection.close()
    }
  })

  it('answers a control character in a list filter with 400 naming the field', async () => {
    const res = await t.call('GET', '/invoices?number=A%18B', { as: 'viewer' })
    expect(res.status).toBe(400)
    expect(await res.json()).toMatchObject({ code: 'VALIDATION_FAILED', issues: [{ field: 'query.number', problem: expect.stringContaining('control characters') }] })
    const receivables = await t.call('GET', '/receivables?customerId=A%00B', { as: 'viewer' })
    expect(receivables.status).toBe(400)
    expect(await receivables.json()).toMatchObject({ issues: [{ field: 'query.customerId' }] })
  })

  it('answers an action lookup with a run id that is not one with 400, not a 500 from Temporal', async () => {
    const res = await t.call('GET', `/invoices/${INVOICE_ID}/actions/0?runId=0`, { as: 'viewer' })
    expect(res.status).toBe(400)
    expect(await res.json()).toMatchObject({ issues: [{ field: 'query.runId', problem: expect.stringContaining('UUID') }] })
  })

  it('answers a known path called with another method with 405, Allow and the usual error body', async () => {
    const cases: [string, string, string][] = [
      ['DELETE', '/invoices', 'GET, POST'],
      ['PUT', `/invoices/${INVOICE_ID}`, 'GET'],
      ['OPTIONS', '/health', 'GET'],
      ['GET', `/invoices/${INVOICE_ID}/confirm`, 'POST'],
      ['PATCH', '/settings/makerChecker', 'GET, PUT'],
    ]
    for (const [method, path, allow] of cases) {
      const res = await t.call(method, path, { as: 'viewer' })
      expect(res.status, `${method} ${path}`).toBe(405)
      expect(res.headers.get('Allow')).toBe(allow)
      expect(await res.json()).toMatchObject({ code: 'METHOD_NOT_ALLOWED', message: expect.stringContaining(`does not take ${method}`), allowed: allow.split(', '), requestId: expect.any(String) })
    }
    const unknown = await t.call('GET', '/no-such-thing', { as: 'viewer' })
    expect(unknown.status).toBe(404)
    expect(await unknown.json()).toMatchObject({ code: 'NOT_FOUND' })
    // The console, served by the same app, still answers its pages.
    expect((await t.call('GET', '/app/login', { as: null })).status).toBe(200)
  })

  it('keeps filter values out of the visibility query text', async () => {
    for (const dealFilter of [SQL, "x' OR '1'='1", 'a b', 'APP:1']) {
      const res = await t.call('GET', `/invoices?dealId=${encodeURIComponent(dealFilter)}`)
      expect(res.status, dealFilter).toBe(400)
      expect(await res.json()).toMatchObject({ issues: [{ field: 'query.dealId' }] })
    }
    expect((await t.call('GET', `/invoices?number=${encodeURIComponent("INV' OR 'x")}`)).status).toBe(400)
    expect((await t.call('GET', '/invoices?state=settled')).status).toBe(400) // not a state
    expect((await t.call('GET', '/invoices?state=paid')).status).toBe(200)
    expect((await t.call('GET', '/invoices?cursor=%%%')).status).toBe(400)

    // Even past validation, a quote stays inside its literal: Temporal runs the query and finds nothing.
    expect(quoteQueryValue("it's \\ fine")).toBe("'it\\'s \\\\ fine'")
    expect(buildInvoiceListQuery({ dealId: "x' OR DealId != '" })).toBe("WorkflowType = 'invoiceWorkflow' AND DealId = 'x\\' OR DealId != \\''")
    const page = await listInvoices({ client: t.env.client, filters: { dealId: "x' OR DealId != '" }, limit: 5 })
    expect(page.items).toEqual([])
    expect(() => quoteQueryValue('a\nb')).toThrow(/control characters/)
  })
})
