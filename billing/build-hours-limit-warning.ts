import type { LimitMode } from '../sources/types.js'
import type { Dec } from './decimal.js'
import { WARNING_CODES } from './finding-codes.js'
import { formatMinutesAsHours } from './format-figures.js'
import type { Finding } from './types.js'

/**
 * The warning for billable hours above the deal's limit. `outcome` says what the invoice did
 * about it, which depends on the deal type and the limit mode.
 */
export function buildHoursLimitWarning(options: {
  billableMinutes: Dec
  limitHours: Dec
  mode: LimitMode
  removedMinutes: Dec
  outcome: string
}): Finding {
  const billable = formatMinutesAsHours(options.billableMinutes)
  const limit = formatMinutesAsHours(options.limitHours.times(60))
  const excess = formatMinutesAsHours(options.billableMinutes.minus(options.limitHours.times(60)))
  return {
    code: WARNING_CODES.HOURS_LIMIT_EXCEEDED,
    message: `Billable hours ${billable} h are above the deal's limit of ${limit} h per period by ${excess} h; ${options.outcome}`,
    details: {
      billableHours: billable,
      limitHours: limit,
      excessHours: excess,
      removedHours: formatMinutesAsHours(options.removedMinutes),
      mode: options.mode,
    },
  }
}
