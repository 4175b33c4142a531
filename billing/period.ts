import type { BillingPeriod, PreviewPeriod } from './types.js'

/**
 * Billing periods are half-open ranges of calendar dates written YYYY-MM-DD. Dates compare as
 * strings, so no time zone or Date object is involved: the reader already assigned each
 * worklog its work date in the company time zone.
 */

const DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/
const MONTH_PATTERN = /^(\d{4})-(\d{2})$/

/** Whether a string is a real calendar date in YYYY-MM-DD form. */
export function isIsoDate(value: string): boolean {
  const match = DATE_PATTERN.exec(value)
  if (!match) return false
  const year = Number(match[1])
  const month = Number(match[2])
  const day = Number(match[3])
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month)
}

/** Describes what is wrong with a period, or returns null when it is a non-empty date range. */
export function describePeriodProblem(period: BillingPeriod): string | null {
  if (!isIsoDate(period.from)) return `period.from must be a date YYYY-MM-DD, got "${period.from}"`
  if (!isIsoDate(period.to)) return `period.to must be a date YYYY-MM-DD, got "${period.to}"`
  if (period.from >= period.to) return `period.from (${period.from}) must be before period.to (${period.to}, exclusive)`
  return null
}

/** The [from, to) range of a calendar month given as YYYY-MM, for callers that bill by month. */
export function buildMonthPeriod(month: string): BillingPeriod {
  const match = MONTH_PATTERN.exec(month)
  const year = Number(match?.[1])
  const monthNumber = Number(match?.[2])
  if (!match || monthNumber < 1 || monthNumber > 12) throw new RangeError(`month must be YYYY-MM, got "${month}"`)
  const nextYear = monthNumber === 12 ? year + 1 : year
  const nextMonth = monthNumber === 12 ? 1 : monthNumber + 1
  return { from: `${match[1]}-${match[2]}-01`, to: `${pad(nextYear, 4)}-${pad(nextMonth, 2)}-01` }
}

/** Whether the period is exactly one whole calendar month (what monthly fees are priced for). */
export function isCalendarMonth(period: BillingPeriod): boolean {
  if (!isIsoDate(period.from) || !period.from.endsWith('-01')) return false
  return buildMonthPeriod(period.from.slice(0, 7)).to === period.to
}

/** "2026-10" for a calendar month, otherwise "from..to" with the end exclusive like the range. */
export function labelPeriod(period: BillingPeriod): PreviewPeriod {
  const label = isCalendarMonth(period) ? period.from.slice(0, 7) : `${period.from}..${period.to}`
  return { from: period.from, to: period.to, label }
}

/** Whether a work date falls in [from, to). */
export function isInPeriod(workDate: string, period: BillingPeriod): boolean {
  return workDate >= period.from && workDate < period.to
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28
  return [4, 6, 9, 11].includes(month) ? 30 : 31
}

function pad(value: number, width: number): string {
  return String(value).padStart(width, '0')
}
