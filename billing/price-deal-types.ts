import { buildFixedFeeLine, FIXED_FEE_LINE_ID } from './build-fixed-fee-line.js'
import { buildHoursLimitWarning } from './build-hours-limit-warning.js'
import type { BilledItem } from './build-issue-details.js'
import { buildRetainerLines, OVERAGE_CAP_LINE_ID, RETAINER_FEE_LINE_ID } from './build-retainer-lines.js'
import { buildTimeLines } from './build-time-lines.js'
import type { CategorizedEntry } from './categorize-entries.js'
import { Dec } from './decimal.js'
import { formatMinutesAsHours } from './format-figures.js'
import { planHoursCap } from './plan-hours-cap.js'
import { priceTimeEntries } from './price-time-entries.js'
import type { PricingContext } from './pricing-context.js'
import type { BillingTerms } from './read-billing-terms.js'
import type { Finding, PrefillInput, PreviewLine } from './types.js'
import { validateRateRules } from './validate-rate-rules.js'
import { sumWorkFigures } from './work-figures.js'

/** What a deal type contributes: its lines before the amount limit, and where each entry went. */
export interface DealTypeResult {
  lines: PreviewLine[]
  capLines: PreviewLine[]
  billed: BilledItem[]
  removedMinutes: Dec
  warnings: Finding[]
  errors: Finding[]
}

export interface DealTypePricing {
  input: PrefillInput
  items: CategorizedEntry[]
  terms: BillingTerms
  context: PricingContext
}

export function priceDealType(options: DealTypePricing): DealTypeResult {
  switch (options.input.deal.dealType) {
    case 'time_and_materials':
      return priceTimeAndMaterials(options)
    case 'fixed_monthly':
      return priceFixedMonthly(options)
    case 'retainer':
      return priceRetainer(options)
  }
}

export function priceTimeAndMaterials(options: DealTypePricing): DealTypeResult {
  const { input, items, terms, context } = options
  const { deal } = input
  const rules = validateRateRules(input.rateRules, deal)
  const pricing = priceTimeEntries({ items, deal, dealRate: terms.hourlyRate, dealRateInvalid: deal.hourlyRate !== null && terms.hourlyRate === null, rules: rules.rules })
  const plan = terms.hoursLimit === null ? null : planHoursCap(pricing.groups, terms.hoursLimit)
  const capping = plan !== null && deal.limitMode === 'cap'
  const { lines, capLines } = buildTimeLines(pricing.groups, capping ? plan : null, context)

  let removedMinutes = new Dec(0)
  const warnings = [...pricing.warnings]
  if (plan !== null && terms.hoursLimit !== null) {
    const dates = new Set<string>()
    for (const removed of plan.removed.values()) {
      if (capping) removedMinutes = removedMinutes.plus(removed.minutes)
      for (const date of removed.workDates) dates.add(date)
    }
    warnings.push(
      buildHoursLimitWarning({
        billableMinutes: plan.totalMinutes,
        limitHours: terms.hoursLimit,
        mode: deal.limitMode,
        removedMinutes,
        outcome: capping
          ? `cap lines remove them, latest work dates first (${[...dates].join(', ')}).`
          : 'the deal is warn-only, so all hours are billed.',
      }),
    )
  }
  const billed: BilledItem[] = [
    ...pricing.groups.flatMap((group) => group.items.map((item) => ({ item, lineId: group.lineId, rate: group.rate }))),
    ...pricing.unpriced.map((item) => ({ item, lineId: null, rate: null })),
  ]
  return { lines, capLines, billed, removedMinutes, warnings, errors: [...rules.errors, ...pricing.errors] }
}

function priceFixedMonthly(options: DealTypePricing): DealTypeResult {
  const { input, items, terms, context } = options
  const figures = sumWorkFigures(items.map((item) => item.entry))
  const lines = terms.monthlyFee === null ? [] : [buildFixedFeeLine({ fee: terms.monthlyFee, figures, context })]
  const warnings: Finding[] = []
  const billableMinutes = new Dec(figures.billableMinutes)
  if (terms.hoursLimit !== null && billableMinutes.gt(terms.hoursLimit.times(60))) {
    warnings.push(
      buildHoursLimitWarning({
        billableMinutes,
        limitHours: terms.hoursLimit,
        mode: input.deal.limitMode,
        removedMinutes: new Dec(0),
        outcome: 'the fixed fee does not depend on hours, so nothing is removed.',
      }),
    )
  }
  const lineId = lines.length > 0 ? FIXED_FEE_LINE_ID : null
  return { lines, capLines: [], billed: items.map((item) => ({ item, lineId, rate: null })), removedMinutes: new Dec(0), warnings, errors: [] }
}

function priceRetainer(options: DealTypePricing): DealTypeResult {
  const { input, items, terms, context } = options
  const { deal } = input
  const figures = sumWorkFigures(items.map((item) => item.entry))
  const { monthlyFee, includedHours, overageRate, hoursLimit } = terms
  if (monthlyFee === null || includedHours === null || overageRate === null) {
    // The missing figure is already a blocking error; there is nothing sound to price.
    return { lines: [], capLines: [], billed: items.map((item) => ({ item, lineId: null, rate: null })), removedMinutes: new Dec(0), warnings: [], errors: [] }
  }
  const capping = hoursLimit !== null && deal.limitMode === 'cap'
  const retainer = buildRetainerLines({ fee: monthlyFee, includedHours, overageRate, figures, capHours: capping ? hoursLimit : null, context })
  const warnings: Finding[] = []
  const billableMinutes = new Dec(figures.billableMinutes)
  if (hoursLimit !== null && billableMinutes.gt(hoursLimit.times(60))) {
    let outcome = 'the deal is warn-only, so all hours are billed.'
    if (capping) {
      outcome = retainer.removedMinutes.isZero()
        ? 'they are within the hours included in the fee, which is owed in full, so nothing is removed.'
        : `line ${OVERAGE_CAP_LINE_ID} removes ${formatMinutesAsHours(retainer.removedMinutes)} h of overage; the fee, covering the included hours, is owed in full.`
    }
    warnings.push(buildHoursLimitWarning({ billableMinutes, limitHours: hoursLimit, mode: deal.limitMode, removedMinutes: retainer.removedMinutes, outcome }))
  }
  return {
    lines: retainer.lines,
    capLines: retainer.capLines,
    billed: items.map((item) => ({ item, lineId: RETAINER_FEE_LINE_ID, rate: null })),
    removedMinutes: retainer.removedMinutes,
    warnings,
    errors: [],
  }
}
