import { ActivityFailure, ApplicationFailure, isCancellation } from '@temporalio/workflow'
import type { InvoiceRun, ReceivedSignal } from './invoice-run.js'

/** Returned by a step when the operator cancelled the invoice while it needed attention. */
export const CANCELLED = Symbol('cancelled')

export interface StepAttempt {
  /**
   * Set after an operator's `retry`: who decided and a key unique to that decision (e.g. to
   * send once more an e-mail whose first outcome is unknown, at most once per decision).
   */
  operatorRetry: { actor: string; requestId: string } | null
}

/** Runs a named step; see createStepRunner. */
export type StepRunner = <T>(name: string, body: (attempt: StepAttempt) => Promise<T>) => Promise<T | typeof CANCELLED | undefined>

/**
 * Steps that fail permanently (an activity's non-retryable failure, or a failure the workflow
 * raises itself, such as an e-invoice the buyer rejected) park the invoice in needs_attention
 * with the step and the reason, until an operator sends `retry` (run it again), `skip`
 * (recorded; the step returns undefined) or `cancel` (the step returns CANCELLED).
 * Transient failures never get here: activities retry them.
 */
export function createStepRunner(run: InvoiceRun, cancel: (signal: ReceivedSignal) => Promise<typeof CANCELLED>): StepRunner {
  return async (name, body) => {
    let operatorRetry: StepAttempt['operatorRetry'] = null
    for (;;) {
      try {
        return await body({ operatorRetry })
      } catch (err) {
        if (isCancellation(err) || !(err instanceof ActivityFailure || err instanceof ApplicationFailure)) throw err
        const resumeState = run.state
        const reason = err instanceof ActivityFailure ? (err.cause?.message ?? err.message) : err.message
        run.view.attention = { step: name, reason, since: new Date().toISOString() }
        await run.moveTo('needs_attention', 'system', { payload: { step: name, reason } })
        const choice = (await run.next(['retry', 'skip', 'cancel']))!
        run.view.attention = null
        if (choice.name === 'cancel') return cancel(choice)
        const decision = run.queueEvent(choice.name === 'retry' ? 'step_retried' : 'step_skipped', choice.actor, { step: name, reason: choice.payload.reason })
        await run.moveTo(resumeState, choice.actor)
        if (choice.name === 'skip') return undefined
        operatorRetry = { actor: choice.actor, requestId: decision.idempotencyKey }
      }
    }
  }
}
