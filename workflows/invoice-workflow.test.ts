import { createHash } from 'node:crypto'
import type { WorkflowHandle } from '@temporalio/client'
import type { TestWorkflowEnvironment } from '@temporalio/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { WORKLOGS } from '../sources/columns.js'
import { SAMPLE_DEALS } from '../sources/generate/catalog.js'
import { readDealWorklogs } from '../sources/read-deal-worklogs.js'
import { readDeal } from '../sources/read-deal.js'
import { runInvoiceWorker, waitFor, type InvoiceTestEnv, type RunningInvoiceWorker } from '../test-support/invoice-env.js'
import { connectTestEnvironment, uniqueName } from '../test-support/temporal.js'
import { recordHistory as recordHistoryOf } from '../test-support/record-history.js'
import {
  approveSignal,
  cancelSignal,
  confirmSignal,
  getInvoiceQuery,
  refreshSignal,
  rejectSignal,
  type InvoiceState,
  type InvoiceView,
} from './invoice-contract.js'
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

  async function events(h: WorkflowHandle): Promise<string[]> {
    const rows = await inv.db.invoiceEvent.findMany({ where: { workflowId: h.workflowId }, orderBy: { id: 'asc' } })
    return rows.map((r) => r.type)
  }

  it('happy path: preview, confirm, number and PDF, approve by someone else, dispatch, completed', async () => {
    const h = await start(SAMPLE_DEALS.tmUsdUzEInvoicing)
    const preview = (await reach(h, 'awaiting_confirmation')).preview!
    expect(preview.lines.length).toBeGreaterThan(0)
    expect(preview.errors).toEqual([])

    await h.signal(confirmSignal, { actor: 'alice', fingerprint: preview.sourceFingerprint })
    const approving = await reach(h, 'awaiting_approval')
    expect(approving.invoiceNumber).toMatch(/^INV-\d{4}-\d{5}$/)
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

    await h.signal(approveSignal, { actor: 'bob' })
    expect(await h.result()).toEqual({ state: 'completed', invoiceId: approving.invoiceId, invoiceNumber: approving.invoiceNumber })
    await recordHistory(h, 'happy-path')
    const final = await inv.db.invoice.findUniqueOrThrow({ where: { id: approving.invoiceId! } })
    expect(final).toMatchObject({ state: 'completed', approvedBy: 'bob', confirmedBy: 'alice' })
    expect(await events(h)).toEqual(
      expect.arrayContaining(['started', 'state_awaiting_confirmation', 'state_finalizing', 'finalized', 'pdf_rendered', 'state_awaiting_approval', 'state_dispatching', 'planfact_done', 'r2_done', 'email_done', 'state_completed']),
    )
    // Booked once in PlanFact, for the total, as an unpaid (uncommitted) income operation.
    const booked = inv.planfact.state.operations.filter((o) => o.externalId === approving.invoiceId)
    expect(booked).toHaveLength(1)
    expect(booked[0]!.value.toFixed(2)).toBe(preview.total)
    expect(booked[0]!.isCommitted).toBe(false)
    const refs = await inv.db.externalReference.findMany({ where: { invoiceId: approving.invoiceId! } })
    expect(Object.fromEntries(refs.map((r) => [r.system, r.status]))).toEqual({ planfact: 'done', r2: 'done', email: 'done' })
    const view = await h.query(getInvoiceQuery)
    expect(Object.keys(view.dispatch)).toEqual(['planfact', 'r2', 'email'])
  })

  it('delivers a UZS invoice of an e-invoicing customer through Didox and completes when the buyer accepts', async () => {
    const h = await start(SAMPLE_DEALS.retainerUzs, '2026-09')
    const preview = (await reach(h, 'awaiting_confirmation')).preview!
    expect(preview.currency).toBe('UZS')
    await h.signal(confirmSignal, { actor: 'alice', fingerprint: preview.sourceFingerprint })
    const numbered = await reach(h, 'awaiting_approval')
    await h.signal(approveSignal, { actor: 'bob' })
    const waiting = await reach(h, 'dispatching', (v) => v.dispatch.didox?.status === 'done')
    const documentId = waiting.dispatch.didox!.externalId!
    const [document] = inv.didox.state.documents.filter((d) => d._id === documentId)
    expect(document!.name).toBe(numbered.invoiceNumber)
    expect(inv.didox.state.documents.filter((d) => d.name === numbered.invoiceNumber)).toHaveLength(1)

    inv.didox.setDocumentStatus(documentId, 3) // the buyer accepts in Didox
    expect((await h.result()).state).toBe('completed')
    const final = await h.query(getInvoiceQuery)
    expect(final.dispatch.didox_acceptance).toMatchObject({ status: 'done', externalId: documentId, detail: 'accepted' })
    expect(final.dispatch.email).toBeUndefined()
    await recordHistory(h, 'didox-accepted')
  })

  it('refuses what the state cannot take, a stale fingerprint, and the confirmer approving (maker-checker)', async () => {
    const h = await start(SAMPLE_DEALS.retainerUzs)
    const preview = (await reach(h, 'awaiting_confirmation')).preview!

    await h.signal(approveSignal, { actor: 'bob' })
    expect((await waitFor(() => view(h), (v) => v.lastRefusal !== null)).lastRefusal).toMatchObject({ signal: 'approve', code: 'WRONG_STATE', actor: 'bob' })

    await h.signal(confirmSignal, { actor: 'alice', fingerprint: 'sha256:not-the-one' })
    expect((await waitFor(() => view(h), (v) => v.lastRefusal?.code === 'STALE_PREVIEW')).state).toBe('awaiting_confirmation')

    await h.signal(confirmSignal, { actor: 'alice', fingerprint: preview.sourceFingerprint })
    await reach(h, 'awaiting_approval')
    await h.signal(approveSignal, { actor: 'alice' })
    const refused = await waitFor(() => view(h), (v) => v.lastRefusal?.code === 'MAKER_CHECKER')
    expect(refused.state).toBe('awaiting_approval')
    expect(refused.lastRefusal!.message).toContain('alice')

    await h.signal(cancelSignal, { actor: 'carol', reason: 'test over' })
    expect((await h.result()).state).toBe('cancelled')
    await recordHistory(h, 'refusals-then-cancel')
    const refusals = await inv.db.invoiceEvent.findMany({ where: { workflowId: h.workflowId, type: 'signal_refused' } })
    expect(refusals.map((r) => (r.payload as { code: string }).code).sort()).toEqual(['MAKER_CHECKER', 'STALE_PREVIEW', 'WRONG_STATE'])
  })

  it('reject, edit and re-confirm: same number, a new PDF version, the old one kept', async () => {
    const h = await start(SAMPLE_DEALS.tmEurForeignDe)
    const preview = (await reach(h, 'awaiting_confirmation')).preview!
    await h.signal(confirmSignal, { actor: 'alice', fingerprint: preview.sourceFingerprint })
    const first = await reach(h, 'awaiting_approval')

    await h.signal(rejectSignal, { actor: 'bob', reason: 'rename the first line' })
    await reach(h, 'awaiting_confirmation')
    const lineId = preview.lines[0]!.lineId
    await h.signal(confirmSignal, {
      actor: 'alice',
      fingerprint: preview.sourceFingerprint,
      edits: {
        descriptions: [{ lineId, description: 'Development <b>services</b>, October' }],
        addLines: [{ description: 'Travel', quantity: '1', unit: 'item', rate: '100.00', reason: 'agreed with the client' }],
      },
    })
    const second = await reach(h, 'awaiting_approval', (v) => v.pdfVersion === 2)
    expect(second.invoiceNumber).toBe(first.invoiceNumber)
    expect(second.preview!.lines.find((l) => l.lineId === lineId)!.description).toBe('Development <b>services</b>, October')

    const pdfs = await inv.db.invoicePdf.findMany({ where: { invoiceId: first.invoiceId! }, orderBy: { version: 'asc' } })
    expect(pdfs.map((p) => p.version)).toEqual([1, 2])
    expect(pdfs[0]!.sha256).not.toBe(pdfs[1]!.sha256)
    const lines = await inv.db.invoiceLineItem.findMany({ where: { invoiceId: first.invoiceId! } })
    expect(lines.some((l) => l.kind === 'manual' && l.manualReason === 'agreed with the client')).toBe(true)

    await h.signal(approveSignal, { actor: 'bob' })
    expect((await h.result()).invoiceNumber).toBe(first.invoiceNumber)
    await recordHistory(h, 'reject-edit-reconfirm')
  })

  it('cancel before numbering leaves no invoice; cancel after numbering keeps it void with its number', async () => {
    const early = await start(SAMPLE_DEALS.fixedMonthlyUzs)
    await reach(early, 'awaiting_confirmation')
    await early.signal(cancelSignal, { actor: 'alice', reason: 'wrong deal' })
    expect(await early.result()).toEqual({ state: 'cancelled', invoiceId: null, invoiceNumber: null })
    expect(await inv.db.invoice.count({ where: { workflowId: early.workflowId } })).toBe(0)

    const late = await start(SAMPLE_DEALS.fixedMonthlyUsdForeignUs)
    const preview = (await reach(late, 'awaiting_confirmation')).preview!
    await late.signal(confirmSignal, { actor: 'alice', fingerprint: preview.sourceFingerprint })
    const numbered = await reach(late, 'awaiting_approval')
    await late.signal(cancelSignal, { actor: 'bob', reason: 'client terminated the contract' })
    expect((await late.result()).state).toBe('cancelled')
    const invoice = await inv.db.invoice.findUniqueOrThrow({ where: { id: numbered.invoiceId! } })
    expect(invoice).toMatchObject({ state: 'cancelled', number: numbered.invoiceNumber, voidReason: 'client terminated the contract' })
    expect(invoice.voidedAt).not.toBeNull()
  })

  it('refuses a confirmation after the sync changed the data, and accepts it after a refresh', async () => {
    const h = await start(SAMPLE_DEALS.tmUsdProjectAndAccount)
    const before = (await reach(h, 'awaiting_confirmation')).preview!

    const deal = (await readDeal(inv.clickhouse.client, SAMPLE_DEALS.tmUsdProjectAndAccount))!
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

    await h.signal(confirmSignal, { actor: 'alice', fingerprint: before.sourceFingerprint })
    const stale = await waitFor(() => view(h), (v) => v.lastRefusal?.code === 'STALE_PREVIEW')
    expect(stale.state).toBe('awaiting_confirmation')
    expect(stale.lastRefusal!.message).toMatch(/source data changed/)

    await h.signal(refreshSignal, { actor: 'alice' })
    const refreshed = (await reach(h, 'awaiting_confirmation', (v) => v.preview!.sourceFingerprint !== before.sourceFingerprint)).preview!
    expect(refreshed.hours.raw).not.toBe(before.hours.raw)
    await h.signal(confirmSignal, { actor: 'alice', fingerprint: refreshed.sourceFingerprint })
    await reach(h, 'awaiting_approval')
    await h.signal(cancelSignal, { actor: 'alice', reason: 'test over' })
    await h.result()
  })

  it('parks an unknown deal in needs_attention with the reason, and cancels from there', async () => {
    const h = await start('APP-0000')
    const parked = await reach(h, 'needs_attention')
    expect(parked.attention).toMatchObject({ step: 'prefill', reason: expect.stringContaining('APP-0000') })
    await h.signal(cancelSignal, { actor: 'alice', reason: 'no such deal' })
    expect((await h.result()).state).toBe('cancelled')
    await recordHistory(h, 'needs-attention-cancel')
  })
})
