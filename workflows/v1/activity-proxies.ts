import { proxyLocalActivities, type ActivityOptions } from '@temporalio/workflow'
import { proxyActivitiesByConcern } from '../proxy-activities-by-concern.js'
import type { InvoiceActivities } from '../../activities/invoice.js'
import type { DispatchActivities } from '../../activities/dispatch.js'
import type { PrefillActivities } from '../../activities/prefill.js'
import { NON_RETRYABLE_ERROR_TYPES } from '../../lib/error-types.js'

/**
 * One proxy per timeout class, with the seed's timeouts (PostgreSQL 5 s, ClickHouse 15 s, PDF
 * 30 s). Transient failures retry without a limit, backing off to a minute, so an invoice
 * resumes by itself after any outage; permanent ones (NON_RETRYABLE_ERROR_TYPES) fail at once
 * and the workflow asks an operator.
 */
const retry: ActivityOptions['retry'] = {
  initialInterval: '1s',
  backoffCoefficient: 2,
  maximumInterval: '1m',
  nonRetryableErrorTypes: NON_RETRYABLE_ERROR_TYPES,
}

/** PostgreSQL: each activity is one short transaction. */
export const database = proxyActivitiesByConcern<InvoiceActivities>({ startToCloseTimeout: '5s', retry })

/**
 * The same PostgreSQL activities as local activities, for the tiny writes every state change
 * makes (the transition, the event log). The worker runs them inside the workflow task, so a
 * state change costs Temporal one workflow task instead of a task, an activity round trip and a
 * second task. Same timeout and retries; they are idempotent, so a re-run after a worker crash
 * is harmless.
 */
export const localDatabase = proxyLocalActivities<InvoiceActivities>({ startToCloseTimeout: '5s', retry })

/**
 * ClickHouse: a prefill runs three short queries, each bounded by the client's 15 s timeout,
 * so the activity as a whole gets three times that.
 */
export const clickhouse = proxyActivitiesByConcern<PrefillActivities>({ startToCloseTimeout: '45s', retry })

/** Render + Gotenberg conversion + store: the seed's 30 s for the PDF, plus the writes. */
export const pdf = proxyActivitiesByConcern<InvoiceActivities>({ startToCloseTimeout: '40s', retry })

/**
 * External systems (PlanFact, R2, Didox, SMTP): each call inside is bounded by its client's
 * timeout (PlanFact 10 s as in the seed); a step makes a few calls, and PlanFact writes may
 * wait their turn behind other invoices (one write at a time per business).
 */
export const external = proxyActivitiesByConcern<DispatchActivities>({ startToCloseTimeout: '2m', retry })
