import { ApplicationFailure, patched, sleep } from '@temporalio/workflow'
import type { DispatchResult } from '../activities/dispatch.js'
import { createDidoxDraft, EXTERNAL_CALL_OPTIONS, readDidoxStatus, sendInvoiceEmail, syncPlanFact, uploadPdfToR2 } from './invoice-activities.js'
import type { InvoiceRun } from './invoice-run.js'
import type { StepAttempt, StepRunner } from './run-step.js'
import type { BuyerWait } from './continue-as-new.js'

export interface DispatchPlan {
  /** Deliver through Didox (buyer with a TIN, e-invoicing on, invoice in UZS), else by e-mail. */
  delivery: 'didox' | 'email'
  didoxPollIntervalMs: number
  /** A continued run: PlanFact, R2 and the draft are done, the buyer's answer is awaited from here. */
  resumeBuyer?: BuyerWait
  /** Between two polls: continues the run as new once its history is long (continue-as-new.ts). */
  continueIfLong?: (wait: BuyerWait) => Promise<void>
}

/** Didox statuses after which the buyer's answer is final. */
const DIDOX_ACCEPTED = ['accepted', 'signed_by_agent']
const DIDOX_REFUSED = ['rejected', 'deleted', 'invalid', 'annulled']

/**
 * After approval, each effect once: book in PlanFact, copy the PDF to R2, deliver (Didox, then
 * wait for the buyer's answer; or e-mail). Each step is idempotent in its activity; one that
 * fails permanently parks the invoice in needs_attention (retry / skip; cancel only while
 * nothing has reached an external system). Results are recorded as events with the external id
 * and shown in the view's `dispatch`. Each activity carries a summary for Temporal Web.
 */
export async function dispatchInvoice(run: InvoiceRun, step: StepRunner, plan: DispatchPlan): Promise<void> {
  const invoiceId = run.view.invoiceId!
  const label = `${run.view.invoiceNumber ?? invoiceId}, PDF v${run.view.pdfVersion ?? '?'}`
  const withSummary = (summary: string) => ({ ...EXTERNAL_CALL_OPTIONS, summary: `${summary}: ${label}` })
  const record = async (name: string, result: DispatchResult | undefined) => {
    run.view.dispatch[name] = result ? { status: 'done', externalId: result.externalId, detail: result.detail } : { status: 'skipped' }
    await run.recordWithView(result ? `${name}_done` : `${name}_skipped`, 'system', result ? { externalId: result.externalId, detail: result.detail } : {})
  }
  type Step = [string, (attempt: StepAttempt) => Promise<DispatchResult>]
  const deliver: Step =
    plan.delivery === 'didox'
      ? ['didox', () => createDidoxDraft.executeWithOptions(withSummary('Didox e-invoice'), [{ invoiceId }])]
      : [
          'email',
          ({ operatorRetry }) => sendInvoiceEmail.executeWithOptions(withSummary('E-mail to the billing contacts'), [{ invoiceId, ...(operatorRetry ? { resendUncertain: operatorRetry } : {}) }]),
        ]
  const steps: Step[] = [
    ['planfact', () => syncPlanFact.executeWithOptions(withSummary('Book in PlanFact'), [{ invoiceId }])],
    ['r2', () => uploadPdfToR2.executeWithOptions(withSummary('Store the PDF in R2'), [{ invoiceId }])],
    deliver,
  ]
  if (!plan.resumeBuyer) for (const [name, body] of steps) await record(name, await step(name, body))
  const draft = run.view.dispatch.didox
  if (plan.delivery === 'didox' && draft?.status === 'done') {
    // A continued run polls on from where the previous one was; an operator's retry starts afresh.
    let resumed = plan.resumeBuyer
    const poll = () => {
      const wait = resumed ?? startBuyerWait(draft.externalId!, plan.didoxPollIntervalMs)
      resumed = undefined
      return awaitBuyer(run, wait, plan)
    }
    await record('didox_acceptance', await step('didox_acceptance', poll))
  }
}

/** Polling a document Didox has just taken, from now. */
export function startBuyerWait(documentId: string, pollIntervalMs: number): BuyerWait {
  return { documentId, since: Date.now(), intervalMs: pollIntervalMs, lastMeaning: '' }
}

/** The buyer's silence for this long counts as acceptance (external-apis.md, Didox). */
const SILENCE_ACCEPTS_MS = 10 * 86_400_000
/** Runs waiting for a buyer before the silence rule keep waiting as they did. */
export const SILENCE_ACCEPTS_PATCH = 'didox-silence-accepts'

/** The longest wait between two polls: a buyer who takes weeks costs a few events a day. */
const MAX_POLL_INTERVAL_MS = 6 * 3_600_000

/**
 * Polls Didox on a durable timer until the buyer accepts (days are normal) or refuses. The
 * interval doubles from `pollIntervalMs` up to six hours, so the history stays small.
 */
export async function awaitBuyer(run: InvoiceRun, wait: BuyerWait, plan: Pick<DispatchPlan, 'didoxPollIntervalMs' | 'continueIfLong'>): Promise<DispatchResult> {
  const { documentId, since } = wait
  const pollIntervalMs = plan.didoxPollIntervalMs
  let last = wait.lastMeaning
  let interval = wait.intervalMs
  for (;;) {
    const status = await readDidoxStatus({ documentId })
    // ПКМ 489: an ESF the buyer neither signs nor rejects within 10 days counts as accepted.
    if (status.meaning === 'waiting_partner' && Date.now() - since >= SILENCE_ACCEPTS_MS && patched(SILENCE_ACCEPTS_PATCH)) {
      run.view.dispatch.didox_acceptance = { status: 'done', externalId: documentId, detail: 'accepted by silence: 10 days without an answer' }
      await run.recordWithView('didox_accepted_by_silence', 'system', { documentId, days: 10 })
      return { externalId: documentId, detail: 'accepted by silence (10 days without an answer)' }
    }
    if (status.meaning !== last) {
      last = status.meaning
      run.view.dispatch.didox_acceptance = { status: 'done', externalId: documentId, detail: `waiting: ${status.meaning}` }
      await run.recordWithView('didox_status', 'system', { documentId, code: status.code, meaning: status.meaning })
    }
    if (DIDOX_ACCEPTED.includes(status.meaning)) return { externalId: documentId, detail: status.meaning }
    if (DIDOX_REFUSED.includes(status.meaning)) {
      // Shown to the operator, never swallowed: retry polls again, skip completes without it.
      const comment = status.comment ? `, saying: ${JSON.stringify(status.comment)}` : ''
      throw ApplicationFailure.nonRetryable(`the buyer's side answered the e-invoice ${documentId}: ${status.meaning} (Didox status ${status.code})${comment}`, 'DidoxDocumentRefused')
    }
    await plan.continueIfLong?.({ documentId, since, intervalMs: interval, lastMeaning: last })
    await sleep(Math.min(interval, Math.max(1_000, since + SILENCE_ACCEPTS_MS - Date.now())))
    interval = Math.min(interval * 2, Math.max(pollIntervalMs, MAX_POLL_INTERVAL_MS))
  }
}
