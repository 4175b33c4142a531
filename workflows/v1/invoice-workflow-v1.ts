import { ApplicationFailure, setHandler, uuid4, workflowInfo } from '@temporalio/workflow'
import type { PrefillOutcome } from '../../activities/prefill.js'
import type { FinalizedInvoice } from '../../db/finalize-invoice.js'
import type { InvoiceWorkflowSettings } from '../../activities/invoice.js'
import { applyEdits } from '../../billing/apply-edits.js'
import { isBillingEditError } from '../../billing/billing-edit-error.js'
import type { InvoicePreview, PreviewEdits } from '../../billing/types.js'
import { parseBillingPeriod } from '../../prefill/billing-period.js'
import { clickhouse, database, pdf } from './activity-proxies.js'
import {
  approveSignal,
  cancelSignal,
  confirmSignal,
  getInvoiceQuery,
  refreshSignal,
  rejectSignal,
  retrySignal,
  skipSignal,
  type InvoiceOutcome,
  type StartInvoiceInput,
} from './contract.js'
import { dispatchInvoice } from './dispatch-stage.js'
import { InvoiceRun, type ReceivedSignal } from './invoice-run.js'
import { CANCELLED, createStepRunner } from './run-step.js'


/**
 * One invoice from preview to delivery: prefill -> awaiting_confirmation -> finalizing ->
 * awaiting_approval -> dispatching -> completed (or cancelled; needs_attention when a step
 * fails in a way retrying cannot fix). See invoice-contract.ts for signals and the query.
 */
