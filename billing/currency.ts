import { Dec } from './decimal.js'

/**
 * ISO 4217 minor units of the currencies this app invoices in. A currency missing here is a
 * blocking error rather than a guess, because rounding to the wrong unit changes amounts.
 */
export const CURRENCY_MINOR_UNITS: Readonly<Record<string, number>> = Object.freeze({
  EUR: 2,
  RUB: 2,
  USD: 2,
  UZS: 2,
})

/** Minor unit used while an unknown currency is reported as an error. */
export const FALLBACK_MINOR_UNIT = 2

/** Minor-unit decimals of a currency, or null when the currency is not in the table. */
export function getMinorUnit(currency: string): number | null {
  return Object.prototype.hasOwnProperty.call(CURRENCY_MINOR_UNITS, currency)
    ? (CURRENCY_MINOR_UNITS[currency] ?? null)
    : null
}

/** Rounds half away from zero to the minor unit: the commercial rounding invoices use. */
export function roundMoney(value: Dec, minorUnit: number): Dec {
  return value.toDecimalPlaces(minorUnit, Dec.ROUND_HALF_UP)
}

/** Writes money with exactly the minor-unit decimals and never as "-0.00". */
export function formatMoney(value: Dec, minorUnit: number): string {
  const rounded = roundMoney(value, minorUnit)
  return (rounded.isZero() ? new Dec(0) : rounded).toFixed(minorUnit)
}

/** Writes a rate with at least the minor-unit decimals, keeping any finer decimals it has. */
export function formatRate(value: Dec, minorUnit: number): string {
  const normalized = value.isZero() ? new Dec(0) : value
  return normalized.toFixed(Math.max(minorUnit, normalized.decimalPlaces()))
}
