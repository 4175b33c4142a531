import type { ClickHouseClient } from '@clickhouse/client'
import { buildPreviewWithPlacements, entryKey, type EntryPlacements } from '../billing/build-preview.js'
import type { BillingPeriod, InvoicePreview, RoundingSettings } from '../billing/types.js'
import { computeBillableMinutes, computeRawSeconds, isBillableWorklog, resolveRounding } from '../billing/worklog-minutes.js'
import type { BilledWorkRow } from '../db/billed-work.js'
import { readBillingRules, type BillingRules } from '../db/read-billing-rules.js'
import type { Database } from '../lib/database.js'
import { ERROR_TYPES } from '../lib/error-types.js'
import { PermanentError } from '../lib/permanent-error.js'
import { readCustomer } from '../sources/read-customer.js'
import { readDeal } from '../sources/read-deal.js'
import { readIssues } from '../sources/read-issues.js'
import type { SourceCustomer, SourceDeal } from '../sources/types.js'
import { readBillableWork, type BillableWork } from './read-billable-work.js'
import { computeSourceFingerprint } from './source-fingerprint.js'

export interface PrefillDeps {
  db: Database
  clickhouse: ClickHouseClient
  timeZone: string
}

export interface PrefillRequest {
  dealId: string
  period: BillingPeriod
  /** The invoice being recomputed (after a reject): its own billed work is not "billed elsewhere". */
  invoiceId?: string | null
}

export interface PrefillResult {
  preview: InvoicePreview
  deal: SourceDeal
  customer: SourceCustomer
  /** Worklogs read one by one (the period's and late work), for logs and benchmarks. */
  worklogsRead: number
}

interface ComputedPrefill extends PrefillResult {
  work: BillableWork
  rounding: RoundingSettings
  placements: EntryPlacements
}

/**
 * The prefill: reads the deal, its customer and its work from ClickHouse, the rules and the
 * billed-work ledger from PostgreSQL, and computes the invoice preview. Saves nothing.
 */
export async function prefillInvoice(deps: PrefillDeps, request: PrefillRequest): Promise<PrefillResult> {
  const { preview, deal, customer, worklogsRead } = await computePrefill(deps, request)
  return { preview, deal, customer, worklogsRead }
}

/**
 * The fingerprint the sources have now for this deal and period: equal to a preview's
 * fingerprint exactly when a new prefill would read the same rows, rules and ledger.
 */
export async function readCurrentFingerprint(deps: PrefillDeps, request: PrefillRequest): Promise<string> {
  return (await computePrefill(deps, request)).preview.sourceFingerprint
}

/**
 * The ledger rows of a confirmed preview: every worklog on a line the accountant kept. The work
 * is read again and must give the confirmed fingerprint; `stale` says it no longer does (a sync
 * or another invoice got there between the confirmation and now).
 */
export async function computeBilledWork(deps: PrefillDeps, request: PrefillRequest, confirmed: InvoicePreview): Promise<{ stale: true } | { stale: false; rows: BilledWorkRow[] }> {
  const computed = await computePrefill(deps, request)
  if (computed.preview.sourceFingerprint !== confirmed.sourceFingerprint) return { stale: true }
  const kept = new Set(confirmed.lines.map((line) => line.lineId))
  const { rounding } = computed
  const rows: BilledWorkRow[] = []
  for (const worklog of [...computed.work.periodWorklogs, ...computed.work.lateWorklogs]) {
    const raw = computeRawSeconds(worklog)
    if (raw <= 0) continue
    const lineId = computed.placements.get(entryKey({ ...worklog, billable: isBillableWorklog(worklog) }))
    if (lineId === undefined || lineId === null || !kept.has(lineId)) continue
    rows.push({
      worklogId: worklog.worklogId,
      version: worklog.version,
      issueId: worklog.issueId,
      issueKey: worklog.issueKey,
      workDate: worklog.workDate,
      rawSeconds: raw,
      billableMinutes: computeBillableMinutes(raw, rounding),
      lineKey: lineId,
    })
  }
  return { stale: false, rows }
}

async function computePrefill(deps: PrefillDeps, request: PrefillRequest): Promise<ComputedPrefill> {
  const { deal, customer, rules } = await readDealContext(deps, request.dealId)
  const rounding = resolveRounding(deal, rules.settings)
  const lookbackMonths = rules.app.lateWorkLookbackMonthsByDeal[deal.dealId] ?? rules.app.lateWorkLookbackMonths
  const work = await readBillableWork(deps, { deal, period: request.period, timeZone: deps.timeZone, rounding, lookbackMonths, invoiceId: request.invoiceId ?? null })
  const issueIds = [...work.entries, ...work.lateWork.flatMap((month) => month.entries)].map((e) => e.issueId)
  const issues = await readIssues(deps.clickhouse, issueIds)
  const sourceFingerprint = computeSourceFingerprint({
    dealVersion: deal.version,
    customerVersion: customer.version,
    work: work.digest,
    issues,
    settings: rules.settings,
    lookbackMonths,
    rateRules: rules.rateRules,
    categoryRules: rules.categoryRules,
  })
  const { preview, placements } = buildPreviewWithPlacements({
    deal,
    customer,
    issues,
    entries: work.entries,
    lateWork: work.lateWork,
    billedElsewhere: work.billedElsewhere,
    period: request.period,
    rateRules: rules.rateRules,
    categoryRules: rules.categoryRules,
    settings: rules.settings,
    sourceFingerprint,
  })
  return { preview, placements, deal, customer, work, rounding, worklogsRead: work.periodWorklogs.length + work.lateWorklogs.length }
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
