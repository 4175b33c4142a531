import { formatMoney, formatRate } from './currency.js'
import { Dec } from './decimal.js'
import { explainRateSource, explainWorkFigures } from './explain-work.js'
import { formatMinutes, formatMinutesAsHours } from './format-figures.js'
import type { HoursCapPlan } from './plan-hours-cap.js'
import type { TimeLineGroup } from './price-time-entries.js'
import { priceMinutes, type PricingContext } from './pricing-context.js'
import type { PreviewLine } from './types.js'

/**
 * Turns time groups into invoice lines: hours x rate per group, uncapped, plus one negative
 * cap line per group an hours cap takes minutes from. A line and its cap line together bill
 * exactly the capped minutes at the line's rate, rounded once.
 */
export function buildTimeLines(
  groups: readonly TimeLineGroup[],
  plan: HoursCapPlan | null,
  context: PricingContext,
): { lines: PreviewLine[]; capLines: PreviewLine[] } {
  const { currency, minorUnit } = context
  const linesPerCategory = new Map<string, number>()
  for (const group of groups) linesPerCategory.set(group.category, (linesPerCategory.get(group.category) ?? 0) + 1)

  const lines: PreviewLine[] = []
  const capLines: PreviewLine[] = []
  for (const group of groups) {
    const minutes = new Dec(group.figures.billableMinutes)
    const rate = formatRate(group.rate, minorUnit)
    const hours = formatMinutesAsHours(minutes)
    const amount = priceMinutes(minutes, group.rate, minorUnit)
    const removed = plan?.removed.get(group.lineId)
    const capLineId = `cap:hours:${group.lineId}`
    const billedMinutes = removed === undefined ? minutes : minutes.minus(removed.minutes)
    const billedAmount = priceMinutes(billedMinutes, group.rate, minorUnit)
    const capNote =
      removed === undefined
        ? ''
        : ` Hours limit: ${formatMinutesAsHours(removed.minutes)} h of this line are removed by line ${capLineId}, so ${formatMinutesAsHours(billedMinutes)} h = ${formatMoney(billedAmount, minorUnit)} ${currency} are billed.`
    const several = (linesPerCategory.get(group.category) ?? 0) > 1
    lines.push({
      lineId: group.lineId,
      kind: 'time',
      category: group.category,
      description: several ? `${group.category} (${group.firstDate} to ${group.lastDate} at ${rate} ${currency}/h)` : group.category,
      quantity: hours,
      unit: 'hour',
      rate,
      amount: formatMoney(amount, minorUnit),
      explanation:
        `${explainWorkFigures(group.figures, context.rounding)} ${explainRateSource(rate, currency, group.rule, group.scope)}` +
        ` ${hours} h (${group.figures.billableMinutes} min) x ${rate} ${currency}/h = ${formatMoney(amount, minorUnit)} ${currency}.${capNote}`,
      rateRuleId: group.rule?.id ?? null,
      appliesToLineId: null,
      reason: null,
    })
    if (removed === undefined || plan === null) continue
    const capAmount = billedAmount.minus(amount)
    capLines.push({
      lineId: capLineId,
      kind: 'cap',
      category: group.category,
      description: `Hours above the limit: ${group.category}`,
      quantity: formatMinutesAsHours(removed.minutes.neg()),
      unit: 'hour',
      rate,
      amount: formatMoney(capAmount, minorUnit),
      explanation:
        `The deal caps billable hours at ${formatMinutesAsHours(plan.limitMinutes)} h per period; ${formatMinutesAsHours(plan.totalMinutes)} h are billable, ` +
        `${formatMinutesAsHours(plan.excessMinutes)} h over. Removed from the latest work dates first: ${formatMinutes(removed.minutes)} min of line ${group.lineId} ` +
        `(work dates ${removed.workDates.join(', ')}). Billed ${formatMinutesAsHours(billedMinutes)} h x ${rate} ${currency}/h = ${formatMoney(billedAmount, minorUnit)} ${currency} ` +
        `instead of ${formatMoney(amount, minorUnit)} ${currency}.`,
      rateRuleId: group.rule?.id ?? null,
      appliesToLineId: group.lineId,
      reason: null,
    })
  }
  return { lines, capLines }
}
