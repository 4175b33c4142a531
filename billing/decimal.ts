import { Decimal } from 'decimal.js'

/**
 * The one Decimal constructor of the billing core. A private clone so that settings made
 * elsewhere in the process cannot change results here: 60 significant digits keep every
 * intermediate product exact for realistic amounts, and no exponent notation ever appears.
 */
export const Dec = Decimal.clone({
  precision: 60,
  rounding: Decimal.ROUND_HALF_UP,
  toExpNeg: -60,
  toExpPos: 60,
})

export type Dec = Decimal

const DECIMAL_PATTERN = /^-?\d+(\.\d+)?$/

/** True for a plain decimal string such as "12", "-3.50"; false for "", "1e3", " 1", "NaN". */
export function isDecimalString(value: unknown): value is string {
  return typeof value === 'string' && DECIMAL_PATTERN.test(value)
}

/** Decimals the database keeps for rates, fees and quantities (DECIMAL(_, 4) columns). */
export const MAX_RATE_DECIMALS = 4

/**
 * Parses a non-negative plain decimal string with at most `maxDecimals` decimals, or returns
 * null so callers can report a finding instead of storing a figure the database would round.
 */
export function parseNonNegativeDecimal(value: string | null | undefined, maxDecimals = MAX_RATE_DECIMALS): Decimal | null {
  if (!isDecimalString(value) || countDecimals(value) > maxDecimals) return null
  const parsed = new Dec(value)
  return parsed.isNegative() && !parsed.isZero() ? null : parsed.abs()
}

/** Number of decimals written in a plain decimal string ("1.50" has 2). */
export function countDecimals(value: string): number {
  const dot = value.indexOf('.')
  return dot === -1 ? 0 : value.length - dot - 1
}
