import { formatMoney, roundMoney } from './currency.js'
import { Dec } from './decimal.js'
import type { PreviewLine } from './types.js'

export interface PreviewTotals {
  uncappedSubtotal: string
  subtotal: string
  vatAmount: string
  total: string
}

/** Sum of line amounts; lines carry amounts already rounded to the minor unit. */
export function sumLineAmounts(lines: readonly PreviewLine[]): Dec {
  return lines.reduce((sum, line) => sum.plus(line.amount), new Dec(0))
}

/**
 * Subtotal is the plain sum of the lines; VAT is applied once, to the subtotal, and rounded
 * half-up, so the VAT on an invoice never depends on how work was split into lines.
 */
export function computeTotals(lines: readonly PreviewLine[], vatRate: Dec, minorUnit: number): PreviewTotals {
  const subtotal = sumLineAmounts(lines)
  const uncapped = sumLineAmounts(lines.filter((line) => line.kind !== 'cap'))
  const vat = roundMoney(subtotal.times(vatRate).div(100), minorUnit)
  return {
    uncappedSubtotal: formatMoney(uncapped, minorUnit),
    subtotal: formatMoney(subtotal, minorUnit),
    vatAmount: formatMoney(vat, minorUnit),
    total: formatMoney(subtotal.plus(vat), minorUnit),
  }
}
