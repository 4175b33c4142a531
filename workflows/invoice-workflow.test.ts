import { createHash } from 'node:crypto'
import type { WorkflowHandle } from '@temporalio/client'
import type { TestWorkflowEnvironment } from '@temporalio/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { WORKLOGS } from '../sources/columns.js'
import { SAMPLE_DEALS } from '../sources/generate/catalog.js'
import { readDealWorklogs } from '../sources/read-deal-worklogs.js'
import { readDeal } from '../sources/read-deal.js'
import { runInvoiceWorker, waitFor, type InvoiceTestEnv, type RunningInvoiceWorker } from '../test-support/invoice-env.js'
import { connectTestEnvironment, createTestWorker, uniqueName } from '../test-support/temporal.js'
import { recordHistory as recordHistoryOf } from '../test-support/record-history.js'
import { act, refusalOf, workflowTaskFailures, untilDelivered } from '../test-support/invoice-actions.js'
import { getInvoiceQuery, type InvoiceState, type InvoiceView } from './invoice-contract.js'
import { invoiceWorkflow } from './invoice-workflow.js'

describe('invoice workflow, end to end on real services', () => {
  let env: TestWorkflowEnvironment
  let inv: InvoiceTestEnv
  let worker: RunningInvoiceWorker
  const taskQueue = uniqueName('invoice')

  beforeAll(async () => {
    env = await connectTestEnvironment()
    worker = await runInvoiceWorker(env, 'invoice-wf', { taskQueue })
    inv = worker.inv
  })
  afterAll(async () => {
    await worker?.stop()
    await env?.teardown()
  })

  /** Each test bills its own period label so workflow ids never collide between runs. */
  async function start(dealId: string, period = '2026-10'): Promise<WorkflowHandle<typeof invoiceWorkflow>> {
    return env.client.workflow.start(invoiceWorkflow, {
      taskQueue,
      workflowId: uniqueName(`invoice:${dealId}:${period}`),
      args: [{ dealId, period, startedBy: 'alice' }],
    })
  }
  const view = (h: WorkflowHandle) => h.query(getInvoiceQuery)
  const reach = (h: WorkflowHandle, state: InvoiceState, extra: (v: InvoiceView) => boolean = () => true) =>
    waitFor(() => view(h), (v) => v.state === state && extra(v), 60_000)

  const recordHistory = (h: WorkflowHandle, name: string) => recordHistoryOf(env, h.workflowId, name)

  /** The sync brings a changed worklog: two more hours on one of the deal's October worklogs. */
  async function addTwoHoursToAWorklog(dealId: string): Promise<void> {
    const deal = (await readDeal(inv.clickhouse.client, dealId))!
    const [w] = await readDealWorklogs(inv.clickhouse.client, { deal, from: '2026-10-01', to: '2026-11-01', timeZone: 'Asia/Tashkent' })
    await inv.clickhouse.client.insert({
      table: WORKLOGS.table,
      format: 'JSONEachRow',
      values: [{
        [WORKLOGS.worklogId]: w!.worklogId, [WORKLOGS.issueId]: w!.issueId, [WORKLOGS.issueKey]: w!.issueKey,
        [WORKLOGS.projectKey]: w!.projectKey, [WORKLOGS.accountKey]: w!.accountKey, [WORKLOGS.authorAccountId]: w!.authorAccountId,
        [WORKLOGS.authorName]: w!.authorName, [WORKLOGS.startedAt]: w!.startedAt.replace('T', ' ').replace('Z', ''),
        [WORKLOGS.timeSpentSeconds]: w!.timeSpentSeconds + 7200, [WORKLOGS.billableSeconds]: w!.billableSeconds + 7200,
        [WORKLOGS.description]: w!.description, [WORKLOGS.version]: (BigInt(w!.version) + 1000n).toString(), [WORKLOGS.deleted]: 0,
      }],
    })
  }

  async function events(h: WorkflowHandle): Promise<string[]> {
    const rows = await inv.db.invoiceEvent.findMany({ where: { workflowId: h.workflowId }, orderBy: { id: 'asc' } })
    return rows.map((r) => r.type)
  }

  it('happy path: preview, confirm, number and PDF, approve by someone else, dispatch, paid', async () => {
    // The invoice asks PlanFact about its payment every ~2 s here (6 h by default).
    await inv.db.setting.upsert({ where: { key: 'paymentCheckHours' }, create: { key: 'paymentCheckHours', value: 0.0005 }, update: { value: 0.0005 } })
    const h = await start(SAMPLE_DEALS.tmUsdUzEInvoicing)
    const preview = (await reach(h, 'awaiting_confirmation')).preview!
    expect(preview.lines.length).toBeGreaterThan(0)
    expect(preview.errors).toEqual([])

    // The confirm answers once the workflow has acted: numbered, PDF rendered, awaiting approval.
    const outcome = await act(h, 'confirm', { actor: 'alice', fingerprint: preview.sourceFingerprint })
    expect(outcome).toMatchObject({ action: 'confirm', previousState: 'awaiting_confirmation', state: 'awaiting_approval', pdfVersion: 1, total: preview.total })
    const approving = await view(h)
    expect(outcome.invoiceNumber).toBe(approving.invoiceNumber)
    expect(approving.invoiceNumber).toMatch(/^T[0-9A-F]{8}-\d{4}-\d{5}$/) // the test database's prefix (test-support/database-per-file.ts)
    expect(approving.pdfVersion).toBe(1)
    expect(approving.confirmedBy).toBe('alice')

    const invoice = await inv.db.invoice.findUniqueOrThrow({ where: { id: approving.invoiceId! }, include: { lineItems: true, pdfs: true } })
    expect(invoice.number).toBe(approving.invoiceNumber)
    expect(invoice.total.toFixed(2)).toBe(preview.total)
    expect(invoice.lineItems.map((l) => l.amount.toFixed(2)).sort()).toEqual(preview.lines.map((l) => l.amount).sort())
    const [stored] = invoice.pdfs
    expect(stored!.version).toBe(1)
    expect(createHash('sha256').update(stored!.pdfData).digest('hex')).toBe(stored!.sha256)
    expect(Buffer.from(stored!.pdfData).subarray(0, 5).toString()).toBe('%PDF-')

    expect(await act(h, 'approve', { actor: 'bob', pdfVersion: 1 })).toMatchObject({ state: 'dispatching', previousState: 'awaiting_approval' })
    const delivered = await untilDelivered(h)
    expect(delivered).toMatchObject({ state: 'awaiting_payment', payment: { status: 'unpaid', total: preview.total, paid: '0.00', due: preview.total } })
    // The customer pays in full: the planned income turns actual in PlanFact, and the invoice follows.
    const planned = inv.planfact.state.operations.find((o) => o.externalId === approving.invoiceId)!
    inv.planfact.payOperation(planned.operationId, { date: '2026-11-20' })
    expect(await h.result()).toEqual({ state: 'paid', invoiceId: approving.invoiceId, invoiceNumber: approving.invoiceNumber })
    await recordHistory(h, 'happy-path-paid')
    const final = await inv.db.invoice.findUniqueOrThrow({ where: { id: approving.invoiceId! } })
    expect(final).toMatchObject({ state: 'paid', paymentStatus: 'paid', approvedBy: 'bob', confirmedBy: 'alice' })
    const payments = await inv.db.payment.findMany({ where: { invoiceId: approving.invoiceId! } })
    expect(payments.map((p) => ({ source: p.source, amount: p.amount.toFixed(2), paidOn: p.paidOn.toISOString().slice(0, 10) }))).toEqual([{ source: 'planfact', amount: preview.total, paidOn: '2026-11-20' }])
    expect(await events(h)).toEqual(
      expect.arrayContaining(['state_prefilling', 'state_awaiting_confirmation', 'state_finalizing', 'finalized', 'pdf_rendered', 'state_awaiting_approval', 'state_dispatching', 'planfact_done', 'r2_done', 'email_done', 'state_awaiting_payment', 'state_paid']),
    )
    // Booked once in PlanFact, for the total.
    const booked = inv.planfact.state.operations.filter((o) => o.externalId === approving.invoiceId)
    expect(booked).toHaveLength(1)
    expect(booked[0]!.value.toFixed(2)).toBe(preview.total)
    // Booked as a planned income, turned actual by the payment (the date it was paid).
    expect(booked[0]).toMatchObject({ isCommitted: true, operationDate: '2026-11-20' })
    const refs = await inv.db.externalReference.findMany({ where: { invoiceId: approving.invoiceId! } })
    expect(Object.fromEntries(refs.map((r) => [r.system, r.status]))).toEqual({ planfact: 'done', r2: 'done', email: 'done' })
    const final2 = await h.query(getInvoiceQuery)
    expect(Object.keys(final2.dispatch)).toEqual(['planfact', 'r2', 'email'])
    // The read model followed every transition.
    const row = await inv.db.invoiceRun.findFirstOrThrow({ where: { workflowId: h.workflowId } })
    expect(row).toMatchObject({ state: 'paid', invoiceNumber: approving.invoiceNumber, nextActor: null, startedBy: 'alice' })
    expect(row.total!.toFixed(2)).toBe(preview.total)
    expect(row.closedAt).not.toBeNull()
    expect(await workflowTaskFailures(h)).toBe(0)
  })

  it('delivers a UZS invoice of an e-invoicing customer through Didox and completes when the buyer accepts', async () => {
    const h = await start(SAMPLE_DEALS.retainerUzs, '2026-09')
    const preview = (await reach(h, 'awaiting_confirmation')).preview!
    expect(preview.currency).toBe('UZS')
    await act(h, 'confirm', { actor: 'alice', fingerprint: preview.sourceFingerprint })
    const numbered = await view(h)
    await act(h, 'approve', { actor: 'bob', pdfVersion: 1 })
    const waiting = await reach(h, 'dispatching', (v) => v.dispatch.didox?.status === 'done')
    const documentId = waiting.dispatch.didox!.externalId!
    // While the buyer has not answered, the read model already shows the steps done.
    const stepsShown = (row: { view: unknown }) => Object.keys((row.view as { dispatch: object }).dispatch)
    const row = await waitFor(() => inv.db.invoiceRun.findFirstOrThrow({ where: { workflowId: h.workflowId } }), (r) => stepsShown(r).includes('didox_acceptance'))
    expect(row.state).toBe('dispatching')
    expect(stepsShown(row)).toEqual(expect.arrayContaining(['planfact', 'r2', 'didox', 'didox_acceptance']))
    const [document] = inv.didox.state.documents.filter((d) => d._id === documentId)
    expect(document!.name).toBe(numbered.invoiceNumber)
    expect(inv.didox.state.documents.filter((d) => d.name === numbered.invoiceNumber)).toHaveLength(1)

    inv.didox.setDocumentStatus(documentId, 3) // the buyer accepts in Didox
    expect((await untilDelivered(h)).state).toBe('awaiting_payment')
    const final = await h.query(getInvoiceQuery)
    expect(final.dispatch.didox_acceptance).toMatchObject({ status: 'done', externalId: documentId, detail: 'accepted' })
    expect(final.dispatch.email).toBeUndefined()
    await recordHistory(h, 'didox-accepted')
  })

  it('refuses what the state cannot take, a stale fingerprint, a malformed input and the confirmer approving, each audited, without a workflow task failure', async () => {
    const h = await start(SAMPLE_DEALS.retainerUzs)
    const preview = (await reach(h, 'awaiting_confirmation')).preview!

    expect(await refusalOf(act(h, 'approve', { actor: 'bob', pdfVersion: 1 }))).toMatchObject({ code: 'WRONG_STATE', details: { state: 'awaiting_confirmation' } })
    expect((await refusalOf(act(h, 'confirm', { actor: 'alice', fingerprint: 'sha256:not-the-one' }))).code).toBe('STALE_PREVIEW')
    // Sent straight to Temporal: refused by the shared schemas, naming the fields.
    const malformed = await refusalOf(act(h, 'confirm', { actor: 'alice', fingerprint: 12, edits: { addLines: 'nope' } }))
    expect(malformed.code).toBe('INVALID_INPUT')
    expect(malformed.message).toMatch(/input\.fingerprint: .*input\.edits\.addLines: /s)
    expect((await refusalOf(act(h, 'cancel', { actor: 'alice', reason: 'bad\u0000reason' }))).message).toMatch(/input\.reason: must not contain NUL/)
    expect((await refusalOf(act(h, 'confirm', { actor: 'alice', fingerprint: preview.sourceFingerprint, edits: { addLines: [{ description: 'x', quantity: '99999999999', unit: 'item', rate: '1', reason: 'r' }] } }))).message).toMatch(/quantity: .*at most 10 digits/)
    // Each part fits its column, the product does not: refused when the workflow applies the edit.
    const overflow = await refusalOf(act(h, 'confirm', { actor: 'alice', fingerprint: preview.sourceFingerprint, edits: { addLines: [{ description: 'x', quantity: '9999999999', unit: 'item', rate: '9999999999999999', reason: 'r' }] } }))
    expect(overflow).toMatchObject({ code: 'INVALID_EDIT' })
    expect(overflow.message).toMatch(/more than an invoice line can hold/)
    expect((await view(h)).state).toBe('awaiting_confirmation')

    await act(h, 'confirm', { actor: 'alice', fingerprint: preview.sourceFingerprint })
    const refused = await refusalOf(act(h, 'approve', { actor: 'alice', pdfVersion: 1 }))
    expect(refused).toMatchObject({ code: 'MAKER_CHECKER' })
    expect(refused.message).toContain('alice')
    expect((await refusalOf(act(h, 'approve', { actor: 'bob', pdfVersion: 2 }))).code).toBe('STALE_PDF')

    expect(await act(h, 'cancel', { actor: 'carol', reason: 'test over' })).toMatchObject({ state: 'cancelled', previousState: 'awaiting_approval' })
    expect((await h.result()).state).toBe('cancelled')
    await recordHistory(h, 'refusals-then-cancel')
    expect(await workflowTaskFailures(h)).toBe(0)
    // Validator refusals are recorded by the worker (sink), act-time ones by the workflow.
    const refusals = await waitFor(
      () => inv.db.invoiceEvent.findMany({ where: { workflowId: h.workflowId, type: 'action_refused' } }),
      (rows) => rows.length >= 8,
    )
    expect(refusals.map((r) => (r.payload as { code: string }).code).sort()).toEqual(['INVALID_EDIT', 'INVALID_INPUT', 'INVALID_INPUT', 'INVALID_INPUT', 'MAKER_CHECKER', 'STALE_PDF', 'STALE_PREVIEW', 'WRONG_STATE'])
    expect(refusals.find((r) => (r.payload as { code: string }).code === 'MAKER_CHECKER')).toMatchObject({ actor: 'alice', payload: expect.objectContaining({ action: 'approve', state: 'awaiting_approval' }) })
  })

  it('reject, edit and re-confirm: same number, a new PDF version, the old one kept', async () => {
    const h = await start(SAMPLE_DEALS.tmEurForeignDe)
    const preview = (await reach(h, 'awaiting_confirmation')).preview!
    await act(h, 'confirm', { actor: 'alice', fingerprint: preview.sourceFingerprint })
    const first = await view(h)

    expect(await act(h, 'reject', { actor: 'bob', pdfVersion: 1, reason: 'rename the first line' })).toMatchObject({ state: 'awaiting_confirmation', invoiceNumber: first.invoiceNumber })
    // The numbered invoice is prefilled again (its row goes through prefilling too).
    expect(await act(h, 'refresh', { actor: 'alice' })).toMatchObject({ state: 'awaiting_confirmation', fingerprint: preview.sourceFingerprint, invoiceNumber: first.invoiceNumber })
    const lineId = preview.lines[0]!.lineId
    await act(h, 'confirm', {
      actor: 'alice',
      fingerprint: preview.sourceFingerprint,
      edits: {
        descriptions: [{ lineId, description: 'Development <b>services</b>, October' }],
        addLines: [{ description: 'Travel', quantity: '1', unit: 'item', rate: '100.00', reason: 'agreed with the client' }],
      },
    })
    const second = await view(h)
    expect(second).toMatchObject({ state: 'awaiting_approval', pdfVersion: 2 })
    expect(second.invoiceNumber).toBe(first.invoiceNumber)
    expect(second.preview!.lines.find((l) => l.lineId === lineId)!.description).toBe('Development <b>services</b>, October')

    const pdfs = await inv.db.invoicePdf.findMany({ where: { invoiceId: first.invoiceId! }, orderBy: { version: 'asc' } })
    expect(pdfs.map((p) => p.version)).toEqual([1, 2])
    expect(pdfs[0]!.sha256).not.toBe(pdfs[1]!.sha256)
    const lines = await inv.db.invoiceLineItem.findMany({ where: { invoiceId: first.invoiceId! } })
    expect(lines.some((l) => l.kind === 'manual' && l.manualReason === 'agreed with the client')).toBe(true)

    // The approver opened version 1 before the rejection: that decision is about another document.
    expect((await refusalOf(act(h, 'approve', { actor: 'bob', pdfVersion: 1 }))).code).toBe('STALE_PDF')
    await act(h, 'approve', { actor: 'bob', pdfVersion: 2 })
    expect((await untilDelivered(h)).invoiceNumber).toBe(first.invoiceNumber)
    await recordHistory(h, 'reject-edit-reconfirm')
  })

  it('cancel before numbering leaves no invoice; cancel after numbering keeps it void with its number', async () => {
    const early = await start(SAMPLE_DEALS.fixedMonthlyUzs)
    await reach(early, 'awaiting_confirmation')
    await act(early, 'cancel', { actor: 'alice', reason: 'wrong deal' })
    expect(await early.result()).toEqual({ state: 'cancelled', invoiceId: null, invoiceNumber: null })
    expect(await inv.db.invoice.count({ where: { workflowId: early.workflowId } })).toBe(0)

    const late = await start(SAMPLE_DEALS.fixedMonthlyUsdForeignUs)
    const preview = (await reach(late, 'awaiting_confirmation')).preview!
    await act(late, 'confirm', { actor: 'alice', fingerprint: preview.sourceFingerprint })
    const numbered = await view(late)
    await act(late, 'cancel', { actor: 'bob', reason: 'client terminated the contract' })
    expect((await late.result()).state).toBe('cancelled')
    const invoice = await inv.db.invoice.findUniqueOrThrow({ where: { id: numbered.invoiceId! } })
    expect(invoice).toMatchObject({ state: 'cancelled', number: numbered.invoiceNumber, voidReason: 'client terminated the contract' })
    expect(invoice.voidedAt).not.toBeNull()
  })

  it('refuses a confirmation after the sync changed the data, and accepts it after a refresh', async () => {
    const h = await start(SAMPLE_DEALS.tmUsdProjectAndAccount)
    const before = (await reach(h, 'awaiting_confirmation')).preview!

    await addTwoHoursToAWorklog(SAMPLE_DEALS.tmUsdProjectAndAccount)

    const stale = await refusalOf(act(h, 'confirm', { actor: 'alice', fingerprint: before.sourceFingerprint }))
    expect(stale.code).toBe('STALE_PREVIEW')
    expect(stale.message).toMatch(/source data changed/)
    expect((await view(h)).state).toBe('awaiting_confirmation')

    const refreshed = await act(h, 'refresh', { actor: 'alice' })
    expect(refreshed).toMatchObject({ state: 'awaiting_confirmation', previousState: 'awaiting_confirmation' })
    expect(refreshed.fingerprint).not.toBe(before.sourceFingerprint)
    expect((await view(h)).preview!.hours.raw).not.toBe(before.hours.raw)
    expect((await act(h, 'confirm', { actor: 'alice', fingerprint: refreshed.fingerprint! })).state).toBe('awaiting_approval')
    await act(h, 'cancel', { actor: 'alice', reason: 'test over' })
    await h.result()
  })

  it('a refresh and a confirm delivered together while the worker was down: the confirm is refused stale and nothing is numbered', async () => {
    const queue = uniqueName('race')
    const h = await env.client.workflow.start(invoiceWorkflow, { taskQueue: queue, workflowId: uniqueName(`invoice:${SAMPLE_DEALS.tmUsdUzEInvoicing}:2026-10`), args: [{ dealId: SAMPLE_DEALS.tmUsdUzEInvoicing, period: '2026-10', startedBy: 'alice' }] })
    const runWorker = async () => {
      const w = await createTestWorker(env, { taskQueue: queue, activities: inv.activities })
      return { w, running: w.run() }
    }
    let worker = await runWorker()
    const seen = (await reach(h, 'awaiting_confirmation')).preview!
    worker.w.shutdown()
    await worker.running
    await addTwoHoursToAWorklog(SAMPLE_DEALS.tmUsdUzEInvoicing)
    // A double click: both reach Temporal while no worker polls, and the next task carries both.
    const refresh = act(h, 'refresh', { actor: 'alice' })
    const confirm = refusalOf(act(h, 'confirm', { actor: 'alice', fingerprint: seen.sourceFingerprint }))
    await new Promise((resolve) => setTimeout(resolve, 1_500))
    worker = await runWorker()
    try {
      const refreshed = await refresh
      expect(refreshed.fingerprint).not.toBe(seen.sourceFingerprint)
      expect((await confirm).code).toBe('STALE_PREVIEW')
      const after = await view(h)
      expect(after).toMatchObject({ state: 'awaiting_confirmation', invoiceNumber: null, invoiceId: null })
      expect(await inv.db.invoice.count({ where: { workflowId: h.workflowId } })).toBe(0)
      await act(h, 'cancel', { actor: 'alice', reason: 'test over' })
      await h.result()
    } finally {
      worker.w.shutdown()
      await worker.running
    }
  })

  it('ends at once when the deal is unknown: the start is refused, no run is left open', async () => {
    const h = await start('APP-0000')
    expect(await h.result()).toEqual({ state: 'cancelled', invoiceId: null, invoiceNumber: null })
    const final = await view(h)
    expect(final.cancelReason).toContain('APP-0000')
    expect(await workflowTaskFailures(h)).toBe(0)
    await recordHistory(h, 'unknown-deal')
  })
})
