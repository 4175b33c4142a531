import { ActivityFailure, allHandlersFinished, ApplicationFailure, CancellationScope, condition, continueAsNew, isCancellation, patched, setHandler, uuid4, workflowInfo } from '@temporalio/workflow'
import type { InvoiceWorkflowSettings } from '../activities/invoice.js'
import type { PrefillOutcome } from '../activities/prefill.js'
import { applyEdits } from '../billing/apply-edits.js'
import { isBillingEditError } from '../billing/billing-edit-error.js'
import { Dec } from '../billing/decimal.js'
import { findUnstorableAmount } from '../billing/storable-amounts.js'
import type { InvoicePreview, PreviewEdits } from '../billing/types.js'
import { ERROR_TYPES } from '../lib/error-types.js'
import { parseBillingPeriod } from '../prefill/billing-period.js'
import { dispatchInvoice } from './dispatch-stage.js'
import { followPayment } from './payment-stage.js'
import { INVOICE_ACTIONS, type ActionInput, type InvoiceActionName } from './invoice-actions.js'
import { checkPreviewFreshness, finalizeInvoice, loadInvoiceSettings, prefillInvoice, remindApprovers, renderInvoicePdf } from './invoice-activities.js'
import { ACTION_UPDATES, awaitPrefillUpdate, getInvoiceQuery, type InvoiceOutcome, type StartInvoiceInput } from './invoice-contract.js'
import { InvoiceCancelled, InvoiceRun, type Problem, type TakenAction } from './invoice-run.js'
import { abandonOnCancel, createStepRunner } from './run-step.js'
import { HISTORY_EVENTS_BOUND, historyReachedBound, type BuyerWait, type ResumeStage } from './continue-as-new.js'
import { invoiceWorkflowV1 } from './v1/invoice-workflow-v1.js'

/** Runs started before actions became Updates take signals and finish on the code they started with. */
export const ACTIONS_AS_UPDATES_PATCH = 'actions-as-updates'
/** Runs delivered before payments were followed end `completed` at delivery, as they did. */
export const FOLLOW_PAYMENT_PATCH = 'follow-payment'
/** Runs from before it confirmed an invoice of nothing; from it on such a confirm is refused. */
export const REFUSE_NOTHING_TO_BILL_PATCH = 'refuse-nothing-to-bill'

/** Failures of the first prefill that mean the invoice cannot exist: the start is refused and the run ends. */
const START_REFUSALS: Record<string, string> = {
  [ERROR_TYPES.unknownDeal]: 'UNKNOWN_DEAL',
  [ERROR_TYPES.unknownCustomer]: 'UNKNOWN_CUSTOMER',
  [ERROR_TYPES.invalidInput]: 'INVALID_INPUT',
}

/**
 * One invoice from preview to delivery: prefilling -> awaiting_confirmation -> finalizing ->
 * awaiting_approval -> dispatching -> completed, or cancelled; needs_attention when a step fails
 * in a way retrying cannot fix. People act through Updates (invoice-contract.ts): each is
 * checked by its validator, again when the workflow acts on it, and answered with its outcome.
 */
