import type { Client } from '@temporalio/client'
import type { InvoiceState } from '../../workflows/invoice-contract.js'
import { withDeadline } from '../with-deadline.js'

/** An activity the run is working on (or waiting to retry), as Temporal reports it. */
export interface StepInFlight {
  activity: string
  /** 1 for the first try; above it, the earlier attempts failed. */
  attempt: number
  lastFailure: string | null
  lastStartedAt: string | null
  /** When the next attempt is due, while it waits out its backoff. */
  nextAttemptAt: string | null
}

/** States in which the run works through activities, so an operator may wonder what it is doing. */
const WORKING_STATES: readonly InvoiceState[] = ['prefilling', 'finalizing', 'dispatching']

/**
 * The run's pending activities (Temporal's describe: attempt, last failure, next attempt) while it
 * prefills, finalizes or dispatches: "dispatching" alone does not say that PlanFact has answered
 * 503 four times. Best effort within `timeoutMs`: Temporal being slow or down leaves it empty,
 * the rest of the invoice still reads from PostgreSQL.
 */
export async function readStepsInFlight(client: Client, options: { workflowId: string; runId: string; state: InvoiceState; timeoutMs: number }): Promise<StepInFlight[]> {
  if (!WORKING_STATES.includes(options.state)) return []
  try {
    const description = await withDeadline(client.workflow.getHandle(options.workflowId, options.runId).describe(), options.timeoutMs)
    return (description?.raw.pendingActivities ?? []).map((a) => ({
      activity: a.activityType?.name ?? 'unknown',
      attempt: a.attempt ?? 1,
      lastFailure: a.lastFailure?.message || null,
      lastStartedAt: isoOf(a.lastStartedTime),
      nextAttemptAt: isoOf(a.nextAttemptScheduleTime),
    }))
  } catch {
    return []
  }
}

/** A protobuf Timestamp (seconds may be a Long) as ISO text. */
function isoOf(ts: { seconds?: unknown; nanos?: number | null } | null | undefined): string | null {
  if (!ts || ts.seconds === null || ts.seconds === undefined) return null
  return new Date(Number(ts.seconds) * 1000 + Math.floor((ts.nanos ?? 0) / 1e6)).toISOString()
}