export async function invoiceWorkflowV1(input: StartInvoiceInput): Promise<InvoiceOutcome> {
  const parsed = parseBillingPeriod(input.period)
  if ('problem' in parsed) throw ApplicationFailure.nonRetryable(parsed.problem, 'InvalidInput')
  const period = parsed.period
  const run = new InvoiceRun(input)
  let sources: Omit<PrefillOutcome, 'preview'> | undefined
  let pdfVersion = 0

  setHandler(getInvoiceQuery, () => run.view)
  void run.writeEventsForever()
  run.upsertSearchAttributes()
  run.queueEvent('started', input.startedBy, { dealId: input.dealId, period: input.period })
  // Signals sent meanwhile are buffered by Temporal until their handlers are set below.
  const settings: InvoiceWorkflowSettings = await database.loadInvoiceSettings()
  setHandler(refreshSignal, ({ actor }) => run.receive({ name: 'refresh', actor, payload: {} }))
  setHandler(confirmSignal, ({ actor, fingerprint, edits }) =>
    run.receive({ name: 'confirm', actor, payload: { fingerprint, edits } }, () => {
      const preview = run.view.preview
      if (!preview) return { code: 'WRONG_STATE', message: 'there is no preview to confirm yet' }
      if (fingerprint !== preview.sourceFingerprint) {
        return { code: 'STALE_PREVIEW', message: 'the preview you confirmed is not the current one: reload it, check it, and confirm again' }
      }
      if (preview.errors.length > 0) {
        return { code: 'PREVIEW_HAS_ERRORS', message: `the preview has blocking errors: ${preview.errors.map((e) => e.code).join(', ')}` }
      }
      return null
    }),
  )
  setHandler(approveSignal, ({ actor }) =>
    run.receive({ name: 'approve', actor, payload: {} }, () =>
      settings.makerChecker && actor === run.view.confirmedBy
        ? { code: 'MAKER_CHECKER', message: `${actor} confirmed this invoice and may not also approve it` }
        : null,
    ),
  )
  setHandler(rejectSignal, ({ actor, reason }) => run.receive({ name: 'reject', actor, payload: { reason } }, () => requireReason(reason)))
  setHandler(cancelSignal, ({ actor, reason }) => run.receive({ name: 'cancel', actor, payload: { reason } }, () => requireReason(reason)))
  setHandler(retrySignal, ({ actor }) => run.receive({ name: 'retry', actor, payload: {} }))
  setHandler(skipSignal, ({ actor, reason }) =>
    run.receive({ name: 'skip', actor, payload: { reason } }, () =>
      requireReason(reason) ?? (run.view.attention && !skippable(run.view.attention.step) ? { code: 'NOT_SKIPPABLE', message: `step ${run.view.attention.step} cannot be skipped` } : null),
    ),
  )


  async function cancelInvoice(signal: ReceivedSignal): Promise<typeof CANCELLED> {
    const reason = String(signal.payload.reason)
    run.view.cancelReason = reason
    // A numbered invoice stays, marked void: its number is consumed and never reused.
    await run.moveTo('cancelled', signal.actor, { payload: { reason }, ...(run.view.invoiceNumber ? { voidReason: reason } : {}) })
    return CANCELLED
  }
  const step = createStepRunner(run, cancelInvoice)

  async function prefill(): Promise<boolean> {
    run.view.state = 'prefilling'
    const outcome = await step('prefill', () => clickhouse.prefillInvoice({ dealId: input.dealId, period }))
    if (outcome === CANCELLED) return false
    if (!outcome) return prefill() // prefill cannot be skipped; the skip signal is refused before it gets here
    sources = { deal: outcome.deal, customer: outcome.customer }
    run.view.customerId = outcome.customer.customerId
    run.view.preview = outcome.preview
    return true
  }

  async function awaitConfirmation(): Promise<{ preview: InvoicePreview; actor: string } | typeof CANCELLED> {
    await run.moveTo('awaiting_confirmation', 'system')
    for (;;) {
      const signal = (await run.next(['refresh', 'confirm', 'cancel']))!
      if (signal.name === 'cancel') return cancelInvoice(signal)
      if (signal.name === 'refresh') {
        run.queueEvent('refresh_requested', signal.actor)
        if (!(await prefill())) return CANCELLED
        await run.moveTo('awaiting_confirmation', signal.actor, { payload: { refreshed: true } })
        continue
      }
      const preview = run.view.preview!
      let edited: InvoicePreview
      try {
        edited = signal.payload.edits ? applyEdits(preview, signal.payload.edits as PreviewEdits) : preview
      } catch (err) {
        if (!isBillingEditError(err)) throw err
        run.refuse(signal, 'INVALID_EDIT', `${err.field}: ${err.message}`)
        continue
      }
      const freshness = await clickhouse.checkPreviewFreshness({ dealId: input.dealId, period, fingerprint: preview.sourceFingerprint })
      if (!freshness.fresh) {
        run.refuse(signal, 'STALE_PREVIEW', 'the source data changed since this preview was computed: refresh it, check it, and confirm again')
        continue
      }
      return { preview: edited, actor: signal.actor }
    }
  }

  async function finalize(confirmed: { preview: InvoicePreview; actor: string }): Promise<boolean> {
    run.view.preview = confirmed.preview
    run.view.confirmedBy = confirmed.actor
    run.view.approvedBy = null
    run.view.invoiceId ??= uuid4()
    await run.moveTo('finalizing', confirmed.actor, { payload: { total: confirmed.preview.total, currency: confirmed.preview.currency } })
    const finalized = await step('finalize', () =>
      pdf.finalizeInvoice({
        invoiceId: run.view.invoiceId!,
        workflowId: workflowInfo().workflowId,
        workflowRunId: workflowInfo().runId,
        preview: confirmed.preview,
        buyer: sources!.customer,
        deal: sources!.deal,
        confirmedBy: confirmed.actor,
        confirmedAt: new Date().toISOString(),
        eventKey: run.event('finalized', confirmed.actor).idempotencyKey,
      }),
    )
    if (finalized === CANCELLED) return false
    // The activity throws instead of answering stale to this code (no staleAsResult).
    run.view.invoiceNumber = (finalized as FinalizedInvoice | undefined)?.number ?? run.view.invoiceNumber
    run.upsertSearchAttributes()
    pdfVersion += 1
    const version = pdfVersion
    const stored = await step('render_pdf', () =>
      pdf.renderInvoicePdf({ invoiceId: run.view.invoiceId!, version, event: run.event('pdf_rendered', 'system', { version }) }),
    )
    if (stored === CANCELLED) return false
    if (stored) run.view.pdfVersion = stored.version
    return true
  }

  async function awaitApproval(): Promise<'approved' | 'rejected' | typeof CANCELLED> {
    await run.moveTo('awaiting_approval', 'system', { payload: { number: run.view.invoiceNumber, pdfVersion: run.view.pdfVersion } })
    for (;;) {
      const signal = await run.next(['approve', 'reject', 'cancel'], settings.approvalReminderMs)
      if (!signal) {
        await database.remindApprovers({ event: run.event('approval_reminder', 'system', { number: run.view.invoiceNumber }) })
        continue
      }
      if (signal.name === 'cancel') return cancelInvoice(signal)
      if (signal.name === 'reject') {
        run.view.lastRefusal = null
        run.queueEvent('rejected', signal.actor, { reason: signal.payload.reason })
        return 'rejected'
      }
      if (settings.makerChecker && signal.actor === run.view.confirmedBy) {
        run.refuse(signal, 'MAKER_CHECKER', `${signal.actor} confirmed this invoice and may not also approve it`)
        continue
      }
      run.view.approvedBy = signal.actor
      await run.moveTo('dispatching', signal.actor, { approvedBy: signal.actor, payload: { approved: true } })
      return 'approved'
    }
  }

  const finish = async (state: 'completed' | 'cancelled'): Promise<InvoiceOutcome> => {
    await run.drainEvents()
    return { state, invoiceId: run.view.invoiceId, invoiceNumber: run.view.invoiceNumber }
  }

  if (!(await prefill())) return finish('cancelled')
  for (;;) {
    const confirmed = await awaitConfirmation()
    if (confirmed === CANCELLED) return finish('cancelled')
    if (!(await finalize(confirmed))) return finish('cancelled')
    const decision = await awaitApproval()
    if (decision === CANCELLED) return finish('cancelled')
    if (decision === 'approved') break
  }
  const buyer = sources!.customer
  const eInvoice = buyer.eInvoicing && buyer.tin !== null && run.view.preview!.currency === 'UZS'
  const plan = { delivery: eInvoice ? ('didox' as const) : ('email' as const), didoxPollIntervalMs: settings.didoxPollIntervalMs }
  if ((await dispatchInvoice(run, step, plan)) === CANCELLED) return finish('cancelled')
  await run.moveTo('completed', 'system')
  return finish('completed')
}

function requireReason(reason: unknown): { code: string; message: string } | null {
  return typeof reason === 'string' && reason.trim() !== '' ? null : { code: 'INVALID_INPUT', message: 'a reason is required' }
}

/** Steps an operator may skip: those after approval. Prefill, finalize and the PDF may not. */
function skippable(stepName: string): boolean {
  return !['prefill', 'finalize', 'render_pdf'].includes(stepName)
}

