import type { InvoiceRun } from './invoice-run.js'
import type { StepRunner } from './run-step.js'

/**
 * After approval: PlanFact sync, R2 upload and delivery (Didox or email), each once in effect.
 * The steps arrive with the next issue; the stage already records that it ran so the
 * workflow's shape (and its replayed histories) stay the same when they plug in.
 */
export async function dispatchInvoice(
  run: InvoiceRun,
  _step: StepRunner,
): Promise<void | symbol> {
  run.queueEvent('dispatch_stage', 'system', { steps: [] })
}
