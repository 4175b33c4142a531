import { randomInt, randomUUID } from 'node:crypto'
import { MockActivityEnvironment } from '@temporalio/testing'
import { DefaultLogger } from '@temporalio/worker'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createDriftActivities } from '../activities/drift.js'
import { makeDeal } from '../billing/test-builders.js'
import { findDriftReport } from '../db/drift-reports.js'
import { createDatabase, type Database } from '../lib/database.js'
import { readDealFigures } from '../operations/billing-runs/read-deal-figures.js'
import { createTestClickHouse, type TestClickHouse } from '../sources/create-test-clickhouse.js'
import { applySourceSchema } from '../sources/schema.js'
import { createBilledInvoice, previousMonth, syncWorklogVersions, type BilledInvoice, type WorklogFixture } from '../test-support/billed-invoice.js'
import { testDatabaseUrl } from '../test-support/env.js'
import { readInvoiceDrift } from './read-invoice-drift.js'
import type { DriftReportSummary } from './types.js'

const TZ = 'Asia/Tashkent'
/** An activity context whose log lines below WARN stay out of the test output. */
const activityEnv = () => new MockActivityEnvironment(undefined, { logger: new DefaultLogger('WARN') })
const month = previousMonth()
const at = (day: string) => `${month}-${day}T06:00:00Z`

/**
 * Drift against a real embedded ClickHouse and PostgreSQL: an invoice billing four worklogs at
 * 50.01 USD/h (minimum 15 min in steps of 15), then edits and a delete in the source. Every
 * figure below is computed by hand.
 */
