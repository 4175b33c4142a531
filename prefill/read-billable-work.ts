import { createHash } from 'node:crypto'
import type { ClickHouseClient } from '@clickhouse/client'
import { buildMonthPeriod } from '../billing/period.js'
import { summarizeWorklogs } from '../billing/summarize-worklogs.js'
import type { BilledElsewhereSummary, BillingPeriod, LateWorkMonth, RoundingSettings, WorkEntry } from '../billing/types.js'
import { computeBillableMinutes, computeRawSeconds } from '../billing/worklog-minutes.js'
import { findBilledElsewhere, readLedgerDays, readLiveInvoices, type LiveInvoice } from '../db/billed-work.js'
import type { Database } from '../lib/database.js'
import { readBillingWorklogs, readWorkDaySummaries, type BillingWorklog } from '../sources/read-billing-worklogs.js'
import type { SourceDeal } from '../sources/types.js'

export interface BillableWorkRequest {
  deal: SourceDeal
  period: BillingPeriod
  timeZone: string
  rounding: RoundingSettings
  /** Months before the period searched for late work; 0 = none. */
  lookbackMonths: number
  /** The invoice being (re)computed, whose own ledger rows do not count as billed elsewhere. */
  invoiceId: string | null
}

/** What an invoice may bill, worklog by worklog, once the ledger has had its say. */
export interface BillableWork {
  /** The period's worklogs no other live invoice bills (all of them: billable or not, for the warnings). */
  periodWorklogs: BillingWorklog[]
  entries: WorkEntry[]
  /** Billable worklogs of invoiced earlier months that no live invoice bills. */
  lateWorklogs: BillingWorklog[]
  lateWork: LateWorkMonth[]
  billedElsewhere: BilledElsewhereSummary
  /** A digest of everything above and of the ledger state it came from (part of the fingerprint). */
  digest: string
}

/**
 * Reads the deal's work for an invoice against the billed-work ledger (docs/billing.md):
 * - the period's worklogs, leaving out any another live invoice bills (whatever its deal);
 * - late work: in the look-back window, on the days an invoice of the deal already covers, the
 *   billable worklogs no live invoice bills. Days are compared first by count and id XOR on both
 *   sides, so only a day that differs is read worklog by worklog, and no list of billed ids is
 *   ever sent to ClickHouse.
 */
export async function readBillableWork(deps: { db: Database; clickhouse: ClickHouseClient }, request: BillableWorkRequest): Promise<BillableWork> {
  const { deal, period, timeZone, rounding, invoiceId } = request
  const windowFrom = request.lookbackMonths > 0 ? lookbackStart(period, request.lookbackMonths) : period.from
  const ledgerQuery = { dealId: deal.dealId, from: windowFrom, to: period.from, exceptInvoiceId: invoiceId }
  const [coverage, ledgerDays] = windowFrom < period.from ? await Promise.all([readLiveInvoices(deps.db, ledgerQuery), readLedgerDays(deps.db, ledgerQuery)]) : [[], []]
  const sourceDays = coverage.length > 0 ? await readWorkDaySummaries(deps.clickhouse, { deal, timeZone, from: windowFrom, to: period.from }) : []
  const ledgerByDay = new Map(ledgerDays.map((d) => [d.workDate, d]))
  const lateDays = sourceDays
    .filter((day) => isCovered(day.workDate, coverage))
    .filter((day) => {
      const ledger = ledgerByDay.get(day.workDate)
      return ledger === undefined || ledger.count !== day.count || ledger.idXor !== day.idXor
    })
    .map((day) => day.workDate)
    .sort()

  const worklogs = await readBillingWorklogs(deps.clickhouse, { deal, timeZone, from: period.from, to: period.to, extraDays: lateDays })
  const elsewhere = await findBilledElsewhere(deps.db, worklogs.map((w) => w.worklogId), invoiceId)
  const billedBy = new Map(elsewhere.map((b) => [b.worklogId, b.number]))

  const periodWorklogs: BillingWorklog[] = []
  const lateWorklogs: BillingWorklog[] = []
  const excluded = { worklogs: 0, billableMinutes: 0, invoices: new Set<string>() }
  for (const worklog of worklogs) {
    const inPeriod = worklog.workDate >= period.from && worklog.workDate < period.to
    const number = billedBy.get(worklog.worklogId)
    if (number === undefined) {
      ;(inPeriod ? periodWorklogs : lateWorklogs).push(worklog)
    } else if (inPeriod) {
      const raw = computeRawSeconds(worklog)
      excluded.worklogs += 1
      excluded.billableMinutes += raw > 0 ? computeBillableMinutes(raw, rounding) : 0
      excluded.invoices.add(number)
    }
  }

  const billedMinutesByMonth = new Map<string, number>()
  for (const day of ledgerDays) billedMinutesByMonth.set(day.workDate.slice(0, 7), (billedMinutesByMonth.get(day.workDate.slice(0, 7)) ?? 0) + day.billableMinutes)
  const lateByMonth = new Map<string, BillingWorklog[]>()
  for (const worklog of lateWorklogs) {
    const month = worklog.workDate.slice(0, 7)
    lateByMonth.set(month, lateByMonth.get(month) ?? [])
    lateByMonth.get(month)!.push(worklog)
  }
  const lateWork: LateWorkMonth[] = [...lateByMonth.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([month, rows]) => ({ month, entries: summarizeWorklogs(rows, rounding), billedMinutes: billedMinutesByMonth.get(month) ?? 0 }))

  const billedElsewhere: BilledElsewhereSummary = { worklogs: excluded.worklogs, billableMinutes: excluded.billableMinutes, invoices: [...excluded.invoices].sort() }
  const digest = digestOf({ windowFrom, coverage, lateDays, billedMinutesByMonth, elsewhere, worklogs })
  return { periodWorklogs, entries: summarizeWorklogs(periodWorklogs, rounding), lateWorklogs, lateWork, billedElsewhere, digest }
}

function isCovered(day: string, coverage: readonly LiveInvoice[]): boolean {
  return coverage.some((invoice) => day >= invoice.from && day < invoice.to)
}

/** "YYYY-MM" moved by `months` (negative goes back). */
export function addMonths(month: string, months: number): string {
  const index = Number(month.slice(0, 4)) * 12 + Number(month.slice(5, 7)) - 1 + months
  return `${String(Math.floor(index / 12)).padStart(4, '0')}-${String((index % 12) + 1).padStart(2, '0')}`
}

/** The first day of the month `months` before the period's month, YYYY-MM-DD. */
export function lookbackStart(period: BillingPeriod, months: number): string {
  return buildMonthPeriod(addMonths(period.from.slice(0, 7), -months)).from
}

// Order-independent and exact: every worklog read (id and version), which invoice bills which,
// and the ledger figures the late lines were priced against.
function digestOf(parts: {
  windowFrom: string
  coverage: LiveInvoice[]
  lateDays: string[]
  billedMinutesByMonth: Map<string, number>
  elsewhere: { worklogId: string; number: string }[]
  worklogs: BillingWorklog[]
}): string {
  const hash = createHash('sha256')
  hash.update(JSON.stringify([parts.windowFrom, parts.coverage.map((c) => [c.number, c.from, c.to]), parts.lateDays, [...parts.billedMinutesByMonth].sort()]))
  hash.update(JSON.stringify(parts.elsewhere.map((e) => `${e.worklogId}@${e.number}`).sort()))
  for (const id of parts.worklogs.map((w) => `${w.worklogId}:${w.version}`).sort()) hash.update(id + ',')
  return hash.digest('hex')
}
