import type { DispatchResult } from '../activities/dispatch.js'
import { external } from './activity-proxies.js'
import type { InvoiceRun } from './invoice-run.js'
import { CANCELLED, type StepRunner } from './run-step.js'

/**
 * After approval, each effect once: the PDF to R2, then delivery by e-mail. A step that fails
 * permanently parks the invoice in needs_attention (retry/skip/cancel); each result is recorded
 * as an event with the external id and shown in the query's `dispatch`.
 */
export async function dispatchInvoice(run: InvoiceRun, step: StepRunner): Promise<void | typeof CANCELLED> {
  const invoiceId = run.view.invoiceId!
  const steps: [string, (attempt: Parameters<Parameters<StepRunner>[1]>[0]) => Promise<DispatchResult>][] = [
    ['r2', () => external.uploadPdfToR2({ invoiceId })],
    ['email', ({ operatorRetry }) => external.sendInvoiceEmail({ invoiceId, ...(operatorRetry ? { resendUncertain: operatorRetry } : {}) })],
  ]
  for (const [name, body] of steps) {
    const result = await step(name, body)
    if (result === CANCELLED) return CANCELLED
    run.view.dispatch[name] = result ? { status: 'done', externalId: result.externalId, detail: result.detail } : { status: 'skipped' }
    run.queueEvent(result ? `${name}_done` : `${name}_skipped`, 'system', result ? { externalId: result.externalId, detail: result.detail } : {})
  }
}
