import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow'
import type { InvoicePreview } from '../billing/types.js'
import type { ActionInput, InvoiceActionName } from './invoice-actions.js'
import type { InvoiceResume } from './continue-as-new.js'

/**
 * The invoice workflow's public contract: its input, the actions people take (Temporal
 * Updates), the query and the state it reports. The API, the operator CLI and operations/
 * import this module (never the workflow itself).
 */

export const INVOICE_STATES = [
  'prefilling',
  'awaiting_confirmation',
  'finalizing',
  'awaiting_approval',
  'dispatching',
  'awaiting_payment',
  'partially_paid',
  'overdue',
  'paid',
  'void',
  /** Delivered by a run started before payments were followed (it ended there). */
  'completed',
  'cancelled',
  'needs_attention',
] as const
export type InvoiceState = (typeof INVOICE_STATES)[number]

export interface StartInvoiceInput {
  dealId: string
  /** A month `2026-10` or a range `2026-10-03..2026-10-17` (end exclusive). */
  period: string
  /** Who started it (user id from the API). */
  startedBy: string
  /** Set only by the workflow itself when a run continues as new (continue-as-new.ts). */
  resume?: InvoiceResume
}

/** Workflow id of a deal's invoice for a period: one invoice per deal and period. */
export function invoiceWorkflowId(dealId: string, periodLabel: string): string {
  return `invoice:${dealId}:${periodLabel}`
}

export type { InvoiceActionName } from './invoice-actions.js'

/**
 * Which actions each state takes. The validators refuse the others (WRONG_STATE); cancel is
 * refused further once an external effect exists (EFFECTS_MADE, see the workflow).
 */
export const ACTIONS_BY_STATE: Record<InvoiceState, readonly InvoiceActionName[]> = {
  prefilling: ['cancel'],
  awaiting_confirmation: ['refresh', 'confirm', 'cancel'],
  finalizing: ['cancel'],
  awaiting_approval: ['approve', 'reject', 'cancel'],
  dispatching: [],
  awaiting_payment: ['recordPayment'],
  partially_paid: ['recordPayment'],
  overdue: ['recordPayment'],
  paid: [],
  void: [],
  completed: [],
  cancelled: [],
  needs_attention: ['retry', 'skip', 'cancel'],
}

/** States of a delivered invoice that waits for its money: credit notes and payments apply. */
export const DELIVERED_STATES: readonly InvoiceState[] = ['awaiting_payment', 'partially_paid', 'overdue', 'paid', 'completed']

/** Who must act next in a state: shown in lists, in Temporal Web and in the "waiting for me" views. */
export type NextActor = 'accountant' | 'approver' | 'operator' | 'finance' | null
export const NEXT_ACTOR_BY_STATE: Record<InvoiceState, NextActor> = {
  prefilling: null,
  awaiting_confirmation: 'accountant',
  finalizing: null,
  awaiting_approval: 'approver',
  dispatching: null,
  awaiting_payment: null,
  partially_paid: null,
  overdue: 'finance',
  paid: null,
  void: null,
  completed: null,
  cancelled: null,
  needs_attention: 'operator',
}

/**
 * Stable codes of refused actions (the API maps each to its HTTP status in api/errors.ts).
 * WRONG_STATE: the state cannot take it; INVALID_INPUT: the input fails its schema;
 * STALE_PREVIEW: the fingerprint is not the current preview's, or the sources changed;
 * STALE_PDF: the PDF version is not the current one; PREVIEW_HAS_ERRORS; INVALID_EDIT;
 * MAKER_CHECKER; NOT_SKIPPABLE; EFFECTS_MADE: cancel after an external effect;
 * PAYMENT_REFUSED: a hand-recorded payment above what is due, or one PlanFact already shows;
 * CREDIT_EXCEEDS_INVOICE: a credit note confirmed after others took what was left of the invoice.
 */
export const REFUSAL_CODES = [
  'WRONG_STATE',
  'INVALID_INPUT',
  'STALE_PREVIEW',
  'STALE_PDF',
  'PREVIEW_HAS_ERRORS',
  'INVALID_EDIT',
  'MAKER_CHECKER',
  'NOT_SKIPPABLE',
  'EFFECTS_MADE',
  'PAYMENT_REFUSED',
  'CREDIT_EXCEEDS_INVOICE',
  'NOTHING_TO_BILL',
] as const
export type RefusalCode = (typeof REFUSAL_CODES)[number]

