import { ActivityFailure, allHandlersFinished, ApplicationFailure, condition, getExternalWorkflowHandle, isCancellation, CancellationScope, log, setHandler, sleep } from '@temporalio/workflow'
import type { DispatchResult } from '../activities/dispatch.js'
import type { InvoiceWorkflowSettings } from '../activities/invoice.js'
import { CREDIT_NOTE_ACTIONS } from '../credit-notes/credit-note-schemas.js'
import { awaitBuyer, startBuyerWait } from './dispatch-stage.js'
import {
  bookCreditNoteInPlanFact,
  correctDidoxInvoice,
  createCreditNoteDraft,
  finalizeCreditNote,
  renderCreditNotePdf,
  sendCreditNoteEmail,
  uploadCreditNotePdfToR2,
} from './credit-note-activities.js'
import { awaitDraftUpdate, getCreditNoteQuery, type CreditNoteResult, type StartCreditNoteInput } from './credit-note-contract.js'
import { CreditNoteRun } from './credit-note-run.js'
import type { ActionInput, InvoiceActionName } from './invoice-actions.js'
import { EXTERNAL_CALL_OPTIONS, loadInvoiceSettings, readDidoxStatus, remindApprovers } from './invoice-activities.js'
import { ACTION_UPDATES, creditNoteChangedSignal } from './invoice-contract.js'
import { InvoiceCancelled, type Problem, type TakenAction } from './invoice-run.js'
import { createStepRunner, type StepAttempt } from './run-step.js'

/** Failures of the draft that mean the credit note cannot exist: the start is refused and the run ends. */
const DRAFT_REFUSALS = ['INVALID_CREDIT_NOTE', 'CREDIT_EXCEEDS_INVOICE', 'WRONG_STATE']

/**
 * One credit note of a delivered invoice (docs/workflow.md, "After delivery"): drafted from the
 * invoice -> the accountant confirms -> numbered in its own series, PDF -> another person
 * approves (maker-checker) -> booked in PlanFact, stored in R2, delivered the way the invoice
 * was (e-mail, or Didox: the ESF cancelled, corrected or added to) -> completed. A void also
 * marks the invoice void (its worklogs released) when approved. The invoice's workflow is told
 * at approval and at the end, so what it says is due follows.
 */
