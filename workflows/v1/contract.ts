import { defineQuery, defineSignal } from '@temporalio/workflow'
import type { InvoicePreview, PreviewEdits } from '../../billing/types.js'

/**
 * The invoice workflow's public contract: its input, signals, query and the state it reports.
 * The API and the operator CLI import this module (never the workflow itself).
 */

export const INVOICE_STATES = [
  'prefilling',
  'awaiting_confirmation',
  'finalizing',
  'awaiting_approval',
  'dispatching',
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
}

/** Workflow id of a deal's invoice for a period: one invoice per deal and period. */
export function invoiceWorkflowId(dealId: string, periodLabel: string): string {
  return `invoice:${dealId}:${periodLabel}`
}

export interface ActorInput {
  actor: string
}
export interface ConfirmInput extends ActorInput {
  /** The fingerprint of the preview the user looked at: a stale one is refused. */
  fingerprint: string
  edits?: PreviewEdits
}
export interface ReasonInput extends ActorInput {
  reason: string
}
export type RetryInput = ActorInput
export type SkipInput = ReasonInput

export const refreshSignal = defineSignal<[ActorInput]>('refresh')
export const confirmSignal = defineSignal<[ConfirmInput]>('confirm')
export const approveSignal = defineSignal<[ActorInput]>('approve')
export const rejectSignal = defineSignal<[ReasonInput]>('reject')
export const cancelSignal = defineSignal<[ReasonInput]>('cancel')
export const retrySignal = defineSignal<[RetryInput]>('retry')
export const skipSignal = defineSignal<[SkipInput]>('skip')

export type InvoiceSignalName = 'refresh' | 'confirm' | 'approve' | 'reject' | 'cancel' | 'retry' | 'skip'

/** Which signals each state takes; anything else is refused (recorded, never a crash). */
export const SIGNALS_BY_STATE: Record<InvoiceState, readonly InvoiceSignalName[]> = {
  prefilling: ['cancel'],
  awaiting_confirmation: ['refresh', 'confirm', 'cancel'],
  finalizing: [],
  awaiting_approval: ['approve', 'reject', 'cancel'],
  dispatching: [],
  completed: [],
  cancelled: [],
  needs_attention: ['retry', 'skip', 'cancel'],
}

export interface Refusal {
  signal: InvoiceSignalName
  actor: string
  /** Stable code: WRONG_STATE, STALE_PREVIEW, PREVIEW_HAS_ERRORS, MAKER_CHECKER, INVALID_EDIT, INVALID_INPUT. */
  code: string
  message: string
  state: InvoiceState
  at: string
}

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
  confirmedBy: string | null
  approvedBy: string | null
  lastRefusal: Refusal | null
  attention: Attention | null
  /** Dispatch steps done so far, with what the external system calls the invoice. */
  dispatch: Record<string, { status: 'done' | 'skipped'; externalId?: string; detail?: string }>
  cancelReason: string | null
}

export const getInvoiceQuery = defineQuery<InvoiceView>('getInvoice')

export interface InvoiceOutcome {
  state: 'completed' | 'cancelled'
  invoiceId: string | null
  invoiceNumber: string | null
}