export async function invoiceWorkflow(input: StartInvoiceInput): Promise<InvoiceOutcome> {
  if (!patched(ACTIONS_AS_UPDATES_PATCH)) return invoiceWorkflowV1(input)
  const run = new InvoiceRun(input)
  const { resume } = input
  let settings: InvoiceWorkflowSettings | null = resume?.settings ?? null
  let sources: Omit<PrefillOutcome, 'preview'> | undefined = resume?.sources
  if (resume) run.restore(resume.view)
  let startRefusal: Problem | { code: string; message: string } | null = null

  setHandler(getInvoiceQuery, () => run.view)
  for (const name of INVOICE_ACTIONS) {
    setHandler(ACTION_UPDATES[name] as never, ((action: unknown) => run.accept(name, action as ActionInput<typeof name>)) as never, {
      validator: (action: unknown) => run.validate(name, action),
    } as never)
  }
  setHandler(awaitPrefillUpdate, async () => {
    await condition(() => startRefusal !== null || run.state !== 'prefilling')
    if (startRefusal) throw ApplicationFailure.create({ type: startRefusal.code, message: startRefusal.message, nonRetryable: true })
    return { state: run.state, preview: run.view.preview, customerId: run.view.customerId }
  })
  run.setChecks((action, value) => checkAction(action, value))
  run.writeEventsForever()

  /** The workflow's own rules, on top of the input schema and the state (InvoiceRun.problemWith). */
  function checkAction<A extends InvoiceActionName>(action: A, value: ActionInput<A>): Problem | null {
    const { view } = run
    if (action === 'confirm') {
      const { fingerprint } = value as ActionInput<'confirm'>
      if (!view.preview) return { code: 'WRONG_STATE', message: 'there is no preview to confirm yet' }
      if (fingerprint !== view.preview.sourceFingerprint) {
        return { code: 'STALE_PREVIEW', message: 'the preview you confirmed is not the current one: reload it, check it, and confirm again' }
      }
      if (view.preview.errors.length > 0) return { code: 'PREVIEW_HAS_ERRORS', message: `the preview has blocking errors: ${view.preview.errors.map((e) => e.code).join(', ')}` }
    }
    if (action === 'approve' || action === 'reject') {
      const { pdfVersion, actor } = value as ActionInput<'approve'>
      if (pdfVersion !== view.pdfVersion) {
        return { code: 'STALE_PDF', message: `you opened PDF version ${pdfVersion}, the current one is ${view.pdfVersion ?? 'none'}: open the current version and decide again` }
      }
      if (action === 'approve' && settings?.makerChecker && actor === view.confirmedBy) {
        return { code: 'MAKER_CHECKER', message: `${actor} confirmed this invoice and may not also approve it (maker-checker): another approver must` }
      }
    }
    if (action === 'skip' && view.attention && !skippable(view.attention.step)) {
      return { code: 'NOT_SKIPPABLE', message: `step ${view.attention.step} cannot be skipped (only dispatch steps can): retry it or cancel the invoice` }
    }
    if (action === 'cancel') {
      const effects = Object.entries(view.dispatch)
        .filter(([, d]) => d.status === 'done')
        .map(([system, d]) => `${system}${d.externalId ? ` (${d.externalId})` : ''}`)
      // A delivery that failed may still have reached the buyer (an e-mail whose outcome is unknown).
      if (view.attention && DELIVERY_STEPS.includes(view.attention.step)) effects.push(`${view.attention.step} (perhaps: it failed with an unknown outcome)`)
      if (effects.length > 0) {
        return {
          code: 'EFFECTS_MADE',
          message: `the invoice already reached ${effects.join(', ')}: it can no longer be cancelled. Once it is delivered (retry or skip the step that needs attention), correct it with a credit note (POST /invoices/{id}/credit-notes) or void it (POST /invoices/{id}/void)`,
        }
      }
    }
    return null
  }

  const step = createStepRunner(run)
  const parsedPeriod = parseBillingPeriod(input.period)
  const period = 'period' in parsedPeriod ? parsedPeriod.period : null

  async function prefill(actor: string, first: boolean): Promise<void> {
    if (!period) throw new StartRefused('INVALID_INPUT', `period: ${'problem' in parsedPeriod ? parsedPeriod.problem : 'invalid'}`)
    await run.moveTo('prefilling', actor)
    const outcome = (await step('prefill', async () => {
      let prefilled: PrefillOutcome
      try {
        prefilled = await abandonOnCancel(run, () => prefillInvoice({ dealId: input.dealId, period, invoiceId: run.view.invoiceId }))
      } catch (err) {
        const type = failureType(err)
        if (first && START_REFUSALS[type]) throw new StartRefused(START_REFUSALS[type]!, err instanceof ActivityFailure ? (err.cause?.message ?? err.message) : String(err))
        throw err
      }
      // A figure no invoice column can hold (a mistyped rate, say) is for an operator to fix.
      const unstorable = findUnstorableAmount(prefilled.preview)
      if (unstorable) throw ApplicationFailure.nonRetryable(`the preview cannot be stored: ${unstorable}; correct the rate rules or the deal, then retry`, 'InvalidInput')
      return prefilled
    }))!
    sources = { deal: outcome.deal, customer: outcome.customer }
    run.view.customerId = outcome.customer.customerId
    run.view.preview = outcome.preview
  }

  async function awaitConfirmation(actor: string, resumed = false): Promise<{ preview: InvoicePreview; actor: string }> {
    if (!resumed) await run.moveTo('awaiting_confirmation', actor)
    for (;;) {
      await continueIfLong('awaiting_confirmation')
      const action = (await run.next(['refresh', 'confirm', 'cancel']))!
      if (action.name === 'refresh') {
        run.queueEvent('refresh_requested', action.input.actor)
        await prefill(action.input.actor, false)
        await run.moveTo('awaiting_confirmation', action.input.actor, { payload: { refreshed: true } })
        continue
      }
      const confirm = action as TakenAction<'confirm'>
      const preview = run.view.preview!
      let edited: InvoicePreview
      try {
        edited = confirm.input.edits ? applyEdits(preview, confirm.input.edits as PreviewEdits) : preview
      } catch (err) {
        if (!isBillingEditError(err)) throw err
        run.refuse(confirm, { code: 'INVALID_EDIT', message: `edits.${err.field}: ${err.message}` })
        continue
      }
      const unstorable = findUnstorableAmount(edited)
      if (unstorable) {
        run.refuse(confirm, { code: 'INVALID_EDIT', message: `edits: ${unstorable}` })
        continue
      }
      let freshness
      try {
        freshness = await checkPreviewFreshness({ dealId: input.dealId, period: period!, invoiceId: run.view.invoiceId, fingerprint: preview.sourceFingerprint })
      } catch (err) {
        if (!(err instanceof ActivityFailure)) throw err
        // The sources cannot be read as they were (the deal is gone, a row is malformed): not what was seen.
        run.refuse(confirm, { code: 'STALE_PREVIEW', message: `the sources cannot be checked against this preview (${err.cause?.message ?? err.message}): refresh it, check it, and confirm again` })
        continue
      }
      if (!freshness.fresh) {
        run.refuse(confirm, { code: 'STALE_PREVIEW', message: 'the source data changed since this preview was computed: refresh it, check it, and confirm again' })
        continue
      }
      // An invoice of nothing would take a number and then park at finalize: refuse it here (after
      // the freshness check: a stale preview is refreshed first, it may bill something now).
      if (patched(REFUSE_NOTHING_TO_BILL_PATCH) && (edited.lines.length === 0 || Dec(edited.total).isZero())) {
        const what = edited.lines.length === 0 ? 'no lines are left' : `its total is ${edited.total} ${edited.currency}`
        run.refuse(confirm, { code: 'NOTHING_TO_BILL', message: `the invoice would bill nothing (${what}): keep or add a line, or cancel the invoice` })
        continue
      }
      return { preview: edited, actor: confirm.input.actor }
    }
  }

  /** Finalizes and renders; 'stale' when the work changed since the confirmation (asked again). */
  async function finalize(confirmed: { preview: InvoicePreview; actor: string }): Promise<'finalized' | 'stale'> {
    const previous = { preview: run.view.preview, confirmedBy: run.view.confirmedBy }
    run.view.preview = confirmed.preview
    run.view.confirmedBy = confirmed.actor
    run.view.approvedBy = null
    run.view.invoiceId ??= uuid4()
    await run.moveTo('finalizing', confirmed.actor, { payload: { total: confirmed.preview.total, currency: confirmed.preview.currency } })
    const finalized = (await step('finalize', () =>
      finalizeInvoice({
        invoiceId: run.view.invoiceId!,
        workflowId: workflowInfo().workflowId,
        workflowRunId: workflowInfo().runId,
        preview: confirmed.preview,
        buyer: sources!.customer,
        deal: sources!.deal,
        confirmedBy: confirmed.actor,
        confirmedAt: new Date().toISOString(),
        eventKey: run.event('finalized', confirmed.actor).idempotencyKey,
        staleAsResult: true,
      }),
    ))!
    if ('stale' in finalized) {
      // Between the freshness check and the write, a sync or another invoice changed the work.
      run.refuseInProgress({ code: 'STALE_PREVIEW', message: `${finalized.reason}: the preview is refreshed; check it and confirm again` })
      run.view.preview = previous.preview
      run.view.confirmedBy = previous.confirmedBy
      await prefill('system', false)
      return 'stale'
    }
    run.view.invoiceNumber = finalized.number
    run.publish()
    run.takeCancel()
    const version = (run.view.pdfVersion ?? 0) + 1
    // Rendering is idempotent and reaches no one: a cancel need not wait for it (Gotenberg down).
    const stored = (await step('render_pdf', () => abandonOnCancel(run, () => renderInvoicePdf({ invoiceId: run.view.invoiceId!, version, event: run.event('pdf_rendered', 'system', { version }) }))))!
    run.view.pdfVersion = stored.version
    run.takeCancel()
    return 'finalized'
  }

  async function awaitApproval(resumed = false): Promise<'approved' | 'rejected'> {
    if (!resumed) await run.moveTo('awaiting_approval', 'system', { payload: { number: run.view.invoiceNumber, pdfVersion: run.view.pdfVersion } })
    for (;;) {
      await continueIfLong('awaiting_approval')
      const action = await run.next(['approve', 'reject', 'cancel'], settings!.approvalReminderMs)
      if (!action) {
        await remindApprovers({ event: run.event('approval_reminder', 'system', { number: run.view.invoiceNumber }) })
        continue
      }
      const { actor } = action.input
      if (action.name === 'reject') {
        run.queueEvent('rejected', actor, { reason: (action as TakenAction<'reject'>).input.reason, pdfVersion: run.view.pdfVersion })
        return 'rejected'
      }
      run.view.approvedBy = actor
      await run.moveTo('dispatching', actor, { approvedBy: actor, payload: { approved: true, pdfVersion: run.view.pdfVersion } })
      return 'approved'
    }
  }

  async function cancelInvoice(action: TakenAction<'cancel'>): Promise<void> {
    run.startCancel(action)
    const { reason, actor } = action.input
    run.view.cancelReason = reason
    run.view.attention = null
    // A numbered invoice stays, marked void: its number is consumed and never reused.
    await run.moveTo('cancelled', actor, { payload: { reason }, ...(run.view.invoiceNumber ? { voidReason: reason } : {}) })
  }

  /**
   * At a long wait: once the history reached its bound, the run continues as new with its state
   * (continue-as-new.ts). Not while an action waits or an event is unwritten: the wait takes the
   * action first and looks again at its next turn.
   */
  async function continueIfLong(stage: ResumeStage, buyer?: BuyerWait): Promise<void> {
    if (!historyReachedBound(settings?.historyEventsBound ?? HISTORY_EVENTS_BOUND)) return
    await condition(() => run.hasWaitingActions || (run.quiet && allHandlersFinished()))
    if (run.hasWaitingActions) return
    const info = workflowInfo()
    await continueAsNew<typeof invoiceWorkflow>({
      dealId: input.dealId,
      period: input.period,
      startedBy: input.startedBy,
      resume: { stage, view: run.view, settings: settings!, sources: sources!, ...(buyer ? { buyer } : {}), previousRunId: info.runId, runsBefore: (resume?.runsBefore ?? 0) + 1 },
    })
  }

  async function finish(state: InvoiceOutcome['state']): Promise<InvoiceOutcome> {
    await run.finish()
    await condition(allHandlersFinished)
    return { state, invoiceId: run.view.invoiceId, invoiceNumber: run.view.invoiceNumber }
  }

  try {
    if (resume) {
      await run.continuedFrom(resume.previousRunId, resume.runsBefore)
    } else {
      await prefill(input.startedBy, true)
      settings = (await step('settings', () => loadInvoiceSettings()))!
    }
    const stage = resume?.stage
    if (stage !== 'awaiting_buyer' && stage !== 'following_payment') {
      // Confirmed and finalized, then approved; a stale finalize or a rejection asks again.
      let approving = stage === 'awaiting_approval'
      let resumed = stage !== undefined
      for (;;) {
        if (!approving) approving = (await finalize(await awaitConfirmation('system', resumed))) === 'finalized'
        else if ((await awaitApproval(resumed)) === 'approved') break
        else approving = false
        resumed = false
      }
    }
    if (stage !== 'following_payment') {
      const buyer = sources!.customer
      const eInvoice = buyer.eInvoicing && buyer.tin !== null && run.view.preview!.currency === 'UZS'
      await dispatchInvoice(run, step, {
        delivery: eInvoice ? 'didox' : 'email',
        didoxPollIntervalMs: settings!.didoxPollIntervalMs,
        ...(resume?.buyer ? { resumeBuyer: resume.buyer } : {}),
        continueIfLong: (wait) => continueIfLong('awaiting_buyer', wait),
      })
      if (!patched(FOLLOW_PAYMENT_PATCH)) {
        await run.moveTo('completed', 'system')
        return await finish('completed')
      }
    }
    const end = await followPayment(run, step, {
      checkIntervalMs: settings!.paymentCheckMs ?? 6 * 3_600_000,
      reminderDays: settings!.paymentReminderDays ?? [3, 10, 30],
      continueIfLong: () => continueIfLong('following_payment'),
    })
    return await finish(end)
  } catch (err) {
    if (err instanceof InvoiceCancelled) {
      await cancelInvoice(err.action)
      return await finish('cancelled')
    }
    if (err instanceof StartRefused) {
      startRefusal = { code: err.code, message: err.message }
      run.view.cancelReason = err.message
      await run.moveTo('cancelled', 'system', { payload: { reason: err.message, code: err.code } })
      return await finish('cancelled')
    }
    if (isCancellation(err)) {
      // Cancelled from Temporal itself (Temporal Web, the CLI): recorded like a person's cancel.
      return await CancellationScope.nonCancellable(async () => {
        const reason = 'the workflow was cancelled in Temporal'
        run.view.cancelReason = reason
        run.view.attention = null
        await run.moveTo('cancelled', 'temporal', { payload: { reason }, ...(run.view.invoiceNumber ? { voidReason: reason } : {}) })
        return await finish('cancelled')
      })
    }
    throw err
  }
}

function failureType(err: unknown): string {
  return err instanceof ActivityFailure && err.cause instanceof ApplicationFailure ? (err.cause.type ?? '') : ''
}

/** Dispatch steps that deliver the invoice to the buyer. */
const DELIVERY_STEPS = ['email', 'didox', 'didox_acceptance']

/** The first prefill found that the invoice cannot exist (unknown deal or customer, bad period). */
class StartRefused extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message)
    this.name = 'StartRefused'
  }
}

/** Steps an operator may skip: those after approval. Prefill, settings, finalize and the PDF may not. */
function skippable(stepName: string): boolean {
  return !['prefill', 'settings', 'finalize', 'render_pdf'].includes(stepName)
}
