import { buildMonthPeriod, describePeriodProblem } from '../billing/period.js'
import type { BillingPeriod } from '../billing/types.js'

/**
 * The grammar of a period as a regular expression, for documents (the OpenAPI pattern): a month
 * YYYY-MM (01-12) or a range YYYY-MM-DD..YYYY-MM-DD. The parser below also checks that the dates
 * exist and that the range is not empty, which no pattern says.
 */
export const BILLING_PERIOD_PATTERN = /^\d{4}-(0[1-9]|1[0-2])$|^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])\.\.\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/

/**
 * Parses how users name a period: a calendar month `2026-10`, or an explicit range
 * `2026-10-03..2026-10-17` whose end is exclusive. Returns a message instead of throwing so
 * callers (API, workflow) can report it their way. Pure: the workflow uses it too.
 */
export function parseBillingPeriod(text: string): { period: BillingPeriod } | { problem: string } {
  const trimmed = text.trim()
  if (/^\d{4}-\d{2}$/.test(trimmed)) {
    try {
      return { period: buildMonthPeriod(trimmed) }
    } catch (err) {
      return { problem: (err as Error).message }
    }
  }
  const range = /^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$/.exec(trimmed)
  if (!range) return { problem: `period must be a month YYYY-MM or a range YYYY-MM-DD..YYYY-MM-DD (end exclusive), got "${text}"` }
  const period = { from: range[1]!, to: range[2]! }
  const problem = describePeriodProblem(period)
  return problem ? { problem } : { period }
}
