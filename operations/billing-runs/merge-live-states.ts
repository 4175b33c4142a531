import { INVOICE_STATES, type InvoiceState } from '../../workflows/invoice-contract.js'
import type { BillingRunDeal } from '../../workflows/billing-run-contract.js'

/** One invoice run as Temporal visibility lists it. */
export interface ListedInvoiceRun {
  id: string
  runId: string
  state: string | null
  startedAt: string | null
}

/**
 * The run that counts for each invoice id: the latest started (a cancelled invoice started
 * again has two runs with the same id). Runs without a start time lose to those with one.
 */
export function latestRunById(runs: readonly ListedInvoiceRun[]): Map<string, ListedInvoiceRun> {
  const latest = new Map<string, ListedInvoiceRun>()
  for (const run of runs) {
    const kept = latest.get(run.id)
    if (!kept || (run.startedAt ?? '') > (kept.startedAt ?? '')) latest.set(run.id, run)
  }
  return latest
}

/**
 * The run's deals with each invoice's state read live from visibility instead of as the run
 * last saw it. Only deals whose invoice the run started or found get a live state: a pending
 * deal has no invoice of this run yet, and a failed one never got one. A state visibility does
 * not know (not listed yet: it is eventually consistent; or an unknown value) keeps the run's.
 */
export function mergeLiveStates(deals: readonly BillingRunDeal[], runs: readonly ListedInvoiceRun[]): BillingRunDeal[] {
  const latest = latestRunById(runs)
  return deals.map((deal) => {
    if (deal.start !== 'started' && deal.start !== 'existing') return deal
    const live = latest.get(deal.invoiceId)?.state
    const state = INVOICE_STATES.find((s) => s === live)
    return state === undefined || state === deal.state ? deal : { ...deal, state: state satisfies InvoiceState }
  })
}
