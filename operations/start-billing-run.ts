import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client'
import { WorkflowIdConflictPolicy, WorkflowIdReusePolicy, WorkflowNotFoundError } from '@temporalio/common'
import { labelPeriod } from '../billing/period.js'
import { parseBillingPeriod } from '../prefill/billing-period.js'
import { billingRunWorkflowId, DEFAULT_BILLING_RUN_CONCURRENCY, type StartBillingRunInput } from '../workflows/billing-run-contract.js'
import { billingPeriodKey } from '../workflows/search-attributes.js'

/** The workflow type of a billing run; started by name, the API never loads workflow code. */
export const BILLING_RUN_WORKFLOW_TYPE = 'billingRunWorkflow'

export type StartBillingRunResult =
  | { started: true; workflowId: string; runId: string; period: string }
  | { started: false; reason: 'invalid_period'; message: string }
  | { started: false; reason: 'exists'; workflowId: string; runId: string; period: string; message: string }

/**
 * Starts the month-end billing run of a period (workflows/billing-run-contract.ts). Its
 * workflow id comes from the period, so Temporal refuses a second run while one is running
 * (conflict policy FAIL); once a run has closed, a new one may start (it skips the invoices
 * that exist). Who started it and the concurrency also go in the memo, so they are known
 * without a worker (list, and GET while no worker answers).
 */
export async function startBillingRun(options: { client: Client; taskQueue: string; input: StartBillingRunInput }): Promise<StartBillingRunResult> {
  const parsed = parseBillingPeriod(options.input.period)
  if ('problem' in parsed) return { started: false, reason: 'invalid_period', message: parsed.problem }
  const period = labelPeriod(parsed.period).label
  const workflowId = billingRunWorkflowId(period)
  const input: StartBillingRunInput = { ...options.input, period }
  try {
    const handle = await options.client.workflow.start(BILLING_RUN_WORKFLOW_TYPE, {
      taskQueue: options.taskQueue,
      workflowId,
      args: [input],
      workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
      workflowIdConflictPolicy: WorkflowIdConflictPolicy.FAIL,
      typedSearchAttributes: [{ key: billingPeriodKey, value: period }],
      memo: { startedBy: input.startedBy, concurrency: input.concurrency ?? DEFAULT_BILLING_RUN_CONCURRENCY },
    })
    return { started: true, workflowId, runId: handle.firstExecutionRunId, period }
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err
    const runId = await describeRunId(options.client, workflowId)
    return {
      started: false,
      reason: 'exists',
      workflowId,
      runId,
      period,
      message: `a billing run for period ${period} is already running (${workflowId}${runId ? `, run ${runId}` : ''})`,
    }
  }
}

async function describeRunId(client: Client, workflowId: string): Promise<string> {
  try {
    return (await client.workflow.getHandle(workflowId).describe()).runId
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return ''
    throw err
  }
}
