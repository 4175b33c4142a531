import { formatMoney, formatRate } from './currency.js'
import { Dec } from './decimal.js'
import { explainWorkFigures } from './explain-work.js'
import { formatMinutesAsHours } from './format-figures.js'
import { priceMinutes, type PricingContext } from './pricing-context.js'
import type { PreviewLine } from './types.js'
import type { WorkFigures } from './work-figures.js'

export const RETAINER_FEE_LINE_ID = 'fee:retainer'
export const OVERAGE_LINE_ID = 'overage:retainer'
export const OVERAGE_CAP_LINE_ID = `cap:hours:${OVERAGE_LINE_ID}`

export interface RetainerLines {
  lines: PreviewLine[]
  capLines: PreviewLine[]
  /** Billable minutes above the included hours. */
  overageMinutes: Dec
  /** Minutes an hours cap removed (only ever overage minutes). */
  removedMinutes: Dec
}

/**
 * A retainer bills its fee (which covers the included hours whatever is logged) and the hours
 * above them at the overage rate. An hours cap can only take overage hours away: the fee is
 * owed in full, so when the limit is below the included hours, all overage is removed and no more.
 */
export function buildRetainerLines(options: {
  fee: Dec
  includedHours: Dec
  overageRate: Dec
  figures: WorkFigures
  /** Set only when the deal caps hours (limit mode "cap"). */
  capHours: Dec | null
  context: PricingContext
}): RetainerLines {
  const { fee, includedHours, overageRate, figures, context } = options
  const { currency, minorUnit } = context
  const billableMinutes = new Dec(figures.billableMinutes)
  const includedMinutes = includedHours.times(60)
  const overageMinutes = Dec.max(0, billableMinutes.minus(includedMinutes))
  const coveredMinutes = Dec.min(billableMinutes, includedMinutes)
  const feeAmount = formatMoney(fee, minorUnit)
  const included = formatMinutesAsHours(includedMinutes)

  const lines: PreviewLine[] = [
    {
      lineId: RETAINER_FEE_LINE_ID,
      kind: 'fee',
      category: null,
      description: `Retainer fee, ${context.period.label} (${included} h included)`,
      quantity: '1.00',
      unit: 'month',
      rate: formatRate(fee, minorUnit),
      amount: feeAmount,
      explanation:
        `Monthly retainer fee ${feeAmount} ${currency}, including ${included} h. This period: ${explainWorkFigures(figures, context.rounding)} ` +
        `${formatMinutesAsHours(coveredMinutes)} h are covered by the fee.`,
      rateRuleId: null,
      appliesToLineId: null,
      reason: null,
    },
  ]
  const capLines: PreviewLine[] = []
  let removedMinutes = new Dec(0)
  if (overageMinutes.isZero()) return { lines, capLines, overageMinutes, removedMinutes }

  const rate = formatRate(overageRate, minorUnit)
  const overageHours = formatMinutesAsHours(overageMinutes)
  const overageAmount = priceMinutes(overageMinutes, overageRate, minorUnit)
  const excessMinutes = options.capHours === null ? new Dec(0) : billableMinutes.minus(options.capHours.times(60))
  removedMinutes = Dec.min(overageMinutes, Dec.max(0, excessMinutes))
  const billedMinutes = overageMinutes.minus(removedMinutes)
  const billedAmount = priceMinutes(billedMinutes, overageRate, minorUnit)
  const capNote = removedMinutes.isZero()
    ? ''
    : ` Hours limit: ${formatMinutesAsHours(removedMinutes)} h are removed by line ${OVERAGE_CAP_LINE_ID}, so ${formatMinutesAsHours(billedMinutes)} h = ${formatMoney(billedAmount, minorUnit)} ${currency} are billed.`
  lines.push({
    lineId: OVERAGE_LINE_ID,
    kind: 'overage',
    category: null,
    description: `Hours above the retainer's ${included} h`,
    quantity: overageHours,
    unit: 'hour',
    rate,
    amount: formatMoney(overageAmount, minorUnit),
    explanation:
      `${formatMinutesAsHours(billableMinutes)} billable h - ${included} h included = ${overageHours} h at the overage rate ${rate} ${currency}/h ` +
      `= ${formatMoney(overageAmount, minorUnit)} ${currency}.${capNote}`,
    rateRuleId: null,
    appliesToLineId: null,
    reason: null,
  })
  if (removedMinutes.isZero() || options.capHours === null) return { lines, capLines, overageMinutes, removedMinutes }

  const limit = formatMinutesAsHours(options.capHours.times(60))
  const feeNote = excessMinutes.gt(overageMinutes)
    ? ` The limit is below the included hours; the fee is owed in full, so only the overage is removed.`
    : ''
  capLines.push({
    lineId: OVERAGE_CAP_LINE_ID,
    kind: 'cap',
    category: null,
    description: 'Hours above the limit: retainer overage',
    quantity: formatMinutesAsHours(removedMinutes.neg()),
    unit: 'hour',
    rate,
    amount: formatMoney(billedAmount.minus(overageAmount), minorUnit),
    explanation:
      `The deal caps billable hours at ${limit} h per period; ${formatMinutesAsHours(billableMinutes)} h are billable. ` +
      `${formatMinutesAsHours(removedMinutes)} h of overage are removed: ${formatMinutesAsHours(billedMinutes)} h x ${rate} ${currency}/h = ` +
      `${formatMoney(billedAmount, minorUnit)} ${currency} billed instead of ${formatMoney(overageAmount, minorUnit)} ${currency}.${feeNote}`,
    rateRuleId: null,
    appliesToLineId: OVERAGE_LINE_ID,
    reason: null,
  })
  return { lines, capLines, overageMinutes, removedMinutes }
}
