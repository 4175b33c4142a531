import { WorkflowIdConflictPolicy, WorkflowIdReusePolicy } from '@temporalio/common'
import { WorkflowExecutionAlreadyStartedError, type Client, type WorkflowHandle } from '@temporalio/client'
import { labelPeriod } from '../billing/period.js'
import { parseBillingPeriod } from '../prefill/billing-period.js'
import { invoiceWorkflowId, type InvoiceOutcome, type StartInvoiceInput } from '../workflows/invoice-contract.js'
import type { invoiceWorkflow } from '../workflows/invoice-workflow.js'
import { billingPeriodKey, dealIdKey, invoiceStatusKey } from '../workflows/search-attributes.js'

export type StartInvoiceResult =
  | { started: true; workflowId: string; runId: string; handle: WorkflowHandle<typeof invoiceWorkflow> }
  | { started: false; reason: 'invalid_period'; message: string }
  | { started: false; reason: 'exists'; workflowId: string; runId: string; status: string; invoiceStatus: string | null; message: string }

/**
 * Starts the invoice of a deal for a period, unless one exists. The workflow id comes from
 * deal and period, so Temporal itself refuses a second start while one runs (conflict policy
 * FAIL); a closed run blocks a new one unless it ended cancelled (checked here before
 * starting, since a cancelled invoice completes normally with InvoiceStatus = cancelled).
 */
export async function startInvoice(options: {
  client: Client
  taskQueue: string
  input: StartInvoiceInput
  /** false: a cancelled invoice stays cancelled (a billing run never undoes a person's cancel). */
  restartCancelled?: boolean
}): Promise<StartInvoiceResult> {
  const parsed = parseBillingPeriod(options.input.period)
  if ('problem' in parsed) return { started: false, reason: 'invalid_period', message: parsed.problem }
  const period = labelPeriod(parsed.period).label
  const workflowId = invoiceWorkflowId(options.input.dealId, period)

  const previous = await describeLatest(options.client, workflowId)
  const restartable = previous !== null && previous.status !== 'RUNNING' && previous.invoiceStatus === 'cancelled' && options.restartCancelled !== false
  if (previous && !restartable) {
    return {
      started: false,
      reason: 'exists',
      ...previous,
      workflowId,
      message: `an invoice for deal ${options.input.dealId} and period ${period} already exists (${previous.invoiceStatus ?? previous.status.toLowerCase()})`,
    }
  }
  try {
    // By name, with the type only: the API process never loads workflow code.
    const handle = await options.client.workflow.start<typeof invoiceWorkflow>('invoiceWorkflow', {
      taskQueue: options.taskQueue,
      workflowId,
      args: [{ ...options.input, period }],
      workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
      workflowIdConflictPolicy: WorkflowIdConflictPolicy.FAIL,
      typedSearchAttributes: [
        { key: invoiceStatusKey, value: 'prefilling' },
        { key: dealIdKey, value: options.input.dealId },
        { key: billingPeriodKey, value: period },
      ],
    })
    return { started: true, workflowId, runId: handle.firstExecutionRunId, handle }
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
}

async function describeLatest(client: Client, workflowId: string): Promise<{ runId: string; status: string; invoiceStatus: string | null } | null> {
  try {
    const description = await client.workflow.getHandle(workflowId).describe()
    const invoiceStatus = description.typedSearchAttributes.get(invoiceStatusKey) ?? null
    return { runId: description.runId, status: description.status.name, invoiceStatus }
  } catch (err) {
    if ((err as { name?: string }).name === 'WorkflowNotFoundError') return null
    throw err
  }
}

export type { InvoiceOutcome }
