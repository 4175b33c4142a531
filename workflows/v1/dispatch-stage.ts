import { ApplicationFailure, sleep } from '@temporalio/workflow'
import type { DispatchResult } from '../../activities/dispatch.js'
import { external } from './activity-proxies.js'
import type { InvoiceRun } from './invoice-run.js'
import { CANCELLED, type StepAttempt, type StepRunner } from './run-step.js'

export interface DispatchPlan {
  /** Deliver through Didox (buyer with a TIN, e-invoicing on, invoice in UZS), else by e-mail. */
  delivery: 'didox' | 'email'
  didoxPollIntervalMs: number
}

/** Didox statuses after which the buyer's answer is final. */
const DIDOX_ACCEPTED = ['accepted', 'signed_by_agent']
const DIDOX_REFUSED = ['rejected', 'deleted', 'invalid']

/**
 * After approval, each effect once: book in PlanFact, copy the PDF to R2, deliver (Didox, then
 * wait for the buyer's answer; or e-mail). Each step is idempotent in its activity; one that
 * fails permanently parks the invoice in needs_attention (retry / skip / cancel). Results are
 * recorded as events with the external id and shown in the query's `dispatch`.
 */
export async function dispatchInvoice(run: InvoiceRun, step: StepRunner, plan: DispatchPlan): Promise<void | typeof CANCELLED> {
  const invoiceId = run.view.invoiceId!
  const record = (name: string, result: DispatchResult | undefined) => {
    run.view.dispatch[name] = result ? { status: 'done', externalId: result.externalId, detail: result.detail } : { status: 'skipped' }
    run.queueEvent(result ? `${name}_done` : `${name}_skipped`, 'system', result ? { externalId: result.externalId, detail: result.detail } : {})
  }
  type Step = [string, (attempt: StepAttempt) => Promise<DispatchResult>]
  const deliver: Step =
    plan.delivery === 'didox'
      ? ['didox', () => external.createDidoxDraft({ invoiceId })]
      : ['email', ({ operatorRetry }) => external.sendInvoiceEmail({ invoiceId, ...(operatorRetry ? { resendUncertain: operatorRetry } : {}) })]
  const steps: Step[] = [['planfact', () => external.syncPlanFact({ invoiceId })], ['r2', () => external.uploadPdfToR2({ invoiceId })], deliver]
  for (const [name, body] of steps) {
    const result = await step(name, body)
    if (result === CANCELLED) return CANCELLED
    record(name, result)
  }
  const draft = run.view.dispatch.didox
  if (plan.delivery === 'didox' && draft?.status === 'done') {
    const answer = await step('didox_acceptance', () => awaitBuyer(run, draft.externalId!, plan.didoxPollIntervalMs))
    if (answer === CANCELLED) return CANCELLED
    record('didox_acceptance', answer)
  }
}

/** The longest wait between two polls: a buyer who takes weeks costs a few events a day. */
const MAX_POLL_INTERVAL_MS = 6 * 3_600_000

/**
 * Polls Didox on a durable timer until the buyer accepts (days are normal) or refuses. The
 * interval doubles from `pollIntervalMs` up to six hours, so the history stays small.
 */
async function awaitBuyer(run: InvoiceRun, documentId: string, pollIntervalMs: number): Promise<DispatchResult> {
  let last = ''
  let interval = pollIntervalMs
  for (;;) {
    const status = await external.readDidoxStatus({ documentId })
    if (status.meaning !== last) {
      last = status.meaning
      run.view.dispatch.didox_acceptance = { status: 'done', externalId: documentId, detail: `waiting: ${status.meaning}` }
      run.queueEvent('didox_status', 'system', { documentId, code: status.code, meaning: status.meaning })
    }
    if (DIDOX_ACCEPTED.includes(status.meaning)) return { externalId: documentId, detail: status.meaning }
    if (DIDOX_REFUSED.includes(status.meaning)) {
      // Shown to the operator, never swallowed: retry polls again, skip completes without it.
      throw ApplicationFailure.nonRetryable(`the buyer's side answered the e-invoice ${documentId}: ${status.meaning} (Didox status ${status.code})`, 'DidoxDocumentRefused')
    }
    await sleep(interval)
    interval = Math.min(interval * 2, Math.max(pollIntervalMs, MAX_POLL_INTERVAL_MS))
  }
}
