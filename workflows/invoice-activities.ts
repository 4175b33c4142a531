import { proxyActivitiesByConcern } from './proxy-activities-by-concern.js'
import { proxyLocalActivities, type ActivityOptions } from '@temporalio/workflow'
import type { DispatchActivities } from '../activities/dispatch.js'
import type { InvoiceActivities } from '../activities/invoice.js'
import type { PaymentActivities } from '../activities/payments.js'
import type { PrefillActivities } from '../activities/prefill.js'
import { RETRY_POLICY } from './retry-policy.js'

/**
 * The longer activities heartbeat (activities/heartbeat-while-running.ts, a worker interceptor):
 * one lost with a killed worker is retried after this, not after its start-to-close.
 */
export const HEARTBEAT_TIMEOUT = '15s'

/**
 * The activities the invoice workflow calls, each named for what it does, with the seed's
 * timeouts (PostgreSQL 5 s, ClickHouse 15 s a query, PDF 30 s, PlanFact 10 s a call) and the
 * one retry policy.
 */

/** ClickHouse + rules; three short queries, each bounded by the client's 15 s. */
export const { prefillInvoice, checkPreviewFreshness } = proxyActivitiesByConcern<PrefillActivities>({ startToCloseTimeout: '45s', heartbeatTimeout: HEARTBEAT_TIMEOUT, retry: RETRY_POLICY })

/** PostgreSQL reads and the approvers' reminder: one short transaction each. */
export const { loadInvoiceSettings, remindApprovers } = proxyActivitiesByConcern<InvoiceActivities>({ startToCloseTimeout: '5s', retry: RETRY_POLICY })

/**
 * The two tiny writes every state change makes (the transition with its read-model row, and the
 * event log), as local activities: the worker runs them inside the workflow task. Idempotent,
 * so a re-run after a worker crash is harmless.
 */
export const { recordEvent, recordTransition } = proxyLocalActivities<InvoiceActivities>({ startToCloseTimeout: '5s', retry: RETRY_POLICY })

/** Invoice + line items + number in one transaction; then render + Gotenberg (30 s) + store. */
export const { finalizeInvoice, renderInvoicePdf } = proxyActivitiesByConcern<InvoiceActivities>({ startToCloseTimeout: '40s', heartbeatTimeout: HEARTBEAT_TIMEOUT, retry: RETRY_POLICY })

/**
 * PlanFact, R2, Didox, SMTP: each call inside is bounded by its client's timeout; a step makes a
 * few calls, and PlanFact writes may wait their turn (one write at a time per business).
 */
export const EXTERNAL_CALL_OPTIONS: ActivityOptions = { startToCloseTimeout: '2m', heartbeatTimeout: HEARTBEAT_TIMEOUT, retry: RETRY_POLICY }
export const { syncPlanFact, uploadPdfToR2, createDidoxDraft, readDidoxStatus, sendInvoiceEmail } = proxyActivitiesByConcern<DispatchActivities>(EXTERNAL_CALL_OPTIONS)

/** After delivery: a PlanFact read or two and a PostgreSQL write; a payment by hand; a reminder e-mail. */
export const { checkPayments, recordManualPayment } = proxyActivitiesByConcern<PaymentActivities>({ startToCloseTimeout: '1m', heartbeatTimeout: HEARTBEAT_TIMEOUT, retry: RETRY_POLICY })
export const { sendPaymentReminder } = proxyActivitiesByConcern<PaymentActivities>(EXTERNAL_CALL_OPTIONS)