export async function creditNoteWorkflow(input: StartCreditNoteInput): Promise<CreditNoteResult> {
  const run = new CreditNoteRun(input)
  let settings: InvoiceWorkflowSettings | null = null
  let refusal: { code: string; message: string } | null = null

  setHandler(getCreditNoteQuery, () => run.details())
  for (const name of CREDIT_NOTE_ACTIONS) {
    setHandler(ACTION_UPDATES[name] as never, ((action: unknown) => run.accept(name, action as ActionInput<typeof name>)) as never, {
      validator: (action: unknown) => run.validate(name, action),
    } as never)
  }
  setHandler(awaitDraftUpdate, async () => {
    await condition(() => refusal !== null || run.state !== 'prefilling')
    if (refusal) throw ApplicationFailure.create({ type: refusal.code, message: refusal.message, nonRetryable: true })
    return run.details()
  })
  run.setChecks((action, value) => checkAction(action, value))
  run.writeEventsForever()

  function checkAction<A extends InvoiceActionName>(action: A, value: ActionInput<A>): Problem | null {
    const { view, note } = run
    if (action === 'confirm' && (value as ActionInput<'confirm'>).fingerprint !== note.fingerprint) {
      return { code: 'STALE_PREVIEW', message: 'the credit note you confirmed is not this one: reload it, check it, and confirm again' }
    }
    if (action === 'approve' || action === 'reject') {
      const { pdfVersion, actor } = value as ActionInput<'approve'>
      if (pdfVersion !== view.pdfVersion) return { code: 'STALE_PDF', message: `you opened PDF version ${pdfVersion}, the current one is ${view.pdfVersion ?? 'none'}: open the current version and decide again` }
      if (action === 'approve' && settings?.makerChecker && actor === view.confirmedBy) {
        return { code: 'MAKER_CHECKER', message: `${actor} confirmed this credit note and may not also approve it (maker-checker): another approver must` }
      }
    }
    if (action === 'skip' && view.attention && ['finalize', 'render_pdf', 'settings'].includes(view.attention.step)) {
      return { code: 'NOT_SKIPPABLE', message: `step ${view.attention.step} cannot be skipped (only dispatch steps can): retry it or cancel the credit note` }
    }
    if (action === 'cancel') {
      const effects = Object.entries(view.dispatch).filter(([, d]) => d.status === 'done').map(([system, d]) => `${system}${d.externalId ? ` (${d.externalId})` : ''}`)
      if (view.approvedBy) effects.unshift('approval (the credit note counts against the invoice)')
      if (effects.length > 0) return { code: 'EFFECTS_MADE', message: `the credit note already took effect: ${effects.join(', ')}; it can no longer be cancelled: a further credit note cannot undo it either, so correct it with a new invoice` }
    }
    return null
  }

  const step = createStepRunner(run)
  const creditNoteId = input.creditNoteId

  /** Tells the invoice's workflow that what is due changed; a run that has ended has nothing to follow. */
  async function tellInvoice(state: string): Promise<void> {
    try {
      await getExternalWorkflowHandle(input.invoice.workflowId).signal(creditNoteChangedSignal, { creditNoteId, state })
    } catch (err) {
      log.info('invoice workflow not told (it has ended)', { invoiceId: input.invoice.invoiceId, error: err instanceof Error ? err.message : String(err) })
    }
  }

  async function draft(): Promise<void> {
    try {
      const drafted = await createCreditNoteDraft({ ...input, workflowId: run.view.workflowId })
      Object.assign(run.note, { figures: drafted.figures, fingerprint: drafted.fingerprint, currency: drafted.currency, delivery: drafted.delivery })
    } catch (err) {
      const type = err instanceof ActivityFailure && err.cause instanceof ApplicationFailure ? (err.cause.type ?? '') : ''
      if (!DRAFT_REFUSALS.includes(type)) throw err
      refusal = { code: type, message: err instanceof ActivityFailure ? (err.cause?.message ?? err.message) : String(err) }
      throw new DraftRefused()
    }
  }

  async function awaitConfirmation(): Promise<TakenAction<'confirm'>> {
    await run.moveTo('awaiting_confirmation', 'system')
    return (await run.next(['confirm', 'cancel'])) as TakenAction<'confirm'>
  }

  /** Numbers it (refused when other credit notes took what was left meanwhile) and renders the next PDF version. */
  async function finalize(confirm: TakenAction<'confirm'>): Promise<'finalized' | 'refused'> {
    const previousConfirmer = run.view.confirmedBy
    run.view.confirmedBy = confirm.input.actor
    run.view.approvedBy = null
    await run.moveTo('finalizing', confirm.input.actor, { payload: { total: run.note.figures!.total } })
    const numbered = (await step('finalize', () => finalizeCreditNote({ creditNoteId, confirmedBy: confirm.input.actor, confirmedAt: new Date().toISOString(), event: run.event('finalized', confirm.input.actor) })))!
    if ('exceeds' in numbered) {
      run.view.confirmedBy = previousConfirmer
      run.refuseInProgress({ code: 'CREDIT_EXCEEDS_INVOICE', message: `${numbered.exceeds}${run.note.kind === 'void' ? '' : ': cancel this credit note'}` })
      return 'refused'
    }
    run.note.number = numbered.number
    run.publish()
    run.takeCancel()
    const version = (run.view.pdfVersion ?? 0) + 1
    const stored = (await step('render_pdf', () => renderCreditNotePdf({ creditNoteId, version, event: run.event('pdf_rendered', 'system', { version }) })))!
    run.view.pdfVersion = stored.version
    run.takeCancel()
    return 'finalized'
  }

  async function awaitApproval(): Promise<'approved' | 'rejected'> {
    await run.moveTo('awaiting_approval', 'system', { payload: { pdfVersion: run.view.pdfVersion } })
    for (;;) {
      const action = await run.next(['approve', 'reject', 'cancel'], settings!.approvalReminderMs)
      if (!action) {
        await remindApprovers({ event: run.event('approval_reminder', 'system') })
        continue
      }
      if (action.name === 'reject') {
        run.queueEvent('rejected', action.input.actor, { reason: (action as TakenAction<'reject'>).input.reason, pdfVersion: run.view.pdfVersion })
        return 'rejected'
      }
      run.view.approvedBy = action.input.actor
      // The transition records the approval, and a void's invoice is marked void with it.
      await run.moveTo('dispatching', action.input.actor, { approvedBy: action.input.actor, payload: { approved: true, pdfVersion: run.view.pdfVersion } })
      return 'approved'
    }
  }

  async function dispatch(): Promise<void> {
    const label = `${run.note.number}, PDF v${run.view.pdfVersion}`
    const options = (summary: string) => ({ ...EXTERNAL_CALL_OPTIONS, summary: `${summary}: ${label}` })
    const record = async (name: string, result: DispatchResult | undefined) => {
      run.view.dispatch[name] = result ? { status: 'done', externalId: result.externalId, detail: result.detail } : { status: 'skipped' }
      await run.recordWithView(result ? `${name}_done` : `${name}_skipped`, 'system', result ? { externalId: result.externalId, detail: result.detail } : {})
    }
    await record('planfact', await step('planfact', () => bookCreditNoteInPlanFact.executeWithOptions(options('Correct the booking in PlanFact'), [{ creditNoteId }])))
    await record('r2', await step('r2', () => uploadCreditNotePdfToR2.executeWithOptions(options('Store the PDF in R2'), [{ creditNoteId }])))
    if (run.note.delivery === 'email') {
      const deliver = ({ operatorRetry }: StepAttempt) => sendCreditNoteEmail.executeWithOptions(options('E-mail to the billing contacts'), [{ creditNoteId, ...(operatorRetry ? { resendUncertain: operatorRetry } : {}) }])
      await record('email', await step('email', deliver))
      return
    }
    const didox = await step('didox', () => correctDidoxInvoice.executeWithOptions(options('Correct the e-invoice in Didox'), [{ creditNoteId }]))
    await record('didox', didox)
    if (!didox) return
    if (didox.mode === 'cancel') await record('didox_cancellation', await step('didox_cancellation', () => awaitDeleted(didox.externalId, settings!.didoxPollIntervalMs)))
    else await record('didox_acceptance', await step('didox_acceptance', () => awaitBuyer(run, startBuyerWait(didox.externalId, settings!.didoxPollIntervalMs), settings!)))
  }

  /** A cancelled ESF is gone once Didox shows it deleted (a person signs the deletion when no signer is configured). */
  async function awaitDeleted(documentId: string, pollIntervalMs: number): Promise<DispatchResult> {
    let interval = pollIntervalMs
    for (;;) {
      const status = await readDidoxStatus({ documentId })
      if (status.meaning === 'deleted' || status.code === 50) return { externalId: documentId, detail: `cancelled (Didox status ${status.code})` }
      if (status.meaning === 'accepted' || status.meaning === 'rejected') {
        throw ApplicationFailure.nonRetryable(`the buyer answered e-invoice ${documentId} (${status.meaning}) before its cancellation was signed: skip this step and issue a further credit note`, 'DidoxDocumentRefused')
      }
      await sleep(interval)
      interval = Math.min(interval * 2, Math.max(pollIntervalMs, 6 * 3_600_000))
    }
  }

  async function finish(state: 'completed' | 'cancelled'): Promise<CreditNoteResult> {
    await run.finish()
    await condition(allHandlersFinished)
    return { state, creditNoteId, number: run.note.number }
  }

  try {
    await draft()
    settings = (await step('settings', () => loadInvoiceSettings()))!
    for (;;) {
      if ((await finalize(await awaitConfirmation())) === 'finalized' && (await awaitApproval()) === 'approved') break
    }
    await tellInvoice('approved')
    await dispatch()
    await run.moveTo('completed', 'system')
    await tellInvoice('completed')
    return await finish('completed')
  } catch (err) {
    if (err instanceof DraftRefused) {
      run.view.cancelReason = refusal!.message
      return await finish('cancelled')
    }
    const cancel = err instanceof InvoiceCancelled ? err.action : null
    if (cancel || isCancellation(err)) {
      return await CancellationScope.nonCancellable(async () => {
        if (cancel) run.startCancel(cancel)
        const reason = cancel ? cancel.input.reason : 'the workflow was cancelled in Temporal'
        run.view.cancelReason = reason
        run.view.attention = null
        await run.moveTo('cancelled', cancel ? cancel.input.actor : 'temporal', { payload: { reason } })
        return await finish('cancelled')
      })
    }
    throw err
  }
}

/** The draft found that the credit note cannot exist (nothing left to credit, an unknown line, ...). */
class DraftRefused extends Error {
  constructor() {
    super('draft refused')
    this.name = 'DraftRefused'
  }
}
