import { formatMoney, formatRate } from './currency.js'
import { Dec } from './decimal.js'
import { sumLineAmounts } from './compute-totals.js'
import { WARNING_CODES } from './finding-codes.js'
import type { Finding, PreviewLimits, PreviewLine } from './types.js'

export const AMOUNT_CAP_LINE_ID = 'cap:amount'

/**
 * Enforces the deal's amount limit on the lines as they stand (after any hours cap): in cap
 * mode one negative line brings the subtotal down to the limit exactly; in warn mode nothing
 * changes. Either way the excess is reported. Used by the prefill and again after edits, so a
 * manual line cannot push a capped invoice over its limit.
 */
export function applyAmountLimit(options: {
  /** Lines without any amount-cap line. */
  lines: readonly PreviewLine[]
  limits: PreviewLimits
  currency: string
  minorUnit: number
}): { lines: PreviewLine[]; warning: Finding | null } {
  const { limits, currency, minorUnit } = options
  const lines = [...options.lines]
  if (limits.amountLimit === null) return { lines, warning: null }
  const limit = new Dec(limits.amountLimit)
  const subtotal = sumLineAmounts(lines)
  if (subtotal.lte(limit)) return { lines, warning: null }

  const excess = subtotal.minus(limit)
  const shown = { subtotal: formatMoney(subtotal, minorUnit), limit: formatMoney(limit, minorUnit), excess: formatMoney(excess, minorUnit) }
  const capped = limits.mode === 'cap'
  if (capped) {
    lines.push({
      lineId: AMOUNT_CAP_LINE_ID,
      kind: 'cap',
      category: null,
      description: 'Amount above the limit',
      quantity: '1.00',
      unit: 'item',
      rate: formatRate(excess.neg(), minorUnit),
      amount: formatMoney(excess.neg(), minorUnit),
      explanation: `The deal caps the billed amount at ${shown.limit} ${currency} per period before VAT; the lines come to ${shown.subtotal} ${currency}, so ${shown.excess} ${currency} are taken off.`,
      rateRuleId: null,
      appliesToLineId: null,
      reason: null,
    })
  }
  return {
    lines,
    warning: {
      code: WARNING_CODES.AMOUNT_LIMIT_EXCEEDED,
      message:
        `The amount ${shown.subtotal} ${currency} is above the deal's limit of ${shown.limit} ${currency} per period by ${shown.excess} ${currency}; ` +
        (capped ? `line ${AMOUNT_CAP_LINE_ID} takes the excess off.` : 'the deal is warn-only, so the full amount is billed.'),
      details: { amount: shown.subtotal, limit: shown.limit, excess: shown.excess, mode: limits.mode, capped },
    },
  }
}
