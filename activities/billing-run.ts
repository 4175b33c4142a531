import type { Database } from '../lib/database.js'
import { Context, sleep } from '@temporalio/activity'
import type { ClickHouseClient } from '@clickhouse/client'
import { ERROR_TYPES } from '../lib/error-types.js'
import { PermanentError } from '../lib/permanent-error.js'
import { startInvoice } from '../operations/start-invoice.js'
import { parseBillingPeriod } from '../prefill/billing-period.js'
import { billableProblem, readDealStandings } from '../sources/read-billable-deals.js'
import type { BillingRunDeal } from '../workflows/billing-run-contract.js'
import { INVOICE_STATES, type InvoiceState } from '../workflows/invoice-contract.js'
import { invoiceStatusKey } from '../workflows/search-attributes.js'
import { failPermanentErrors } from './to-activity-failure.js'

export interface ListRunDealsInput {
  /** The period's label. */
  period: string
  /** Only these deals; all billable deals when absent. */
  dealIds?: string[]
}

export interface StartRunInvoiceInput {
  dealId: string
  period: string
  startedBy: string
}

export type RunInvoiceOutcome = Pick<BillingRunDeal, 'start' | 'state' | 'message'>

/** How often a started invoice is looked at until its prefill is over. */
const PREFILL_POLL_MS = 1_000

/** The billing run's activities: which deals to bill, and starting one invoice. */
export function createBillingRunActivities(deps: { clickhouse: ClickHouseClient; db: Database }) {
  return {
    /** The deals a run bills for `period`, in id order (ClickHouse). */
    async listBillingRunDeals(input: ListRunDealsInput): Promise<string[]> {
      return failPermanentErrors(async () => {
        const parsed = parseBillingPeriod(input.period)
        if ('problem' in parsed) throw new PermanentError(ERROR_TYPES.invalidInput, `period "${input.period}": ${parsed.problem}`)
        const to = parsed.period.to
        const standings = await readDealStandings(deps.clickhouse)
        if (input.dealIds === undefined) return standings.filter((deal) => billableProblem(deal, to) === null).map((deal) => deal.dealId)
        const byId = new Map(standings.map((deal) => [deal.dealId, deal]))
        const problems = input.dealIds.map((id) => {
          const deal = byId.get(id)
          return deal ? billableProblem(deal, to) : `deal ${id} is not in cdm.jira_applications (unknown or deleted)`
        })
        const found = problems.filter((problem) => problem !== null)
        if (found.length > 0) throw new PermanentError(ERROR_TYPES.unknownDeal, `cannot bill ${found.length} of the deals asked for: ${found.join('; ')}`)
        return [...new Set(input.dealIds)].sort()
      })
    },

    /**
     * Starts the deal's invoice (unless one exists; a cancelled one is left cancelled) on the
     * worker's task queue, then waits, heartbeating, until its prefill is over, so the run keeps
     * only so many prefills going. Safe to retry: a retried attempt finds the invoice it
     * started (the first attempt's heartbeat says so) and goes on waiting.
     */
    async startBillingRunInvoice(input: StartRunInvoiceInput): Promise<RunInvoiceOutcome> {
      const context = Context.current()
      const startedEarlier = (context.info.heartbeatDetails as { started?: boolean } | undefined)?.started === true
      const result = await startInvoice({
        client: context.client,
        db: deps.db,
        taskQueue: context.info.taskQueue,
        input: { dealId: input.dealId, period: input.period, startedBy: input.startedBy },
        restartCancelled: false,
      })
      if (!result.started && result.reason === 'invalid_period') return { start: 'failed', state: null, message: result.message }
      // Another invoice of the deal covers part of the period: nothing to start, said in the run's view.
      if (!result.started && result.reason === 'overlap') return { start: 'failed', state: null, message: result.message }
      const start = result.started || startedEarlier ? 'started' : 'existing'
      context.heartbeat({ started: start === 'started' })
      const message = result.started ? null : result.message
      const handle = context.client.workflow.getHandle(result.workflowId)
      for (;;) {
        const description = await handle.describe()
        const state = toInvoiceState(description.typedSearchAttributes.get(invoiceStatusKey))
        if (state !== 'prefilling' || description.status.name !== 'RUNNING') {
          context.log.info('billing run: invoice past prefill', { dealId: input.dealId, invoiceId: result.workflowId, start, state })
          return { start, state, message }
        }
        context.heartbeat({ started: start === 'started' })
        await sleep(PREFILL_POLL_MS)
      }
    },
  }
}

function toInvoiceState(value: string | undefined): InvoiceState | null {
  return INVOICE_STATES.find((state) => state === value) ?? null
}

export type BillingRunActivities = ReturnType<typeof createBillingRunActivities>
