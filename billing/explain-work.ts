import { Dec } from './decimal.js'
import { formatMinutes, formatMinutesAsHours } from './format-figures.js'
import type { RateRule, RateScope, RoundingSettings } from './types.js'
import type { WorkFigures } from './work-figures.js'

/**
 * The first half of every hours explanation: raw minutes, what rounding and the minimum
 * added, and the billable result, so an accountant can check the figure by hand.
 */
export function explainWorkFigures(figures: WorkFigures, rounding: RoundingSettings): string {
  const raw = new Dec(figures.rawSeconds).div(60)
  const roundingAdded = new Dec(figures.roundedMinutes).minus(raw)
  const minimumAdded = figures.billableMinutes - figures.roundedMinutes
  const nonBillable =
    figures.nonBillableWorklogs > 0
      ? ` (${figures.nonBillableWorklogs} of them non-billable in Tempo, billed because the deal bills non-billable time)`
      : ''
  return (
    `${figures.worklogCount} ${figures.worklogCount === 1 ? 'worklog' : 'worklogs'}${nonBillable}: ${formatMinutes(raw)} min raw` +
    `, +${formatMinutes(roundingAdded)} min rounding up to ${rounding.roundingIncrementMinutes}-min steps` +
    `, +${minimumAdded} min for the ${rounding.minBillableMinutes}-min minimum per worklog` +
    ` = ${figures.billableMinutes} billable min (${formatMinutesAsHours(new Dec(figures.billableMinutes))} h).`
  )
}

/** Where a rate came from, naming the rule and its scope, or the deal. */
export function explainRateSource(rate: string, currency: string, rule: RateRule | null, scope: RateScope | null): string {
  if (rule === null || scope === null) return `Rate ${rate} ${currency}/h: the deal's hourly rate (no rate rule applies).`
  const until = rule.validTo === null ? 'open-ended' : `until ${rule.validTo} exclusive`
  return `Rate ${rate} ${currency}/h from rate rule ${rule.id} (scope ${scope}, valid from ${rule.validFrom}, ${until}).`
}
