import type { SourceDeal, SourceWorklog } from '../sources/types.js'
import type { BillingSettings, RoundingSettings } from './types.js'

/**
 * The per-worklog billing rule, in integer arithmetic so the ClickHouse reader can mirror it
 * exactly in SQL (see docs/billing.md):
 *   raw      = if(billableSeconds > 0, billableSeconds, timeSpentSeconds)
 *   rounded  = inc * ceil(raw / (inc * 60))
 *   billable = inc * ceil(max(raw, min * 60) / (inc * 60))
 * A worklog with raw <= 0 is skipped, not billed.
 */

/** Whether Tempo marks the worklog billable: its billable duration is positive. */
export function isBillableWorklog(worklog: Pick<SourceWorklog, 'billableSeconds'>): boolean {
  return worklog.billableSeconds > 0
}

/**
 * The duration the rule starts from: Tempo's billable seconds for billable worklogs (that is
 * what the team agreed to bill), the logged time otherwise (used only when the deal bills
 * non-billable work).
 */
export function computeRawSeconds(worklog: Pick<SourceWorklog, 'billableSeconds' | 'timeSpentSeconds'>): number {
  const raw = isBillableWorklog(worklog) ? worklog.billableSeconds : worklog.timeSpentSeconds
  assertWholeSeconds(raw)
  return raw
}

/** Raw duration rounded up to the increment; shows how much rounding alone adds. */
export function computeRoundedMinutes(rawSeconds: number, rounding: RoundingSettings): number {
  assertRounding(rounding)
  assertPositiveSeconds(rawSeconds)
  const step = rounding.roundingIncrementMinutes
  return step * ceilDiv(rawSeconds, step * 60)
}

/**
 * Final billable minutes of one worklog: at least the minimum and a multiple of the
 * increment, so a minimum that is not a multiple of the increment is rounded up too.
 */
export function computeBillableMinutes(rawSeconds: number, rounding: RoundingSettings): number {
  assertRounding(rounding)
  assertPositiveSeconds(rawSeconds)
  const step = rounding.roundingIncrementMinutes
  return step * ceilDiv(Math.max(rawSeconds, rounding.minBillableMinutes * 60), step * 60)
}

/**
 * The rounding in force for a deal: the deal's own values where it has them, else the settings.
 * The reader must use the same values when it aggregates worklogs into entries.
 */
export function resolveRounding(deal: Pick<SourceDeal, 'minBillableMinutes' | 'roundingIncrementMinutes'>, settings: BillingSettings): RoundingSettings {
  return {
    minBillableMinutes: deal.minBillableMinutes ?? settings.minBillableMinutes,
    roundingIncrementMinutes: deal.roundingIncrementMinutes ?? settings.roundingIncrementMinutes,
  }
}

/** Describes what is wrong with rounding settings, or returns null when they are usable. */
export function describeRoundingProblem(rounding: RoundingSettings): string | null {
  const { minBillableMinutes: min, roundingIncrementMinutes: inc } = rounding
  if (!Number.isSafeInteger(inc) || inc < 1) return `roundingIncrementMinutes must be a whole number of at least 1, got ${String(inc)}`
  if (!Number.isSafeInteger(min) || min < 0) return `minBillableMinutes must be a whole number of at least 0, got ${String(min)}`
  return null
}

function assertRounding(rounding: RoundingSettings): void {
  const problem = describeRoundingProblem(rounding)
  if (problem !== null) throw new RangeError(problem)
}

function assertWholeSeconds(seconds: number): void {
  if (!Number.isSafeInteger(seconds)) throw new RangeError(`worklog durations must be whole seconds, got ${String(seconds)}`)
}

function assertPositiveSeconds(seconds: number): void {
  assertWholeSeconds(seconds)
  if (seconds <= 0) throw new RangeError(`only positive durations are billed, got ${String(seconds)}`)
}

/** ceil(a / b) for non-negative safe integers without going through a fractional quotient. */
function ceilDiv(a: number, b: number): number {
  const remainder = a % b
  return (a - remainder) / b + (remainder > 0 ? 1 : 0)
}
