import { randomInt, randomUUID } from 'node:crypto'
import type { WorkerGroup } from '../workers/worker-group.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createDriftActivities } from '../activities/drift.js'
import { makeDeal } from '../billing/test-builders.js'
import type { DriftReport, DriftReportSummary, InvoiceDrift } from '../drift/types.js'
import { ensureDriftReportSchedule } from '../operations/drift/ensure-drift-schedule.js'
import { createTestClickHouse, type TestClickHouse } from '../sources/create-test-clickhouse.js'
import { applySourceSchema } from '../sources/schema.js'
import { createBilledInvoice, previousMonth, syncWorklogVersions, type BilledInvoice, type WorklogFixture } from '../test-support/billed-invoice.js'
import { createTestWorker, uniqueName } from '../test-support/temporal.js'
import { DRIFT_REPORT_WORKFLOW_TYPE, invoiceDriftWorkflowId } from '../workflows/drift-contract.js'
import { createTestApp, type TestApp } from './create-test-app.js'

const TZ = 'Asia/Tashkent'
const month = previousMonth()

/**
 * Drift through the API: GET /invoices/{id}/drift asks a worker (the drift activities over an
 * embedded ClickHouse of this file), the reports are read from PostgreSQL. The invoice bills two
 * worklogs at 45 USD/h (minimum 15 min, steps of 15); figures are computed by hand.
 */
