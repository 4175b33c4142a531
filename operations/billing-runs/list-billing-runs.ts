import type { Client } from '@temporalio/client'
import { BILLING_RUN_WORKFLOW_TYPE } from '../start-billing-run.js'
import { billingPeriodKey } from '../../workflows/search-attributes.js'
import { quoteQueryValue } from '../invoices/invoice-list-query.js'
import { describeExecution, listExecutions, readKeyword } from '../invoices/list-invoices.js'
import { billingRunHref } from './read-billing-run.js'

export interface BillingRunSummary {
  id: string
  runId: string
  /** Temporal's status, lower case (running, completed, failed, terminated, ...). */
  status: string
  period: string | null
  startedBy: string | null
  startedAt: string | null
  closedAt: string | null
  href: string
}

export interface BillingRunPage {
  items: BillingRunSummary[]
  nextCursor: string | null
}

/** The visibility query of billing runs, of one period (its label) when given. */
export function buildBillingRunListQuery(period?: string): string {
  const clauses = [`WorkflowType = ${quoteQueryValue(BILLING_RUN_WORKFLOW_TYPE)}`]
  if (period !== undefined) clauses.push(`${billingPeriodKey.name} = ${quoteQueryValue(period)}`)
  return clauses.join(' AND ')
}

/**
 * One page of billing runs from Temporal visibility, in its order: running runs first (newest
 * start first), then closed ones by close time, newest first. Every run is listed, so a period
 * run twice shows twice (same id, different runId).
 */
export async function listBillingRuns(options: { client: Client; period?: string; limit: number; cursor?: string }): Promise<BillingRunPage> {
  const page = await listExecutions({ client: options.client, query: buildBillingRunListQuery(options.period), limit: options.limit, cursor: options.cursor })
  const items = page.executions.map((raw): BillingRunSummary => {
    const { workflowStatus, ...execution } = describeExecution(raw)
    return {
      ...execution,
      status: workflowStatus.toLowerCase(),
      period: readKeyword(raw.searchAttributes?.indexedFields ?? {}, billingPeriodKey.name),
      startedBy: readKeyword(raw.memo?.fields ?? {}, 'startedBy'),
      href: billingRunHref(execution.id),
    }
  })
  return { items, nextCursor: page.nextCursor }
}
