import { WorkflowFailedError, type Client } from '@temporalio/client'
import { ActivityFailure, ApplicationFailure, WorkflowIdConflictPolicy, WorkflowIdReusePolicy } from '@temporalio/common'
import { findFinalizedInvoice } from '../../db/find-finalized-invoice.js'
import type { InvoiceDrift } from '../../drift/types.js'
import type { Database } from '../../lib/database.js'
import { INVOICE_DRIFT_WORKFLOW_TYPE, invoiceDriftWorkflowId, type InvoiceDriftInput } from '../../workflows/drift-contract.js'
import { OperationError } from '../operation-error.js'
import { settledWithin } from '../updates.js'

/**
 * An invoice's drift now (id = its workflow id), checked by the worker, which holds the
 * ClickHouse connection. NOT_FOUND when the invoice was never finalized (nothing is billed);
 * SERVICE_UNAVAILABLE when no answer came within `waitMs` (the check goes on, and asking again
 * joins it: concurrent checks of one invoice share one workflow run).
 */
export async function checkInvoiceDrift(options: { client: Client; db: Database; taskQueue: string; workflowId: string; waitMs: number }): Promise<InvoiceDrift> {
  const invoice = await findFinalizedInvoice(options.db, options.workflowId)
  if (!invoice) throw new OperationError('NOT_FOUND', `no finalized invoice with id ${options.workflowId} (drift compares the worklogs an invoice bills)`)
  const input: InvoiceDriftInput = { invoiceId: invoice.id }
  const handle = await options.client.workflow.start(INVOICE_DRIFT_WORKFLOW_TYPE, {
    taskQueue: options.taskQueue,
    workflowId: invoiceDriftWorkflowId(invoice.id),
    args: [input],
    workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
    workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
    // Nobody waits longer for an answer; a check no worker took ends by itself.
    workflowExecutionTimeout: '10m',
  })
  try {
    const drift = await settledWithin(options.client, () => handle.result() as Promise<InvoiceDrift>, options.waitMs)
    if (drift !== undefined) return drift
  } catch (err) {
    throw toRefusal(err) ?? err
  }
  throw new OperationError(
    'SERVICE_UNAVAILABLE',
    `the drift check of ${options.workflowId} did not answer within ${Math.round(options.waitMs / 1000)} s (is the worker running?); ask again to get its answer`,
    {},
    { 'Retry-After': '5' },
  )
}

/**
 * A check that failed on bad input (a malformed deal snapshot, invalid settings) as
 * INVALID_INPUT; one that ended without an answer (timed out with no worker, terminated) as
 * SERVICE_UNAVAILABLE: asking again starts a new check.
 */
function toRefusal(err: unknown): OperationError | null {
  if (!(err instanceof WorkflowFailedError)) return null
  const cause = err.cause instanceof ActivityFailure ? err.cause.cause : err.cause
  if (cause instanceof ApplicationFailure && cause.nonRetryable) return new OperationError('INVALID_INPUT', cause.message)
  return new OperationError('SERVICE_UNAVAILABLE', `the drift check ended without an answer (${cause?.message ?? err.message}); ask again`, {}, { 'Retry-After': '5' })
}