describe('drift through the API', () => {
  let t: TestApp
  let ch: TestClickHouse
  let worker: WorkerGroup
  let running: Promise<void>
  let invoice: BilledInvoice
  const taskQueue = uniqueName('api-drift')
  const deal = makeDeal({ dealId: `T-APIDRIFT-${randomInt(1e6)}`, hourlyRate: '45', projectKeys: ['APD'], minBillableMinutes: 15, roundingIncrementMinutes: 15 })
  const worklogs: WorklogFixture[] = [
    { id: 7_100_000_001, projectKey: 'APD', startedAt: `${month}-03T06:00:00Z`, seconds: 3600 }, // 60 min
    { id: 7_100_000_002, projectKey: 'APD', startedAt: `${month}-04T06:00:00Z`, seconds: 1800 }, // 30 min
  ]
  const path = (id: string) => `/invoices/${encodeURIComponent(id)}/drift`

  beforeAll(async () => {
    t = await createTestApp({ taskQueue })
    ch = createTestClickHouse('api-drift')
    await applySourceSchema(ch.client)
    worker = await createTestWorker(t.env, { taskQueue, activities: createDriftActivities({ db: t.db, clickhouse: ch.client, timeZone: TZ }) })
    running = worker.run()
    invoice = await createBilledInvoice(t.db, { deal, month, worklogs, versions: await syncWorklogVersions(ch.client, worklogs), timeZone: TZ })
  })
  afterAll(async () => {
    worker?.shutdown()
    await running
    await ch?.dispose()
    await t?.dispose()
  })

  it('answers an invoice without drift, to any role that reads invoices', async () => {
    const res = await t.call('GET', path(invoice.workflowId), { as: 'viewer' })
    expect(res.status, await res.clone().text()).toBe(200)
    expect(await res.json()).toMatchObject({ id: invoice.workflowId, number: invoice.number, voided: false, worklogsChecked: 2, changes: [], lines: [], totals: { worklogs: 0, amountDelta: '0.00' } })
    expect((await t.call('GET', path(invoice.workflowId), { as: null })).status).toBe(401)
  })

  it('answers the changed worklogs after an edit and a delete in the source, with their amounts', async () => {
    await syncWorklogVersions(ch.client, [
      { ...worklogs[0]!, seconds: 4000 }, // ceil(4000 / 900) x 15 = 75 min: +15 -> 11.25
      { ...worklogs[1]!, deleted: true }, // -30 -> -22.50
    ])
    const res = await t.call('GET', path(invoice.workflowId), { as: 'accountant' })
    expect(res.status, await res.clone().text()).toBe(200)
    const drift = (await res.json()) as InvoiceDrift
    expect(drift.changes.map((c) => [c.worklogId, c.kinds, c.minutesDelta, c.amountDelta])).toEqual([
      ['7100000001', ['duration'], 15, '11.25'],
      ['7100000002', ['deleted'], -30, '-22.50'],
    ])
    // The line: 90 min = 67.50, now 75 min = 56.25: -11.25.
    expect(drift.lines).toEqual([expect.objectContaining({ billedMinutes: 90, minutesDelta: -15, rate: '45.00', amountDelta: '-11.25' })])
    expect(drift.totals).toMatchObject({ worklogs: 2, minutesDelta: -15, amountDelta: '-11.25', byKind: { duration: 1, deleted: 1 } })
  })

  it('is 404 for an invoice that was never finalized', async () => {
    const res = await t.call('GET', path(`invoice:${deal.dealId}:2031-01`), { as: 'viewer' })
    expect(res.status).toBe(404)
    expect(await res.json()).toMatchObject({ code: 'NOT_FOUND', message: expect.stringContaining('no finalized invoice') })
  })

  it('is 422 for an invoice finalized before the ledger existed: which worklogs it bills is unknown', async () => {
    const work: WorklogFixture[] = [{ id: 7_100_000_009, projectKey: 'APO', startedAt: `${month}-05T06:00:00Z`, seconds: 900 }]
    const legacy = await createBilledInvoice(t.db, { deal: makeDeal({ dealId: `T-APIOLD-${randomInt(1e6)}`, projectKeys: ['APO'] }), month, worklogs: work, versions: await syncWorklogVersions(ch.client, work), timeZone: TZ })
    await t.db.invoice.update({ where: { id: legacy.invoiceId }, data: { ledgerRecorded: false } })
    const res = await t.call('GET', path(legacy.workflowId), { as: 'viewer' })
    expect(res.status).toBe(422)
    expect(await res.json()).toMatchObject({ code: 'INVALID_INPUT', message: expect.stringContaining('before the billed-work ledger existed') })
  })

  it('lists the reports latest first and answers one with its invoices; 404 and 400 for unknown and malformed ids', async () => {
    const first = await t.env.client.workflow.execute(DRIFT_REPORT_WORKFLOW_TYPE, { taskQueue, workflowId: uniqueName('drift-report-test'), args: [{ requestedBy: 'test:first' }] }) as DriftReportSummary
    const second = await t.env.client.workflow.execute(DRIFT_REPORT_WORKFLOW_TYPE, { taskQueue, workflowId: uniqueName('drift-report-test'), args: [{ requestedBy: 'test:second' }] }) as DriftReportSummary
    expect(second).toMatchObject({ invoicesChecked: 1, invoicesWithDrift: 1, totals: [{ currency: 'USD', invoices: 1, worklogs: 2, minutesDelta: -15, amountDelta: '-11.25' }] })

    const list = await t.call('GET', '/drift-reports?limit=2', { as: 'viewer' })
    expect(list.status).toBe(200)
    const { items } = (await list.json()) as { items: (DriftReportSummary & { href: string })[] }
    expect(items.map((r) => [r.id, r.requestedBy, r.href])).toEqual([
      [second.id, 'test:second', `/drift-reports/${second.id}`],
      [first.id, 'test:first', `/drift-reports/${first.id}`],
    ])
    expect(items[0]).not.toHaveProperty('invoices')

    const one = await t.call('GET', `/drift-reports/${second.id}`, { as: 'viewer' })
    expect(one.status).toBe(200)
    const report = (await one.json()) as DriftReport
    expect(report.invoices.map((i) => [i.id, i.number, i.totals.amountDelta, i.changes.map((c) => c.kinds.join('+'))])).toEqual([[invoice.workflowId, invoice.number, '-11.25', ['duration', 'deleted']]])

    expect((await t.call('GET', `/drift-reports/${randomUUID()}`, { as: 'viewer' })).status).toBe(404)
    expect((await t.call('GET', '/drift-reports/not-a-uuid', { as: 'viewer' })).status).toBe(400)
    expect((await t.call('GET', '/drift-reports?limit=1000', { as: 'viewer' })).status).toBe(400)
  })

  it('describes the routes in the OpenAPI document', async () => {
    const doc = (await (await t.call('GET', '/openapi.json', { as: null })).json()) as { paths: Record<string, unknown> }
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/invoices/{id}/drift', '/drift-reports', '/drift-reports/{id}']))
  })

  it('keeps the nightly schedule idempotently: created once, then brought to the options', async () => {
    const scheduleId = uniqueName('drift-schedule-test')
    const options = { taskQueue, cron: '30 2 * * *', timeZone: TZ, scheduleId }
    try {
      expect(await ensureDriftReportSchedule(t.env.client, options)).toBe('created')
      expect(await ensureDriftReportSchedule(t.env.client, { ...options, cron: '15 3 * * *' })).toBe('updated')
      const described = await t.env.client.schedule.getHandle(scheduleId).describe()
      expect(described.spec.timezone).toBe(TZ)
      expect(described.spec.calendars?.[0]).toMatchObject({ hour: [{ start: 3, end: 3 }], minute: [{ start: 15, end: 15 }] })
      expect(described.action).toMatchObject({ type: 'startWorkflow', workflowType: DRIFT_REPORT_WORKFLOW_TYPE, taskQueue, args: [{ requestedBy: 'schedule' }] })
      expect(described.policies.overlap).toBe('SKIP')
    } finally {
      await t.env.client.schedule.getHandle(scheduleId).delete()
    }
  })

  it('answers 503 when no worker takes the check within the wait (asking again joins the same check)', async () => {
    const idle = await createTestApp({ taskQueue: uniqueName('api-drift-no-worker') })
    try {
      const res = await idle.call('GET', path(invoice.workflowId), { as: 'viewer', headers: { Prefer: 'wait=1' } })
      expect(res.status).toBe(503)
      expect(res.headers.get('Retry-After')).toBe('5')
      expect(await res.json()).toMatchObject({ code: 'SERVICE_UNAVAILABLE', message: expect.stringContaining('is the worker running') })
      const check = t.env.client.workflow.getHandle(invoiceDriftWorkflowId(invoice.invoiceId))
      const { runId } = await check.describe()
      expect((await idle.call('GET', path(invoice.workflowId), { as: 'viewer', headers: { Prefer: 'wait=1' } })).status).toBe(503)
      expect((await check.describe()).runId).toBe(runId)
    } finally {
      await t.env.client.workflow.getHandle(invoiceDriftWorkflowId(invoice.invoiceId)).terminate('test over')
      await idle.dispose()
    }
  })
})
