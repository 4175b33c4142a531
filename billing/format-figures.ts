import { Dec } from './decimal.js'

/** Decimals shown for hours: at least 2 (0.25 h steps read naturally), at most 4. */
export const MIN_HOUR_DECIMALS = 2
export const MAX_HOUR_DECIMALS = 4

/**
 * Writes hours rounded half-up to 4 decimals, trimmed to no fewer than 2, so a 15-minute
 * increment shows as "1.25" while a 10-minute one shows as "0.1667".
 */
export function formatHours(hours: Dec): string {
  return formatQuantity(hours)
}

/** Any line quantity (hours, months, items) in the same 2-to-4-decimal form. */
export function formatQuantity(quantity: Dec): string {
  const rounded = quantity.toDecimalPlaces(MAX_HOUR_DECIMALS, Dec.ROUND_HALF_UP)
  const normalized = rounded.isZero() ? new Dec(0) : rounded
  return normalized.toFixed(Math.max(MIN_HOUR_DECIMALS, normalized.decimalPlaces()))
}

/** Hours from a whole or fractional number of minutes, formatted for display. */
export function formatMinutesAsHours(minutes: Dec): string {
  return formatHours(minutes.div(60))
}

/** Minutes for explanations: up to 2 decimals, no trailing zeros ("754.5"). */
export function formatMinutes(minutes: Dec): string {
  const rounded = minutes.toDecimalPlaces(2, Dec.ROUND_HALF_UP)
  return (rounded.isZero() ? new Dec(0) : rounded).toString()
}
