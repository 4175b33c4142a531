import { WorkflowIdConflictPolicy, WorkflowIdReusePolicy } from '@temporalio/common'
import { WithStartWorkflowOperation, WorkflowExecutionAlreadyStartedError, WorkflowUpdateStage, type Client } from '@temporalio/client'
import { labelPeriod } from '../billing/period.js'
import { parseBillingPeriod } from '../prefill/billing-period.js'
import { awaitPrefillUpdate, invoiceWorkflowId, type InvoiceOutcome, type PrefillResult, type StartInvoiceInput } from '../workflows/invoice-contract.js'
import type { invoiceWorkflow } from '../workflows/invoice-workflow.js'
import { billingPeriodKey, dealIdKey, invoiceNumberKey, invoiceStatusKey } from '../workflows/search-attributes.js'
import type { Database } from '../lib/database.js'
import { findOverlappingInvoice, type OverlappingInvoice } from './find-overlapping-invoice.js'
import { acceptedWithin, toOperationError, updateResultWithin } from './updates.js'

export type StartInvoiceResult =
  | {
      started: true
      workflowId: string
      runId: string
      /** What the prefill found, when it ended within the wait; null when it is still running. */
      prefill: PrefillResult | null
    }
  | { started: false; reason: 'invalid_period'; message: string }
  | { started: false; reason: 'exists'; workflowId: string; runId: string; status: string; invoiceStatus: string | null; message: string }
  | { started: false; reason: 'overlap'; workflowId: string; overlapping: OverlappingInvoice; message: string }

/**
 * Starts the invoice of a deal for a period, unless one exists, with update-with-start: the
 * start and an `awaitPrefill` Update go to Temporal in one call, so within `waitMs` the answer
 * says what the prefill found, and a deal or customer the sources do not know is refused
 * (OperationError UNKNOWN_DEAL / UNKNOWN_CUSTOMER) with the run already ended. The workflow id
 * comes from deal and period, so Temporal itself refuses a second start while one runs
 * (conflict policy FAIL); a closed run blocks a new one unless it ended cancelled. A period that
 * overlaps another live invoice of the deal is refused (reason 'overlap').
 */
export async function startInvoice(options: {
  client: Client
  db: Database
  taskQueue: string
  input: StartInvoiceInput
  /** false: a cancelled invoice stays cancelled (a billing run never undoes a person's cancel). */
  restartCancelled?: boolean
  /** How long to wait for the prefill (0: only until Temporal has the start). */
  waitMs?: number
}): Promise<StartInvoiceResult> {
  const parsed = parseBillingPeriod(options.input.period)
  if ('problem' in parsed) return { started: false, reason: 'invalid_period', message: parsed.problem }
  const period = labelPeriod(parsed.period).label
  const workflowId = invoiceWorkflowId(options.input.dealId, period)

  const overlapping = await findOverlappingInvoice({ db: options.db, client: options.client, dealId: options.input.dealId, workflowId, period: parsed.period })
  if (overlapping) {
    const other = overlapping.invoiceNumber ?? overlapping.workflowId
    return {
      started: false,
      reason: 'overlap',
      workflowId,
      overlapping,
      message: `the period ${period} overlaps invoice ${other} of deal ${options.input.dealId} for ${overlapping.period} (${overlapping.state}): a worklog is billed once, so periods of a deal must not overlap`,
    }
  }
  const previous = await describeLatest(options.client, workflowId)
  // A cancelled run may be started again; so may one an operator terminated or that failed
  // before it numbered an invoice (nothing of it is kept).
  const abandoned = previous !== null && ['FAILED', 'TERMINATED', 'TIMED_OUT'].includes(previous.status) && previous.invoiceNumber === null
  const restartable = previous !== null && previous.status !== 'RUNNING' && (previous.invoiceStatus === 'cancelled' ? options.restartCancelled !== false : abandoned)
  if (previous && !restartable) {
    return {
      started: false,
      reason: 'exists',
      runId: previous.runId,
      status: previous.status,
      invoiceStatus: previous.invoiceStatus,
      workflowId,
      message: `an invoice for deal ${options.input.dealId} and period ${period} already exists (${previous.invoiceStatus ?? previous.status.toLowerCase()})`,
    }
  }
  // By name, with the type only: the API process never loads workflow code.
  const start = new WithStartWorkflowOperation<typeof invoiceWorkflow>('invoiceWorkflow', {
    taskQueue: options.taskQueue,
    workflowId,
    args: [{ ...options.input, period }],
    workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
    workflowIdConflictPolicy: WorkflowIdConflictPolicy.FAIL,
    staticSummary: `Invoice of deal ${options.input.dealId} for ${period}`,
    staticDetails: `Started by ${options.input.startedBy}. The current state, number, total and who must act next are in the current details.`,
    typedSearchAttributes: [
      { key: invoiceStatusKey, value: 'prefilling' },
      { key: dealIdKey, value: options.input.dealId },
      { key: billingPeriodKey, value: period },
    ],
  })
  // The start is durable at once; the Update is accepted only once a worker takes the run.
  const started = Date.now()
  let update
  try {
    update = await acceptedWithin(
      options.client,
      () => options.client.workflow.startUpdateWithStart(awaitPrefillUpdate, { startWorkflowOperation: start, waitForStage: WorkflowUpdateStage.ACCEPTED }),
      options.waitMs ?? 0,
    )
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err
    const running = await describeLatest(options.client, workflowId)
    return {
      started: false,
      reason: 'exists',
      workflowId,
      runId: running?.runId ?? '',
      status: running?.status ?? 'RUNNING',
      invoiceStatus: running?.invoiceStatus ?? null,
      message: `an invoice for deal ${options.input.dealId} and period ${period} is already being prepared`,
    }
  }
  if (!update) {
    // No worker took it in time (none running?): the invoice is started and prefills when one does.
    const running = await describeLatest(options.client, workflowId)
    return { started: true, workflowId, runId: running?.runId ?? (await (await start.workflowHandle()).describe()).runId, prefill: null }
  }
  const runId = update.workflowRunId ?? (await (await start.workflowHandle()).describe()).runId
  if (!options.waitMs) return { started: true, workflowId, runId, prefill: null }
  try {
    const prefill = await updateResultWithin(options.client, update, Math.max(1, options.waitMs - (Date.now() - started)))
    return { started: true, workflowId, runId, prefill: prefill ?? null }
  } catch (err) {
    throw toOperationError(err) ?? err
  }
}

async function describeLatest(client: Client, workflowId: string): Promise<{ runId: string; status: string; invoiceStatus: string | null; invoiceNumber: string | null } | null> {
  try {
    const description = await client.workflow.getHandle(workflowId).describe()
    const attributes = description.typedSearchAttributes
    return { runId: description.runId, status: description.status.name, invoiceStatus: attributes.get(invoiceStatusKey) ?? null, invoiceNumber: attributes.get(invoiceNumberKey) ?? null }
  } catch (err) {
    if ((err as { name?: string }).name === 'WorkflowNotFoundError') return null
    throw err
  }
}

export type { InvoiceOutcome }