describe('drift of an invoice, and the drift report', () => {
  let ch: TestClickHouse
  let db: Database
  let invoice: BilledInvoice
  let quiet: BilledInvoice
  const deal = makeDeal({ dealId: `T-DRIFT-${randomInt(1e6)}`, hourlyRate: '50.01', vatRate: '12', projectKeys: ['DRF'], minBillableMinutes: 15, roundingIncrementMinutes: 15 })
  const otherDeal = makeDeal({ dealId: `T-QUIET-${randomInt(1e6)}`, hourlyRate: '45', projectKeys: ['QUI'], minBillableMinutes: 15, roundingIncrementMinutes: 15 })
  const id = (n: number) => 6_000_000_000 + n
  const worklogs: WorklogFixture[] = [
    { id: id(1), projectKey: 'DRF', startedAt: at('05'), seconds: 7200 }, // 120 min
    { id: id(2), projectKey: 'DRF', startedAt: at('12'), seconds: 3600 }, // 60 min
    { id: id(3), projectKey: 'DRF', startedAt: at('20'), seconds: 1800 }, // 30 min
    { id: id(4), projectKey: 'DRF', startedAt: at('25'), seconds: 900 }, // 15 min
  ]

  beforeAll(async () => {
    ch = createTestClickHouse('drift')
    await applySourceSchema(ch.client)
    db = createDatabase(testDatabaseUrl())
    const versions = await syncWorklogVersions(ch.client, worklogs)
    invoice = await createBilledInvoice(db, { deal, month, worklogs, versions, timeZone: TZ })
    const quietWork: WorklogFixture[] = [{ id: id(9), projectKey: 'QUI', startedAt: at('07'), seconds: 3600 }]
    quiet = await createBilledInvoice(db, { deal: otherDeal, month, worklogs: quietWork, versions: await syncWorklogVersions(ch.client, quietWork), timeZone: TZ })
  })
  afterAll(async () => {
    await ch?.dispose()
    await db?.$disconnect()
  })

  const deps = () => ({ db, clickhouse: ch.client, timeZone: TZ })

  it('finds nothing while the sources still have what was billed', async () => {
    // 225 min at 50.01 = 187.5375 -> 187.54 on the one time line.
    expect(invoice.preview.lines.map((l) => [l.kind, l.amount])).toEqual([['time', '187.54']])
    const drift = await readInvoiceDrift(deps(), invoice.invoiceId)
    expect(drift).toMatchObject({ id: invoice.workflowId, number: invoice.number, dealId: deal.dealId, currency: 'USD', voided: false, worklogsChecked: 4, lines: [], changes: [], truncated: false })
    expect(drift.totals).toMatchObject({ worklogs: 0, minutesDelta: 0, amountDelta: '0.00' })
  })

  it('reports an edit and a delete in the source with the amounts they would change', async () => {
    await syncWorklogVersions(ch.client, [
      { ...worklogs[0]!, seconds: 5000 }, // ceil(5000 / 900) x 15 = 90 min: -30
      { ...worklogs[1]!, deleted: true }, // -60
      { ...worklogs[2]!, seconds: 2400 }, // 45 min: +15
      { ...worklogs[3]! }, // a new version that changes nothing billed
    ])
    const drift = await readInvoiceDrift(deps(), invoice.invoiceId)
    const line = invoice.preview.lines[0]!.lineId
    // Each worklog: -30 x 50.01 / 60 = -25.005 -> -25.01; -60 -> -50.01; +15 -> 12.5025 -> 12.50.
    expect(drift.changes.map((c) => [c.worklogId, c.kinds, c.billed.billableMinutes, c.current?.billableMinutes ?? null, c.minutesDelta, c.rate, c.amountDelta])).toEqual([
      [String(id(1)), ['duration'], 120, 90, -30, '50.01', '-25.01'],
      [String(id(2)), ['deleted'], 60, null, -60, '50.01', '-50.01'],
      [String(id(3)), ['duration'], 30, 45, 15, '50.01', '12.50'],
    ])
    expect(drift.changes[1]!.current).toBeNull()
    expect(drift.changes[0]!.current).toMatchObject({ timeSpentSeconds: 5000, billableSeconds: 5000, workDate: `${month}-05` })
    // The line billed 225 min (187.54) and would bill 150 (125.025 -> 125.03): -62.51, a cent off the worklogs' -62.52.
    expect(drift.lines).toEqual([{ lineKey: line, kind: 'time', rate: '50.01', billedMinutes: 225, minutesDelta: -75, worklogs: 3, amountDelta: '-62.51' }])
    expect(drift.totals).toEqual({ worklogs: 3, byKind: { duration: 2, issue: 0, billable: 0, work_date: 0, out_of_deal: 0, deleted: 1 }, minutesDelta: -75, amountDelta: '-62.51' })

    const cut = await readInvoiceDrift(deps(), invoice.invoiceId, { maxChanges: 2 })
    expect(cut).toMatchObject({ truncated: true, totals: { worklogs: 3, amountDelta: '-62.51' } })
    expect(cut.changes).toHaveLength(2)
  })

  it('refuses an invoice that does not exist as bad input', async () => {
    await expect(readInvoiceDrift(deps(), randomUUID())).rejects.toMatchObject({ type: 'InvalidInput', message: expect.stringContaining('unknown') })
  })

  it('the report activity checks every live invoice and stores one row (once per report id)', async () => {
    const activities = createDriftActivities(deps())
    const reportId = randomUUID()
    const env = activityEnv()
    const beats: unknown[] = []
    env.on('heartbeat', (details: unknown) => beats.push(details))
    const summary = await env.run(activities.writeDriftReport, { reportId, requestedBy: 'test' }) as DriftReportSummary
    expect(summary).toMatchObject({ id: reportId, requestedBy: 'test', months: 3, invoicesChecked: 2, invoicesWithDrift: 1, worklogsChecked: 5, problems: [] })
    expect(summary.totals).toEqual([{ currency: 'USD', invoices: 1, worklogs: 3, minutesDelta: -75, amountDelta: '-62.51' }])
    expect(beats).toEqual([{ checked: 1, of: 2 }, { checked: 2, of: 2 }])

    const row = await db.driftReport.findUniqueOrThrow({ where: { id: reportId } })
    expect(row).toMatchObject({ requestedBy: 'test', months: 3, invoicesChecked: 2, invoicesWithDrift: 1, worklogsChecked: 5 })
    const stored = await findDriftReport(db, reportId)
    expect(stored!.invoices.map((i) => [i.number, i.totals.amountDelta, i.changes.length, i.lines.length])).toEqual([[invoice.number, '-62.51', 3, 1]])

    // A retried attempt (same report id) finds its row: still one.
    await env.run(activities.writeDriftReport, { reportId, requestedBy: 'test' })
    expect(await db.driftReport.count({ where: { id: reportId } })).toBe(1)
  })

  it("the billing run's view: late work on the deal's invoice, drift of its invoices from the latest report", async () => {
    const nextPeriod = `invoice:${deal.dealId}:next`
    const now = new Date()
    await db.invoiceRun.create({
      data: {
        workflowRunId: randomUUID(),
        workflowId: nextPeriod,
        state: 'awaiting_confirmation',
        dealId: deal.dealId,
        period: 'next',
        startedBy: 'alice',
        view: {},
        preview: {
          currency: 'USD',
          lines: [
            { lineId: 'time:General:deal', amount: '100.00' },
            { lineId: `earlier:${month}:time:General:deal`, amount: '22.50' },
            { lineId: `earlier:${month}:cap:hours:time:General:deal`, amount: '-7.50' },
          ],
          warnings: [{ code: 'LATE_WORK', message: 'late', details: { month } }, { code: 'CATEGORY_DEFAULTED', message: 'x', details: {} }],
        },
        transitionAt: now,
        startedAt: now,
      },
    })
    const figures = await readDealFigures(db, [
      { dealId: deal.dealId, invoiceId: nextPeriod },
      { dealId: otherDeal.dealId, invoiceId: `invoice:${otherDeal.dealId}:next` },
    ])
    expect(figures.get(deal.dealId)).toMatchObject({
      lateWork: { lines: 2, amount: '15.00', currency: 'USD', warnings: [{ code: 'LATE_WORK', details: { month } }] },
      drift: { invoices: [{ id: invoice.workflowId, number: invoice.number, period: month, currency: 'USD', worklogs: 3, amountDelta: '-62.51' }] },
    })
    expect(figures.get(otherDeal.dealId)).toMatchObject({ lateWork: null, drift: { invoices: [] } })
  })

  it('refuses an invoice finalized before the ledger existed (its worklogs are unknown); the report leaves it out', async () => {
    const work: WorklogFixture[] = [{ id: id(20), projectKey: 'OLD', startedAt: at('08'), seconds: 3600 }]
    const legacyDeal = makeDeal({ dealId: `T-LEGACY-${randomInt(1e6)}`, projectKeys: ['OLD'] })
    const legacy = await createBilledInvoice(db, { deal: legacyDeal, month, worklogs: work, versions: await syncWorklogVersions(ch.client, work), timeZone: TZ })
    await db.invoice.update({ where: { id: legacy.invoiceId }, data: { ledgerRecorded: false } })
    await expect(readInvoiceDrift(deps(), legacy.invoiceId)).rejects.toMatchObject({ type: 'InvalidInput', message: expect.stringContaining('before the billed-work ledger existed') })
  })

  it('a void invoice bills nothing any more: no drift, and the report leaves it out', async () => {
    await db.invoice.update({ where: { id: invoice.invoiceId }, data: { voidedAt: new Date(), voidReason: 'test' } })
    const drift = await readInvoiceDrift(deps(), invoice.invoiceId)
    expect(drift).toMatchObject({ voided: true, worklogsChecked: 0, changes: [], totals: { worklogs: 0 } })
    const summary = await activityEnv().run(createDriftActivities(deps()).writeDriftReport, { reportId: randomUUID(), requestedBy: 'test' }) as DriftReportSummary
    expect(summary).toMatchObject({ invoicesChecked: 1, invoicesWithDrift: 0, totals: [] })
    expect(quiet.number).not.toBe(invoice.number)
  })
})
