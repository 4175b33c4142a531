import { WorkflowFailedError, type Client, type WorkflowExecutionDescription } from '@temporalio/client'
import { labelPeriod } from '../../billing/period.js'
import { BILLING_RUN_WORKFLOW_TYPE } from '../start-billing-run.js'
import { parseBillingPeriod } from '../../prefill/billing-period.js'
import {
  billingRunWorkflowId,
  countBillingRun,
  getBillingRunQuery,
  type BillingRunCounts,
  type BillingRunDeal,
  type BillingRunState,
  type BillingRunView,
} from '../../workflows/billing-run-contract.js'
import { billingPeriodKey } from '../../workflows/search-attributes.js'
import { listInvoices } from '../invoices/list-invoices.js'
import { describeWorkflowOfType, isQueryUnanswered } from '../invoices/load-invoice-state.js'
import type { Database } from '../../lib/database.js'
import { mergeLiveStates, type ListedInvoiceRun } from './merge-live-states.js'
import { readDealFigures, type DealFigures } from './read-deal-figures.js'

/** A deal of the run, with the late work on its invoice and the drift of its invoices (PostgreSQL). */
export type BillingRunDealDetails = BillingRunDeal & DealFigures

export interface BillingRunDetails {
  /** The workflow id (`billing-run:<period>`): the run's id in the API. */
  id: string
  runId: string
  /** Temporal's status, lower case: running, completed, failed, terminated, cancelled, timed_out, ... */
  status: string
  period: string
  startedBy: string | null
  concurrency: number | null
  /** The run's own progress; null when no worker answered. */
  state: BillingRunState | null
  startedAt: string
  closedAt: string | null
  counts: BillingRunCounts
  deals: BillingRunDealDetails[]
  /** Set when the deals could not be read (no worker answered the query). */
  notice: string | null
  /** Why the run ended other than completed (the workflow's failure, or the termination reason). */
  failure: string | null
  href: string
}

/** Where a billing run lives in this API: its workflow id, URL-encoded (it contains ':'). */
export function billingRunHref(id: string): string {
  return `/billing-runs/${encodeURIComponent(id)}`
}

/** A run named by its id (`billing-run:2026-10`) or by its period (`2026-10`, `2026-10-01..2026-11-01`). */
export function resolveBillingRunId(idOrPeriod: string): string {
  const parsed = parseBillingPeriod(idOrPeriod)
  return 'period' in parsed ? billingRunWorkflowId(labelPeriod(parsed.period).label) : idOrPeriod
}

/** The latest run of a billing-run workflow, or null when there is none with this id. */
export function describeBillingRun(client: Client, workflowId: string): Promise<WorkflowExecutionDescription | null> {
  return describeWorkflowOfType(client, workflowId, BILLING_RUN_WORKFLOW_TYPE)
}

/**
 * A billing run and its deals: the workflow's result once it completed (no worker needed),
 * otherwise its `getBillingRun` query (within `timeoutMs`; without an answer only what
 * Temporal knows, with a `notice`), then each invoice's state read live from visibility in one
 * listing of the period's invoices, and each deal's late work and drift from PostgreSQL. Null
 * for an unknown id or a workflow of another type.
 */
export async function readBillingRun(options: { client: Client; db: Database; workflowId: string; timeoutMs: number }): Promise<BillingRunDetails | null> {
  const description = await describeBillingRun(options.client, options.workflowId)
  if (!description) return null
  const handle = options.client.workflow.getHandle(description.workflowId, description.runId, { followRuns: false })
  const status = description.status.name
  let view: BillingRunView | null = null
  let notice: string | null = null
  let failure: string | null = null

  if (status === 'COMPLETED') {
    view = (await handle.result()) as BillingRunView
  } else {
    try {
      view = await options.client.withDeadline(Date.now() + options.timeoutMs, () => handle.query(getBillingRunQuery))
    } catch (err) {
      if (!isQueryUnanswered(err)) throw err
      notice = `no worker answered the query within ${options.timeoutMs} ms (is the worker running?): the run's deals and progress are not shown, only what Temporal knows`
    }
    if (status !== 'RUNNING') failure = await readFailure(handle)
  }

  const memo = description.memo ?? {}
  const period = view?.period ?? description.typedSearchAttributes.get(billingPeriodKey) ?? description.workflowId.replace(/^billing-run:/, '')
  const deals = view && view.deals.length > 0 ? mergeLiveStates(view.deals, await listPeriodInvoices(options.client, period)) : (view?.deals ?? [])
  return {
    id: description.workflowId,
    runId: description.runId,
    status: status.toLowerCase(),
    period,
    startedBy: view?.startedBy ?? (typeof memo.startedBy === 'string' ? memo.startedBy : null),
    concurrency: view?.concurrency ?? (typeof memo.concurrency === 'number' ? memo.concurrency : null),
    state: view?.state ?? null,
    startedAt: description.startTime.toISOString(),
    closedAt: description.closeTime?.toISOString() ?? null,
    counts: countBillingRun(deals),
    deals: await withFigures(options.db, deals),
    notice,
    failure,
    href: billingRunHref(description.workflowId),
  }
}

async function withFigures(db: Database, deals: readonly BillingRunDeal[]): Promise<BillingRunDealDetails[]> {
  const figures = await readDealFigures(db, deals)
  return deals.map((deal) => ({ ...deal, ...(figures.get(deal.dealId) ?? { lateWork: null, drift: null }) }))
}

/** Every run of the period's invoices, in one visibility query (paged only past 1000 runs). */
async function listPeriodInvoices(client: Client, period: string): Promise<ListedInvoiceRun[]> {
  const runs: ListedInvoiceRun[] = []
  let cursor: string | undefined
  do {
    const page = await listInvoices({ client, filters: { period }, limit: 1000, cursor })
    runs.push(...page.items)
    cursor = page.nextCursor ?? undefined
  } while (cursor)
  return runs
}

/** The failure of a closed run, cause by cause (`Activity task failed: deal APP-9 is not active`). */
async function readFailure(handle: { result(): Promise<unknown> }): Promise<string | null> {
  try {
    await handle.result()
    return null
  } catch (err) {
    if (!(err instanceof WorkflowFailedError)) throw err
    const messages: string[] = []
    for (let cause: unknown = err.cause ?? err; cause instanceof Error && messages.length < 5; cause = cause.cause) {
      if (cause.message && !messages.includes(cause.message)) messages.push(cause.message)
    }
    return messages.join(': ') || err.message
  }
}
