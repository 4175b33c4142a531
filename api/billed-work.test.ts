import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { InvoicePreview } from '../billing/types.js'
import { SAMPLE_DEALS } from '../sources/generate/catalog.js'
import { runInvoiceWorker, type RunningInvoiceWorker } from '../test-support/invoice-env.js'
import { insertTestDeal, syncWorklogs, testWorklogId } from '../test-support/source-rows.js'
import { uniqueName } from '../test-support/temporal.js'
import { createTestApp, type TestApp, type TestUser } from './create-test-app.js'

/**
 * The billed-work ledger through the API, on a deal of its own (APP-1001's terms: 45 USD/h,
 * VAT 12 %, minimum 15 min in steps of 15): each worklog billed once, overlapping periods
 * refused, late work on the next invoice, a dropped late line on the one after, a void that
 * releases, and a re-finalization that keeps one set of rows. Figures are hand-computed.
 */
describe('billed work, end to end through the API', () => {
  let t: TestApp
  let worker: RunningInvoiceWorker
  let dealId: string
  let projectKey: string
  const taskQueue = uniqueName('billed-work')
  const ids = { w1: testWorklogId(), w2: testWorklogId(), w3: testWorklogId(), w4: testWorklogId(), w5: testWorklogId() }

  beforeAll(async () => {
    t = await createTestApp({ taskQueue })
    worker = await runInvoiceWorker(t.env, 'billed-work', { taskQueue })
    ;({ dealId, projectKey } = await insertTestDeal(worker.inv.clickhouse.client, SAMPLE_DEALS.tmUsdUzEInvoicing))
  })
  afterAll(async () => {
    for (const period of ['2026-10', '2026-11', '2026-12']) {
      const handle = t.env.client.workflow.getHandle(`invoice:${dealId}:${period}`)
      const status = await handle.describe().then((d) => d.status.name, () => null)
      if (status === 'RUNNING') await handle.terminate('test over')
    }
    await worker?.stop()
    await t?.dispose()
  })

  const path = (period: string, suffix = '') => `/invoices/${encodeURIComponent(`invoice:${dealId}:${period}`)}${suffix}`
  async function start(period: string): Promise<InvoicePreview> {
    const res = await t.call('POST', '/invoices', { as: 'accountant', body: { dealId, period }, headers: { Prefer: 'wait=30' } })
    expect(res.status, await res.clone().text()).toBe(201)
    return ((await res.json()) as { preview: InvoicePreview }).preview
  }
  async function act(period: string, action: string, as: TestUser, body: unknown): Promise<Record<string, unknown>> {
    const res = await t.call('POST', path(period, `/${action}`), { as, body })
    expect(res.status, await res.clone().text()).toBe(200)
    return (await res.json()) as Record<string, unknown>
  }
  async function preview(period: string): Promise<InvoicePreview> {
    const res = await t.call('GET', path(period), { as: 'viewer' })
    return ((await res.json()) as { preview: InvoicePreview }).preview
  }
  async function ledger(number: unknown): Promise<{ worklogId: string; lineKey: string; billableMinutes: number; released: boolean }[]> {
    const rows = await worker.inv.db.billedWork.findMany({ where: { invoice: { number: String(number) } }, orderBy: { workDate: 'asc' } })
    return rows.map((r) => ({ worklogId: r.worklogId.toString(), lineKey: r.lineKey, billableMinutes: r.billableMinutes, released: r.releasedAt !== null }))
  }
  const late = (p: InvoicePreview) => p.lines.filter((l) => l.lineId.startsWith('earlier:'))

  let october: Record<string, unknown>
  let november: Record<string, unknown>

  it('bills each worklog of a period once: the ledger holds its rows, an overlapping period is refused naming the invoice', async () => {
    await syncWorklogs(worker.inv.clickhouse.client, [
      { id: ids.w1, projectKey, startedAt: '2026-10-05T06:00:00Z', seconds: 7200 },
      { id: ids.w2, projectKey, startedAt: '2026-10-20T06:00:00Z', seconds: 3600 },
    ])
    const draft = await start('2026-10')
    expect(draft).toMatchObject({ subtotal: '135.00', vatAmount: '16.20', total: '151.20', hours: { billable: '3.00' } })
    october = await act('2026-10', 'confirm', 'accountant', { fingerprint: draft.sourceFingerprint })
    expect(october).toMatchObject({ state: 'awaiting_approval' })
    expect(await ledger(october.invoiceNumber)).toEqual([
      { worklogId: String(ids.w1), lineKey: draft.lines[0]!.lineId, billableMinutes: 120, released: false },
      { worklogId: String(ids.w2), lineKey: draft.lines[0]!.lineId, billableMinutes: 60, released: false },
    ])

    const overlap = await t.call('POST', '/invoices', { as: 'accountant', body: { dealId, period: '2026-10-15..2026-11-15' } })
    expect(overlap.status).toBe(409)
    expect(await overlap.json()).toMatchObject({
      code: 'PERIOD_OVERLAP',
      message: expect.stringContaining(String(october.invoiceNumber)),
      overlapping: { number: october.invoiceNumber, period: '2026-10', state: 'awaiting_approval' },
    })
  })

  it('offers work synced after October was invoiced on November as a line of its own; dropped, it stays unbilled', async () => {
    await syncWorklogs(worker.inv.clickhouse.client, [
      { id: ids.w3, projectKey, startedAt: '2026-10-30T06:00:00Z', seconds: 1800 },
      { id: ids.w4, projectKey, startedAt: '2026-11-03T06:00:00Z', seconds: 3600 },
    ])
    const draft = await start('2026-11')
    expect(late(draft)).toEqual([
      expect.objectContaining({ lineId: expect.stringMatching(/^earlier:2026-10:time:/), description: expect.stringContaining('Work from earlier periods: October 2026'), quantity: '0.50', rate: '45.00', amount: '22.50' }),
    ])
    expect(draft).toMatchObject({ subtotal: '67.50', total: '75.60' })
    expect(draft.warnings).toContainEqual(expect.objectContaining({ code: 'LATE_WORK', details: expect.objectContaining({ month: '2026-10', worklogs: 1, hours: '0.50' }) }))

    november = await act('2026-11', 'confirm', 'accountant', { fingerprint: draft.sourceFingerprint, edits: { dropLineIds: [late(draft)[0]!.lineId] } })
    expect(november).toMatchObject({ state: 'awaiting_approval', total: '50.40' })
    expect((await ledger(november.invoiceNumber)).map((r) => r.worklogId)).toEqual([String(ids.w4)])
  })

  it('a re-finalization after reject keeps one set of rows', async () => {
    const rejected = await act('2026-11', 'reject', 'approver', { pdfVersion: november.pdfVersion, reason: 'check the November hours' })
    expect(rejected).toMatchObject({ state: 'awaiting_confirmation' })
    const again = await act('2026-11', 'confirm', 'accountant', { fingerprint: rejected.fingerprint })
    expect(again).toMatchObject({ state: 'awaiting_approval', invoiceNumber: november.invoiceNumber, pdfVersion: 2 })
    expect(await ledger(november.invoiceNumber)).toEqual([expect.objectContaining({ worklogId: String(ids.w4), billableMinutes: 60, released: false })])
  })

  it('offers the dropped late work again on December; a void of October releases its rows and takes the late work with it', async () => {
    await syncWorklogs(worker.inv.clickhouse.client, [{ id: ids.w5, projectKey, startedAt: '2026-12-02T06:00:00Z', seconds: 900 }])
    const draft = await start('2026-12')
    expect(late(draft).map((l) => [l.quantity, l.amount])).toEqual([['0.50', '22.50']])
    expect(draft.subtotal).toBe('33.75')

    const voided = await act('2026-10', 'cancel', 'accountant', { reason: 'wrong contract' })
    expect(voided).toMatchObject({ state: 'cancelled', invoiceNumber: october.invoiceNumber })
    expect((await ledger(october.invoiceNumber)).map((r) => r.released)).toEqual([true, true])

    // October is no longer invoiced: its late worklog is October's again, not December's.
    const stale = await t.call('POST', path('2026-12', '/confirm'), { as: 'accountant', body: { fingerprint: draft.sourceFingerprint } })
    expect(stale.status).toBe(409)
    expect(await stale.json()).toMatchObject({ code: 'STALE_PREVIEW' })
    await act('2026-12', 'refresh', 'accountant', {})
    const refreshed = await preview('2026-12')
    expect(late(refreshed)).toEqual([])
    expect(refreshed.subtotal).toBe('11.25')

    const redo = await start('2026-10')
    expect(redo).toMatchObject({ subtotal: '157.50', hours: { billable: '3.50' } })
  })
})
