import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client } from '@temporalio/client'
import { DRIFT_REPORT_SCHEDULE_ID, DRIFT_REPORT_WORKFLOW_TYPE, type DriftReportInput } from '../../workflows/drift-contract.js'

export interface DriftScheduleOptions {
  taskQueue: string
  /** Five-field cron expression, e.g. `30 2 * * *`. */
  cron: string
  /** IANA zone the cron is read in (the company's). */
  timeZone: string
  /** Tests keep their own; the worker keeps DRIFT_REPORT_SCHEDULE_ID. */
  scheduleId?: string
}

/**
 * Creates the nightly drift report's Schedule, or brings an existing one to these options (a
 * changed DRIFT_REPORT_CRON takes effect when a worker starts). Idempotent: every worker calls it
 * at start. A report still running when the next one is due makes the next one skip; after an
 * outage, a missed report runs when Temporal is back within six hours.
 */
export async function ensureDriftReportSchedule(client: Client, options: DriftScheduleOptions): Promise<'created' | 'updated'> {
  const scheduleId = options.scheduleId ?? DRIFT_REPORT_SCHEDULE_ID
  const input: DriftReportInput = { requestedBy: 'schedule' }
  const spec = { cronExpressions: [options.cron], timezone: options.timeZone }
  const action = {
    type: 'startWorkflow' as const,
    workflowType: DRIFT_REPORT_WORKFLOW_TYPE,
    taskQueue: options.taskQueue,
    args: [input],
    // Temporal appends the scheduled time: drift-report:nightly-2026-12-02T21:30:00Z.
    workflowId: 'drift-report:nightly',
    workflowExecutionTimeout: '6h',
  }
  const policies = { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '6h' }
  try {
    await client.schedule.create({ scheduleId, spec, action, policies })
    return 'created'
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err
  }
  await client.schedule.getHandle(scheduleId).update((previous) => ({ ...previous, spec, action, policies }))
  return 'updated'
}
