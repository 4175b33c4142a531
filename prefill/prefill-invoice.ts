import type { ClickHouseClient } from '@clickhouse/client'
import { buildPreview } from '../billing/build-preview.js'
import type { BillingPeriod, InvoicePreview } from '../billing/types.js'
import { resolveRounding } from '../billing/worklog-minutes.js'
import { readBillingRules, type BillingRules } from '../db/read-billing-rules.js'
import type { Database } from '../lib/database.js'
import { ERROR_TYPES } from '../lib/error-types.js'
import { PermanentError } from '../lib/permanent-error.js'
import { readCustomer } from '../sources/read-customer.js'
import { readDeal } from '../sources/read-deal.js'
import { readIssues } from '../sources/read-issues.js'
import { readWorkEntries, readWorkFingerprint, type WorkFingerprint, type WorkSelection } from '../sources/read-work-entries.js'
import type { SourceCustomer, SourceDeal } from '../sources/types.js'
import { computeSourceFingerprint } from './source-fingerprint.js'

export interface PrefillDeps {
  db: Database
  clickhouse: ClickHouseClient
  timeZone: string
}

export interface PrefillRequest {
  dealId: string
  period: BillingPeriod
}

export interface PrefillResult {
  preview: InvoicePreview
  deal: SourceDeal
  customer: SourceCustomer
  /** Rows of worklogs the entries summarize, for logs and benchmarks. */
  worklogsRead: number
}

/**
 * The seed's prefill: reads the deal, its customer and its work in the period from ClickHouse
 * and the rules from PostgreSQL, and computes the invoice preview. Saves nothing.
 */
export async function prefillInvoice(deps: PrefillDeps, request: PrefillRequest): Promise<PrefillResult> {
  const { deal, customer, rules } = await readDealContext(deps, request.dealId)
  const selection: WorkSelection = { deal, from: request.period.from, to: request.period.to, timeZone: deps.timeZone }
  // One query at a time: the embedded engine runs them one by one anyway.
  const entries = await readWorkEntries(deps.clickhouse, selection, resolveRounding(deal, rules.settings))
  const work = await readWorkFingerprint(deps.clickhouse, selection)
  const issues = await readIssues(deps.clickhouse, [...new Set(entries.map((e) => e.issueId))])
  const preview = buildPreview({
    deal,
    customer,
    issues,
    entries,
    period: request.period,
    rateRules: rules.rateRules,
    categoryRules: rules.categoryRules,
    settings: rules.settings,
    sourceFingerprint: fingerprintOf({ deal, customer, rules }, work),
  })
  return { preview, deal, customer, worklogsRead: Number(work.worklogs.count) }
}

/**
 * The fingerprint the sources have now for this deal and period: equal to a preview's
 * fingerprint exactly when a new prefill would read the same rows and rules.
 */
export async function readCurrentFingerprint(deps: PrefillDeps, request: PrefillRequest): Promise<string> {
  const { deal, customer, rules } = await readDealContext(deps, request.dealId)
  const work = await readWorkFingerprint(deps.clickhouse, { deal, from: request.period.from, to: request.period.to, timeZone: deps.timeZone })
  return fingerprintOf({ deal, customer, rules }, work)
}

function fingerprintOf(context: { deal: SourceDeal; customer: SourceCustomer; rules: BillingRules }, work: WorkFingerprint): string {
  return computeSourceFingerprint({
    dealVersion: context.deal.version,
    customerVersion: context.customer.version,
    work,
    settings: context.rules.settings,
    rateRules: context.rules.rateRules,
    categoryRules: context.rules.categoryRules,
  })
}

async function readDealContext(
  deps: PrefillDeps,
  dealId: string,
): Promise<{ deal: SourceDeal; customer: SourceCustomer; rules: BillingRules }> {
  const deal = await readDeal(deps.clickhouse, dealId)
  if (!deal) throw new PermanentError(ERROR_TYPES.unknownDeal, `deal "${dealId}" is not in cdm.jira_applications (unknown or deleted)`)
  const customer = await readCustomer(deps.clickhouse, deal.customerId)
  if (!customer) {
    throw new PermanentError(ERROR_TYPES.unknownCustomer, `customer "${deal.customerId}" of deal "${dealId}" is not in cdm.jira_customers`)
  }
  const rules = await readBillingRules(deps.db, { dealId: deal.dealId, customerId: customer.customerId })
  return { deal, customer, rules }
}
