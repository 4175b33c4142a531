import { defineQuery, defineUpdate } from '@temporalio/workflow'
import type { CreditNoteFigures } from '../credit-notes/compute-credit-note.js'
import type { CreditNoteActionName, CreditNoteRequest } from '../credit-notes/credit-note-schemas.js'
import type { ActionOutcome, Attention, InvoiceState } from './invoice-contract.js'

/**
 * The credit note workflow's public contract (docs/workflow.md, "After delivery"): its input,
 * the states and actions, the query. Its actions are Updates with the invoice's names and
 * input schemas (confirm, approve, reject, cancel, retry, skip), so one client sends both.
 */

export interface StartCreditNoteInput {
  creditNoteId: string
  seq: number
  request: CreditNoteRequest
  requestedBy: string
  /** The invoice it corrects, as the API read it (the draft activity checks it again). */
  invoice: { invoiceId: string; workflowId: string; number: string; dealId: string; customerId: string; period: string }
}

/** `credit-note:<invoice id>:<seq>`: one workflow per credit note, numbered per invoice. */
export function creditNoteWorkflowId(invoiceId: string, seq: number): string {
  return `credit-note:${invoiceId}:${seq}`
}

/** The credit note's states: the invoice's gates, then its own dispatch. */
export const CREDIT_NOTE_STATES = ['drafting', 'awaiting_confirmation', 'finalizing', 'awaiting_approval', 'dispatching', 'completed', 'cancelled', 'needs_attention'] as const
export type CreditNoteState = (typeof CREDIT_NOTE_STATES)[number]

/** Which actions each state takes (the validators refuse the others with WRONG_STATE). */
export const CREDIT_NOTE_ACTIONS_BY_STATE: Partial<Record<InvoiceState, readonly CreditNoteActionName[]>> = {
  prefilling: [],
  awaiting_confirmation: ['confirm', 'cancel'],
  finalizing: ['cancel'],
  awaiting_approval: ['approve', 'reject', 'cancel'],
  dispatching: [],
  completed: [],
  cancelled: [],
  needs_attention: ['retry', 'skip', 'cancel'],
}

/** The run's state as people see it ("drafting" until the draft exists). */
export function creditNoteState(state: InvoiceState): CreditNoteState {
  return state === 'prefilling' ? 'drafting' : (state as CreditNoteState)
}

/** How the credit note reaches the buyer: e-mail, or Didox (cancel the ESF, or a corrected or additional one). */
export type CreditNoteDelivery = 'email' | 'didox'

export interface CreditNoteView {
  workflowId: string
  creditNoteId: string
  state: CreditNoteState
  kind: 'partial' | 'void'
  correction: 'error' | 'terms'
  reason: string
  invoice: StartCreditNoteInput['invoice']
  number: string | null
  currency: string | null
  figures: CreditNoteFigures | null
  /** What the accountant confirms: the figures as they were drafted. */
  fingerprint: string | null
  pdfVersion: number | null
  delivery: CreditNoteDelivery | null
  requestedBy: string
  confirmedBy: string | null
  approvedBy: string | null
  attention: Attention | null
  dispatch: Record<string, { status: 'done' | 'skipped'; externalId?: string; detail?: string }>
  cancelReason: string | null
}

/** An action's outcome on a credit note: the invoice's shape, plus the credit note's own number and figures. */
export interface CreditNoteOutcome extends ActionOutcome {
  creditNoteId: string
  creditNoteNumber: string | null
  creditNoteState: CreditNoteState
}

export const getCreditNoteQuery = defineQuery<CreditNoteView>('getCreditNote')

/** Returns once the draft exists (the start's answer); fails with INVALID_CREDIT_NOTE / CREDIT_EXCEEDS_INVOICE / WRONG_STATE. */
export const awaitDraftUpdate = defineUpdate<CreditNoteView, []>('awaitDraft')

export interface CreditNoteResult {
  state: 'completed' | 'cancelled'
  creditNoteId: string
  number: string | null
}
