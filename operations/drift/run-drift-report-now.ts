import type { Client } from '@temporalio/client'
import { WorkflowIdConflictPolicy, WorkflowIdReusePolicy } from '@temporalio/common'
import type { DriftReportSummary } from '../../drift/types.js'
import { DRIFT_REPORT_WORKFLOW_TYPE, type DriftReportInput } from '../../workflows/drift-contract.js'
import { OperationError } from '../operation-error.js'
import { settledWithin } from '../updates.js'

/** Workflow id of a report an operator runs: two operators asking at once share one run. */
export const MANUAL_DRIFT_REPORT_WORKFLOW_ID = 'drift-report:manual'

/**
 * Runs the drift report now, on the worker (the same workflow the nightly Schedule starts), and
 * answers with its summary once stored. SERVICE_UNAVAILABLE when it has not ended within
 * `waitMs` (it goes on; the next `drift-report` shows it).
 */
export async function runDriftReportNow(options: { client: Client; taskQueue: string; requestedBy: string; waitMs: number }): Promise<DriftReportSummary> {
  const input: DriftReportInput = { requestedBy: options.requestedBy }
  const handle = await options.client.workflow.start(DRIFT_REPORT_WORKFLOW_TYPE, {
    taskQueue: options.taskQueue,
    workflowId: MANUAL_DRIFT_REPORT_WORKFLOW_ID,
    args: [input],
    workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
    workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
  })
  const report = await settledWithin(options.client, () => handle.result() as Promise<DriftReportSummary>, options.waitMs)
  if (report !== undefined) return report
  throw new OperationError('SERVICE_UNAVAILABLE', `the drift report (${MANUAL_DRIFT_REPORT_WORKFLOW_ID}) did not end within ${Math.round(options.waitMs / 1000)} s (is the worker running?); it goes on, and the latest report shows it once stored`)
}
