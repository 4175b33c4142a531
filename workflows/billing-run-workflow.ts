import { proxyActivitiesByConcern } from './proxy-activities-by-concern.js'
import { ActivityFailure, ApplicationFailure, log, setHandler } from '@temporalio/workflow'
import type { BillingRunActivities } from '../activities/billing-run.js'
import {
  DEFAULT_BILLING_RUN_CONCURRENCY,
  getBillingRunQuery,
  MAX_BILLING_RUN_CONCURRENCY,
  type BillingRunView,
  type StartBillingRunInput,
} from './billing-run-contract.js'
import { invoiceWorkflowId } from './invoice-contract.js'
import { RETRY_POLICY } from './retry-policy.js'

/** Reading the deals: one ClickHouse query, bounded by the client's 15 s. */
const listing = proxyActivitiesByConcern<BillingRunActivities>({ startToCloseTimeout: '30s', retry: RETRY_POLICY })

/**
 * Starting an invoice and waiting out its prefill: as long as a prefill takes (it retries on
 * its own through a ClickHouse outage), so a heartbeat, not the overall timeout, notices a
 * worker that died.
 */
const starting = proxyActivitiesByConcern<BillingRunActivities>({ startToCloseTimeout: '2h', heartbeatTimeout: '30s', retry: RETRY_POLICY })

/**
 * The month-end billing run (spec: Month-end billing run): one invoice per billable deal for a
 * period, with at most `concurrency` of them prefilling at once. It ends when every invoice is
 * started and past its prefill; the invoices then live on their own (people confirm and
 * approve them over the following days), and the API reads their progress from them.
 */
export async function billingRunWorkflow(input: StartBillingRunInput): Promise<BillingRunView> {
  const concurrency = Math.min(Math.max(Math.trunc(input.concurrency ?? DEFAULT_BILLING_RUN_CONCURRENCY), 1), MAX_BILLING_RUN_CONCURRENCY)
  const view: BillingRunView = { period: input.period, startedBy: input.startedBy, concurrency, state: 'listing_deals', deals: [] }
  setHandler(getBillingRunQuery, () => view)

  let dealIds: string[]
  try {
    dealIds = await listing.listBillingRunDeals({ period: input.period, ...(input.dealIds ? { dealIds: input.dealIds } : {}) })
  } catch (err) {
    // Bad input (a deal that cannot be billed, a bad period): the run fails with the reason.
    if (err instanceof ActivityFailure && err.cause instanceof ApplicationFailure) {
      throw ApplicationFailure.nonRetryable(err.cause.message, err.cause.type ?? 'InvalidInput')
    }
    throw err
  }
  view.deals = dealIds.map((dealId) => ({ dealId, invoiceId: invoiceWorkflowId(dealId, input.period), start: 'pending', state: null, message: null }))
  view.state = 'starting_invoices'
  log.info('billing run: starting invoices', { period: input.period, deals: dealIds.length, concurrency })

  // `concurrency` lanes take the next deal in turn; each waits for its invoice's prefill.
  let next = 0
  const lane = async (): Promise<void> => {
    while (next < view.deals.length) {
      const deal = view.deals[next++]!
      Object.assign(deal, await starting.startBillingRunInvoice({ dealId: deal.dealId, period: input.period, startedBy: input.startedBy }))
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, view.deals.length) }, lane))

  view.state = 'done'
  log.info('billing run: done', { period: input.period, deals: view.deals.length })
  return view
}
