import { proxyActivitiesByConcern } from './proxy-activities-by-concern.js'
import { proxyLocalActivities } from '@temporalio/workflow'
import type { CreditNoteActivities } from '../activities/credit-notes.js'
import { EXTERNAL_CALL_OPTIONS, HEARTBEAT_TIMEOUT } from './invoice-activities.js'
import { RETRY_POLICY } from './retry-policy.js'

/** The credit note workflow's activities, with the invoice's timeouts (PostgreSQL 5 s, PDF 30 s, external calls 2 min; a worker lost is noticed within the 15 s heartbeat timeout). */

/** The draft and the number: PostgreSQL transactions. */
export const { createCreditNoteDraft, finalizeCreditNote } = proxyActivitiesByConcern<CreditNoteActivities>({ startToCloseTimeout: '10s', heartbeatTimeout: HEARTBEAT_TIMEOUT, retry: RETRY_POLICY })
/** Render + Gotenberg (30 s) + store. */
export const { renderCreditNotePdf } = proxyActivitiesByConcern<CreditNoteActivities>({ startToCloseTimeout: '40s', heartbeatTimeout: HEARTBEAT_TIMEOUT, retry: RETRY_POLICY })
/** Each transition: the credit_notes row (and, on a void's approval, the invoice) with the event, as a local activity. */
export const { recordCreditNoteTransition } = proxyLocalActivities<CreditNoteActivities>({ startToCloseTimeout: '5s', retry: RETRY_POLICY })
/** PlanFact, R2, e-mail, Didox: each idempotent through its external reference. */
export const { bookCreditNoteInPlanFact, uploadCreditNotePdfToR2, sendCreditNoteEmail, correctDidoxInvoice } = proxyActivitiesByConcern<CreditNoteActivities>(EXTERNAL_CALL_OPTIONS)
