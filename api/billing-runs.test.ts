import { randomInt, randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseBillingPeriod } from '../prefill/billing-period.js'
import { runInvoiceWorker, waitFor, type RunningInvoiceWorker } from '../test-support/invoice-env.js'
import { uniqueName } from '../test-support/temporal.js'
import { MAX_BILLING_RUN_CONCURRENCY } from '../workflows/billing-run-contract.js'
import type { BillingRunPage } from '../operations/billing-runs/list-billing-runs.js'
import type { BillingRunDetails } from '../operations/billing-runs/read-billing-run.js'
import { createTestApp, type TestApp } from './create-test-app.js'

const DAY = 86_400_000
const QUERY_TIMEOUT_MS = 500

/** A period no other run of this file is likely to use: one run per period may be running. */
function randomRange(): string {
  const from = Date.UTC(2040, 0, 1) + randomInt(0, 50 * 365) * DAY
  const to = from + randomInt(1, 28) * DAY
  return `${new Date(from).toISOString().slice(0, 10)}..${new Date(to).toISOString().slice(0, 10)}`
}

// No worker polls the app's task queue: every run started here stays RUNNING, and its query
// goes unanswered (the workflow's own tests cover a run that does its work).
describe('/billing-runs on the real Temporal test namespace, without a worker', () => {
  let t: TestApp
  const started = new Set<string>()
  const path = (id: string) => `/billing-runs/${encodeURIComponent(id)}`

  beforeAll(async () => {
    t = await createTestApp({ queryTimeoutMs: QUERY_TIMEOUT_MS })
  })
  afterAll(async () => {
    for (const id of started) {
      const handle = t.env.client.workflow.getHandle(id)
      if ((await handle.describe()).status.name === 'RUNNING') await handle.terminate('billing-runs api test over')
    }
    await t?.dispose()
  })

  async function start(body: Record<string, unknown>): Promise<{ id: string; runId: string; period: string; href: string }> {
    const res = await t.call('POST', '/billing-runs', { as: 'accountant', body })
    expect(res.status, await res.clone().text()).toBe(202)
    const started_ = (await res.json()) as { id: string; runId: string; period: string; href: string }
    started.add(started_.id)
    expect(res.headers.get('Location')).toBe(started_.href)
    return started_
  }
  async function get(id: string): Promise<BillingRunDetails> {
    const res = await t.call('GET', path(id), { as: 'viewer' })
    expect(res.status, await res.clone().text()).toBe(200)
    return (await res.json()) as BillingRunDetails
  }

  it('starts a run (202), refuses a second one while it runs (409), and shows what is known without a worker', async () => {
    // A whole month given as a range is the month: one run per period, whatever its spelling.
    const year = randomInt(2040, 2100)
    const month = String(randomInt(1, 13)).padStart(2, '0')
    const next = month === '12' ? `${year + 1}-01-01` : `${year}-${String(Number(month) + 1).padStart(2, '0')}-01`
    const run = await start({ period: `${year}-${month}-01..${next}`, dealIds: ['APP-1001', 'APP-1002'], concurrency: 3 })
    const label = `${year}-${month}`
    expect(run).toEqual({ id: `billing-run:${label}`, runId: expect.any(String), period: label, href: path(`billing-run:${label}`) })
    const description = await t.env.client.workflow.getHandle(run.id).describe()
    expect(description).toMatchObject({ type: 'billingRunWorkflow', taskQueue: expect.stringMatching(/^api-/), status: { name: 'RUNNING' } })

    const again = await t.call('POST', '/billing-runs', { as: 'maker', body: { period: label } })
    expect(again.status).toBe(409)
    expect(await again.json()).toMatchObject({
      code: 'ALREADY_EXISTS',
      message: `a billing run for period ${label} is already running (${run.id}, run ${run.runId})`,
      workflowId: run.id,
      runId: run.runId,
      workflowStatus: 'RUNNING',
      href: run.href,
      requestId: expect.any(String),
    })

    const began = Date.now()
    const view = await get(run.id)
    expect(Date.now() - began).toBeLessThan(QUERY_TIMEOUT_MS + 2_000)
    expect(view).toEqual({
      id: run.id,
      runId: run.runId,
      status: 'running',
      period: label,
      startedBy: 'alice',
      concurrency: 3,
      state: null,
      startedAt: expect.any(String),
      closedAt: null,
      counts: { deals: 0, pending: 0, started: 0, existing: 0, failed: 0, byState: {} },
      deals: [],
      notice: expect.stringContaining(`no worker answered the query within ${QUERY_TIMEOUT_MS} ms`),
      failure: null,
      href: run.href,
    })
    // Named by its period too, in any spelling of it; the raw ':' works unencoded.
    expect((await get(label)).id).toBe(run.id)
    expect((await get(`${year}-${month}-01..${next}`)).id).toBe(run.id)
    expect((await t.call('GET', `/billing-runs/${run.id}`, { as: 'viewer' })).status).toBe(200)
  })

  it('lists runs (visibility, filtered by period), shows a terminated run with its reason, and starts the period again once it closed', async () => {
    const period = randomRange()
    const first = await start({ period })
    const list = (query: string) => t.call('GET', `/billing-runs${query}`, { as: 'viewer' }).then(async (r) => (await r.json()) as BillingRunPage)
    const listed = await waitFor(() => list(`?period=${period}`), (page) => page.items.length > 0)
    expect(listed.items).toEqual([
      { id: first.id, runId: first.runId, status: 'running', period, startedBy: 'alice', startedAt: expect.any(String), closedAt: null, href: first.href },
    ])
    const all = await list('?limit=100')
    expect(all.items.every((i) => i.id.startsWith('billing-run:'))).toBe(true)

    await t.env.client.workflow.getHandle(first.id).terminate('operator stopped it for the test')
    const closed = await get(first.id)
    expect(closed).toMatchObject({ status: 'terminated', runId: first.runId, period, failure: 'operator stopped it for the test', closedAt: expect.any(String), deals: [] })

    // A closed run does not block the period (reuse policy ALLOW_DUPLICATE).
    const second = await start({ period, concurrency: MAX_BILLING_RUN_CONCURRENCY })
    expect(second.id).toBe(first.id)
    expect(second.runId).not.toBe(first.runId)
    expect(await get(second.id)).toMatchObject({ runId: second.runId, status: 'running', concurrency: MAX_BILLING_RUN_CONCURRENCY, failure: null })
    const both = await waitFor(() => list(`?period=${period}`), (page) => page.items.length === 2)
    expect(both.items.map((i) => [i.runId, i.status])).toEqual([
      [second.runId, 'running'],
      [first.runId, 'terminated'],
    ])
    const firstPage = await list(`?period=${period}&limit=1`)
    expect(firstPage.items).toHaveLength(1)
    expect(firstPage.nextCursor).toEqual(expect.any(String))
    const secondPage = await list(`?period=${period}&limit=1&cursor=${firstPage.nextCursor}`)
    expect(secondPage.items.map((i) => i.runId)).toEqual([first.runId])
  })

  it('answers 400 naming the field, and starts nothing', async () => {
    const period = randomRange()
    const cases: [unknown, string, string | RegExp][] = [
      [{ period: '2026-13' }, 'body.period', (parseBillingPeriod('2026-13') as { problem: string }).problem],
      [{ period: '2026-10-17..2026-10-03' }, 'body.period', /must be before/],
      [{}, 'body.period', 'is required'],
      [{ period: 202610 }, 'body.period', /expected string/],
      [{ period, dealIds: [] }, 'body.dealIds', /too small|>=1/i],
      [{ period, dealIds: 'APP-1001' }, 'body.dealIds', /expected array/],
      [{ period, dealIds: ['APP-1001', 'APP-1001'] }, 'body.dealIds', 'must not repeat a deal'],
      [{ period, dealIds: [''] }, 'body.dealIds.0', /too small|>=1/i],
      [{ period, dealIds: ['A'.repeat(65)] }, 'body.dealIds.0', /too big|<=64/i],
      [{ period, dealIds: ["APP'1"] }, 'body.dealIds.0', /letters, digits/],
      [{ period, dealIds: Array.from({ length: 501 }, (_, i) => `APP-${i}`) }, 'body.dealIds', /too big|<=500/i],
      [{ period, concurrency: 0 }, 'body.concurrency', /too small|>=1/i],
      [{ period, concurrency: MAX_BILLING_RUN_CONCURRENCY + 1 }, 'body.concurrency', /too big|<=20/i],
      [{ period, concurrency: 1.5 }, 'body.concurrency', /integer|int/i],
      [{ period, concurrency: '4' }, 'body.concurrency', /expected number/],
      [{ period, startedBy: 'mallory' }, 'body.startedBy', 'unknown field'],
    ]
    for (const [body, field, problem] of cases) {
      const res = await t.call('POST', '/billing-runs', { as: 'accountant', body })
      expect(res.status, JSON.stringify(body).slice(0, 100)).toBe(400)
      const error = (await res.json()) as { code: string; message: string; issues: { field: string; problem: string }[] }
      expect(error.code).toBe('VALIDATION_FAILED')
      expect(error.issues[0]!.field, JSON.stringify(body).slice(0, 100)).toBe(field)
      if (typeof problem === 'string') expect(error.issues[0]!.problem).toBe(problem)
      else expect(error.issues[0]!.problem).toMatch(problem)
      expect(error.message).toContain(`${field}: `)
    }
    for (const body of ['{"period": "2026-10", ', 'NaN']) {
      const res = await t.call('POST', '/billing-runs', { as: 'accountant', body })
      expect(res.status).toBe(400)
      expect(await res.json()).toMatchObject({ code: 'MALFORMED_JSON' })
    }
    const text = await t.call('POST', '/billing-runs', { as: 'accountant', body: JSON.stringify({ period }), headers: { 'Content-Type': 'text/plain' } })
    expect(text.status).toBe(415)
    for (const query of ['?period=2026-13', '?limit=0', '?limit=101', '?state=running', '?cursor=not%20a%20cursor']) {
      const res = await t.call('GET', `/billing-runs${query}`, { as: 'viewer' })
      expect(res.status, query).toBe(400)
      expect(await res.json()).toMatchObject({ code: 'VALIDATION_FAILED' })
    }
    // Nothing was started for the valid period used in the bad requests.
    expect((await t.call('GET', path(period), { as: 'viewer' })).status).toBe(404)
  })

  it('needs a token (401), the accountant role to start (403), and answers 404 for anything but a billing run', async () => {
    for (const [method, route] of [['POST', '/billing-runs'], ['GET', '/billing-runs'], ['GET', path('billing-run:2026-10')]] as const) {
      const res = await t.call(method, route, { as: null, body: method === 'POST' ? { period: '2026-10' } : undefined })
      expect(res.status, `${method} ${route}`).toBe(401)
      expect(await res.json()).toMatchObject({ code: 'UNAUTHENTICATED' })
    }
    for (const as of ['viewer', 'approver'] as const) {
      const res = await t.call('POST', '/billing-runs', { as, body: { period: '2026-13', bogus: true } })
      expect(res.status).toBe(403)
      expect(await res.json()).toMatchObject({ code: 'FORBIDDEN', requiredRoles: ['accountant'] })
    }

    const unknown = `billing-run:${randomRange()}`
    const missing = await t.call('GET', path(unknown), { as: 'viewer' })
    expect(missing.status).toBe(404)
    expect(await missing.json()).toMatchObject({ code: 'NOT_FOUND', message: `no billing run with id ${unknown}` })
    expect((await t.call('GET', path(`no-such-thing-${randomUUID()}`), { as: 'viewer' })).status).toBe(404)

    // An invoice is a workflow too, but not a billing run.
    const invoice = await t.call('POST', '/invoices', { as: 'accountant', body: { dealId: `APP-R${randomUUID().slice(0, 8)}`, period: randomRange() } })
    expect(invoice.status).toBe(202)
    const { id: invoiceId } = (await invoice.json()) as { id: string }
    started.add(invoiceId)
    const wrongType = await t.call('GET', path(invoiceId), { as: 'viewer' })
    expect(wrongType.status).toBe(404)
    expect(await wrongType.json()).toMatchObject({ code: 'NOT_FOUND', message: `no billing run with id ${invoiceId}` })
  })

  it('is in the OpenAPI document, with its roles and a strict body', async () => {
    const doc = (await (await t.call('GET', '/openapi.json', { as: null })).json()) as {
      paths: Record<string, Record<string, { 'x-roles'?: string[]; responses: Record<string, unknown> }>>
      components: { schemas: Record<string, { properties?: Record<string, unknown>; additionalProperties?: unknown }> }
    }
    expect(doc.paths['/billing-runs']!.post!['x-roles']).toEqual(['accountant'])
    expect(Object.keys(doc.paths['/billing-runs']!.post!.responses)).toEqual(expect.arrayContaining(['202', '400', '401', '403', '409']))
    expect(doc.paths['/billing-runs']!.get!['x-roles']).toEqual(['viewer', 'accountant', 'approver', 'admin'])
    expect(Object.keys(doc.paths['/billing-runs/{id}']!.get!.responses)).toEqual(expect.arrayContaining(['200', '404']))
    expect(Object.keys(doc.components.schemas.StartBillingRun!.properties!)).toEqual(['period', 'dealIds', 'concurrency'])
    expect(doc.components.schemas.StartBillingRun!.additionalProperties).toBe(false)
    expect(doc.components.schemas.BillingRun!.properties).toHaveProperty('counts')
  })
})