/** What an action made happen, returned by its Update once the workflow has acted on it. */
export interface ActionOutcome {
  action: InvoiceActionName
  previousState: InvoiceState
  state: InvoiceState
  invoiceId: string | null
  invoiceNumber: string | null
  pdfVersion: number | null
  /** The current preview's fingerprint (after a refresh: the new one to confirm). */
  fingerprint: string | null
  total: string | null
  currency: string | null
  attention: Attention | null
  /** Once delivered: what was paid and credited, and what is still due. */
  payment?: PaymentView | null
}

/** A delivered invoice's money, as the payment check last saw it (decimal strings). */
export interface PaymentView {
  status: PaymentStatus
  /** YYYY-MM-DD, or null when the invoice has no due date. */
  dueDate: string | null
  total: string
  credited: string
  paid: string
  due: string
  /** The reminders sent, by days after the due date. */
  remindersSent: number[]
  /** When PlanFact was last read, and why it could not be (it is tried again at the next check). */
  checkedAt: string
  planfactProblem: string | null
}
export type PaymentStatus = 'unpaid' | 'partially_paid' | 'overdue' | 'paid' | 'void'

export const refreshUpdate = defineUpdate<ActionOutcome, [ActionInput<'refresh'>]>('refresh')
export const confirmUpdate = defineUpdate<ActionOutcome, [ActionInput<'confirm'>]>('confirm')
export const approveUpdate = defineUpdate<ActionOutcome, [ActionInput<'approve'>]>('approve')
export const rejectUpdate = defineUpdate<ActionOutcome, [ActionInput<'reject'>]>('reject')
export const cancelUpdate = defineUpdate<ActionOutcome, [ActionInput<'cancel'>]>('cancel')
export const retryUpdate = defineUpdate<ActionOutcome, [ActionInput<'retry'>]>('retry')
export const skipUpdate = defineUpdate<ActionOutcome, [ActionInput<'skip'>]>('skip')
export const recordPaymentUpdate = defineUpdate<ActionOutcome, [ActionInput<'recordPayment'>]>('recordPayment')
export const ACTION_UPDATES = {
  refresh: refreshUpdate,
  confirm: confirmUpdate,
  approve: approveUpdate,
  reject: rejectUpdate,
  cancel: cancelUpdate,
  retry: retryUpdate,
  skip: skipUpdate,
  recordPayment: recordPaymentUpdate,
}

/** A credit note of the invoice was approved or completed (or a void): check what is due now. */
export const creditNoteChangedSignal = defineSignal<[{ creditNoteId: string; state: string }]>('creditNoteChanged')

/** What the prefill found, for the start's answer (update-with-start). */
export interface PrefillResult {
  state: InvoiceState
  preview: InvoicePreview | null
  customerId: string | null
}
/** Returns once the first prefill has ended; fails with UNKNOWN_DEAL / UNKNOWN_CUSTOMER / INVALID_INPUT. */
export const awaitPrefillUpdate = defineUpdate<PrefillResult, []>('awaitPrefill')

export interface Attention {
  /** The step that failed: prefill, finalize, render_pdf, or a dispatch step. */
  step: string
  reason: string
  since: string
}

export interface InvoiceView {
  workflowId: string
  state: InvoiceState
  dealId: string
  customerId: string | null
  period: string
  /** The current preview (with the confirmed edits once confirmed). */
  preview: InvoicePreview | null
  invoiceId: string | null
  invoiceNumber: string | null
  pdfVersion: number | null
  startedBy: string
  confirmedBy: string | null
  approvedBy: string | null
  attention: Attention | null
  /** Dispatch steps done so far, with what the external system calls the invoice. */
  dispatch: Record<string, { status: 'done' | 'skipped'; externalId?: string; detail?: string }>
  cancelReason: string | null
  /** Once delivered (runs started before payments were followed have none). */
  payment?: PaymentView | null
}

export const getInvoiceQuery = defineQuery<InvoiceView>('getInvoice')

export interface InvoiceOutcome {
  state: 'completed' | 'cancelled' | 'paid' | 'void'
  invoiceId: string | null
  invoiceNumber: string | null
}
