import { defineQuery } from '@temporalio/workflow'
import type { InvoiceState } from './invoice-contract.js'

/**
 * The month-end billing run's public contract (the API and the CLI import this module, never
 * the workflow): one invoice workflow per active deal for a period, started a few at a time.
 */

export interface StartBillingRunInput {
  /** A month `2026-10` or a range `2026-10-03..2026-10-17` (end exclusive). */
  period: string
  /** Who started it; each invoice is started on their behalf. */
  startedBy: string
  /** Only these deals (each must be active); all active deals when absent. */
  dealIds?: string[]
  /** How many invoices may be prefilling at once (1-20). */
  concurrency?: number
}

export const DEFAULT_BILLING_RUN_CONCURRENCY = 4
export const MAX_BILLING_RUN_CONCURRENCY = 20

/** Workflow id of the billing run of a period: one run at a time per period. */
export function billingRunWorkflowId(periodLabel: string): string {
  return `billing-run:${periodLabel}`
}

/**
 * What the run did for one deal. `started`: this run started its invoice; `existing`: an
 * invoice for the deal and period was already there (running, done, or cancelled by someone:
 * a run never restarts a cancelled invoice); `failed`: the invoice could not be started.
 */
export type BillingRunStart = 'pending' | 'started' | 'existing' | 'failed'

export interface BillingRunDeal {
  dealId: string
  /** The invoice's workflow id (`invoice:<deal>:<period>`). */
  invoiceId: string
  start: BillingRunStart
  /** The invoice's state when the run last looked (null before it started). */
  state: InvoiceState | null
  /** Why the start failed, or what was found instead. */
  message: string | null
}

export type BillingRunState = 'listing_deals' | 'starting_invoices' | 'done'

export interface BillingRunView {
  /** The period's label (`2026-10`, or `2026-10-03..2026-10-17`). */
  period: string
  startedBy: string
  concurrency: number
  state: BillingRunState
  deals: BillingRunDeal[]
}

export const getBillingRunQuery = defineQuery<BillingRunView>('getBillingRun')

/** Progress figures: deals per start outcome and invoices per state. */
export interface BillingRunCounts {
  deals: number
  pending: number
  started: number
  existing: number
  failed: number
  /** Invoices per state (those started or found), e.g. `awaiting_confirmation: 12`. */
  byState: Partial<Record<InvoiceState, number>>
}

export function countBillingRun(deals: readonly BillingRunDeal[]): BillingRunCounts {
  const counts: BillingRunCounts = { deals: deals.length, pending: 0, started: 0, existing: 0, failed: 0, byState: {} }
  for (const deal of deals) {
    counts[deal.start] += 1
    if (deal.state !== null) counts.byState[deal.state] = (counts.byState[deal.state] ?? 0) + 1
  }
  return counts
}
