import { ActivityFailure, ApplicationFailure, CancellationScope, condition, isCancellation } from '@temporalio/workflow'
import { InvoiceCancelled, isResting, type InvoiceRun } from './invoice-run.js'

export interface StepAttempt {
  /**
   * Set after an operator's `retry`: who decided and a key unique to that decision (e.g. to
   * send once more an e-mail whose first outcome is unknown, at most once per decision).
   */
  operatorRetry: { actor: string; requestId: string } | null
}

/** Runs a named step: its result, or undefined when an operator skipped it. */
export type StepRunner = <T>(name: string, body: (attempt: StepAttempt) => Promise<T>) => Promise<T | undefined>

/**
 * Steps that fail permanently (an activity's non-retryable failure, or a failure the workflow
 * raises itself, such as an e-invoice the buyer rejected) park the invoice in needs_attention
 * with the step and the reason, until an operator takes `retry` (run it again) or `skip` (the
 * step returns undefined), or someone cancels (InvoiceCancelled is thrown, as everywhere).
 * Transient failures never get here: activities retry them.
 */
export function createStepRunner(run: InvoiceRun): StepRunner {
  return async (name, body) => {
    let operatorRetry: StepAttempt['operatorRetry'] = null
    let retried = false
    for (;;) {
      try {
        const result = await body({ operatorRetry })
        if (retried) run.settle()
        return result
      } catch (err) {
        if (isCancellation(err) || !(err instanceof ActivityFailure || err instanceof ApplicationFailure)) throw err
        const resumeState = run.state
        const reason = err instanceof ActivityFailure ? (err.cause?.message ?? err.message) : err.message
        run.view.attention = { step: name, reason, since: new Date().toISOString() }
        await run.moveTo('needs_attention', 'system', { payload: { step: name, reason } })
        const choice = (await run.next(['retry', 'skip', 'cancel']))!
        run.view.attention = null
        const decision = run.queueEvent(choice.name === 'retry' ? 'step_retried' : 'step_skipped', choice.input.actor, {
          step: name,
          ...(choice.name === 'skip' ? { reason: (choice.input as { reason: string }).reason } : {}),
        })
        // A retry is answered once the step ran again (it moved on, or failed again), a skip at once.
        await run.moveTo(resumeState, choice.input.actor, { settle: choice.name === 'skip' })
        if (choice.name === 'skip') return undefined
        operatorRetry = { actor: choice.input.actor, requestId: decision.idempotencyKey }
        // Resumed in a state that answers at once (dispatching): answer once the step ran.
        retried = isResting(resumeState)
      }
    }
  }
}

/**
 * Runs work that may be dropped (a read-only prefill): a cancel that arrives meanwhile cancels
 * the activity and ends the run at once, instead of waiting for ClickHouse.
 */
export async function abandonOnCancel<T>(run: InvoiceRun, body: () => Promise<T>): Promise<T> {
  let finished = false
  const scope = new CancellationScope()
  const work = scope.run(body).finally(() => {
    finished = true
  })
  for (;;) {
    await Promise.race([work.then(ignore, ignore), condition(() => finished || run.cancelWaiting)])
    if (finished) return work
    try {
      run.takeCancel()
    } catch (err) {
      if (err instanceof InvoiceCancelled) {
        scope.cancel()
        work.catch(ignore)
      }
      throw err
    }
  }
}

function ignore(): void {}