// With a worker and the real activities: a run that does its work, read back through the API.
describe('/billing-runs end to end (worker with the real activities)', () => {
  let t: TestApp
  let worker: RunningInvoiceWorker
  const taskQueue = uniqueName('api-billing-runs')
  const started: string[] = []

  beforeAll(async () => {
    t = await createTestApp({ taskQueue })
    worker = await runInvoiceWorker(t.env, 'api-billing-runs', { taskQueue })
  })
  afterAll(async () => {
    for (const id of started) {
      const handle = t.env.client.workflow.getHandle(id)
      if ((await handle.describe()).status.name === 'RUNNING') await handle.terminate('billing-runs api test over')
    }
    await worker?.stop()
    await t?.dispose()
  })

  it('runs to done, then shows each invoice as it is now (a cancel shows at once)', async () => {
    const period = randomRange()
    const res = await t.call('POST', '/billing-runs', { as: 'accountant', body: { period, dealIds: ['APP-1004', 'APP-1008'], concurrency: 1 } })
    expect(res.status, await res.clone().text()).toBe(202)
    const { id, href } = (await res.json()) as { id: string; href: string }
    started.push(id)

    const read = async () => (await (await t.call('GET', href, { as: 'viewer' })).json()) as BillingRunDetails
    const done = await waitFor(read, (r) => r.status === 'completed', 60_000)
    expect(done).toMatchObject({ id, state: 'done', startedBy: 'alice', concurrency: 1, notice: null, failure: null })
    expect(done.deals.map((d) => [d.dealId, d.start])).toEqual([['APP-1004', 'started'], ['APP-1008', 'started']])
    expect(done.counts).toMatchObject({ deals: 2, started: 2, existing: 0, failed: 0, pending: 0 })
    started.push(...done.deals.map((d) => d.invoiceId))

    const cancel = await t.call('POST', `/invoices/${encodeURIComponent(done.deals[0]!.invoiceId)}/cancel`, { as: 'accountant', body: { reason: 'not this month' } })
    expect(cancel.status, await cancel.clone().text()).toBeLessThan(300)
    const after = await waitFor(read, (r) => r.deals[0]!.state === 'cancelled', 30_000)
    expect(after.deals[1]!.state).toBe(done.deals[1]!.state)
    expect(after.counts.byState.cancelled).toBe(1)
  })
})
