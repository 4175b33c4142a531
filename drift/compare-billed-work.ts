import { LATE_LINE_PREFIX } from '../billing/build-late-work-lines.js'
import { buildMonthPeriod, isInPeriod } from '../billing/period.js'
import { belongsToDeal } from '../billing/select-entries.js'
import type { BillingPeriod, RoundingSettings } from '../billing/types.js'
import { computeBillableMinutes, computeRawSeconds, isBillableWorklog } from '../billing/worklog-minutes.js'
import type { BillingWorklog } from '../sources/read-billing-worklogs.js'
import type { SourceDeal } from '../sources/types.js'
import type { BilledWorklog, CurrentWorklog, DriftKind, WorklogDrift } from './types.js'

/** What the comparison needs from the invoice: its deal snapshot, period and rounding. */
export interface CompareContext {
  deal: Pick<SourceDeal, 'projectKeys' | 'tempoAccounts' | 'billNonBillable'>
  /** The invoice's period [from, to). */
  period: BillingPeriod
  rounding: RoundingSettings
}

/** A changed worklog before it is priced. */
export type WorklogComparison = Omit<WorklogDrift, 'rate' | 'amountDelta'>

const LATE_MONTH = new RegExp(`^${LATE_LINE_PREFIX}(\\d{4}-\\d{2}):`)

/**
 * The period a ledger row was billed for: the invoice's, or for late work (a line
 * `earlier:2026-09:...`) the month it was dated in, so moving out is judged against that.
 */
export function billedPeriod(lineKey: string, invoicePeriod: BillingPeriod): BillingPeriod {
  const month = LATE_MONTH.exec(lineKey)?.[1]
  return month === undefined ? invoicePeriod : buildMonthPeriod(month)
}

/**
 * One billed worklog against its current version (undefined: deleted), or null when nothing
 * that billing depends on changed. A worklog that no longer counts for the invoice (deleted,
 * moved out of the deal or the period, no longer billable on a deal that bills billable work
 * only) loses all its minutes; otherwise its minutes are recomputed with the deal's rounding
 * when its duration changed. An unchanged duration keeps the ledger's minutes, so a rounding
 * setting changed since the invoice does not show every worklog as drift.
 */
export function compareWorklog(billed: BilledWorklog, current: BillingWorklog | undefined, context: CompareContext): WorklogComparison | null {
  const { worklogId, lineKey, ...billedFacts } = billed
  if (current === undefined) {
    return { worklogId, kinds: ['deleted'], lineKey, billed: billedFacts, current: null, minutesDelta: -billed.billableMinutes }
  }
  const kinds: DriftKind[] = []
  if (current.issueId !== billed.issueId || current.issueKey !== billed.issueKey) kinds.push('issue')
  // Only billable work reaches the ledger of a deal that bills billable work only; a deal that
  // bills everything records no flag, and a flip shows there through the duration.
  if (!context.deal.billNonBillable && !isBillableWorklog(current)) kinds.push('billable')
  if (!isInPeriod(current.workDate, billedPeriod(lineKey, context.period))) kinds.push('work_date')
  if (!belongsToDeal(current, context.deal)) kinds.push('out_of_deal')

  const counts = !kinds.some((kind) => kind !== 'issue')
  const raw = computeRawSeconds(current)
  let minutes = 0
  if (counts && raw > 0) minutes = raw === billed.rawSeconds ? billed.billableMinutes : computeBillableMinutes(raw, context.rounding)
  if (counts && minutes !== billed.billableMinutes) kinds.push('duration')
  if (kinds.length === 0) return null

  const now: CurrentWorklog = {
    version: current.version,
    issueId: current.issueId,
    issueKey: current.issueKey,
    projectKey: current.projectKey,
    accountKey: current.accountKey,
    workDate: current.workDate,
    timeSpentSeconds: current.timeSpentSeconds,
    billableSeconds: current.billableSeconds,
    billableMinutes: minutes,
  }
  return { worklogId, kinds, lineKey, billed: billedFacts, current: now, minutesDelta: minutes - billed.billableMinutes }
}

/** Every billed worklog that changed, in the ledger's order. `current` holds the worklogs that still exist, by id. */
export function compareBilledWork(billed: readonly BilledWorklog[], current: ReadonlyMap<string, BillingWorklog>, context: CompareContext): WorklogComparison[] {
  const changes: WorklogComparison[] = []
  for (const row of billed) {
    const change = compareWorklog(row, current.get(row.worklogId), context)
    if (change !== null) changes.push(change)
  }
  return changes
}
