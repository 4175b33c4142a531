import { applyAmountLimit } from './apply-amount-limit.js'
import { buildFixedFeeLine, FIXED_FEE_LINE_ID } from './build-fixed-fee-line.js'
import { buildHoursLimitWarning } from './build-hours-limit-warning.js'
import { buildIssueDetails, type BilledItem } from './build-issue-details.js'
import { buildRetainerLines, OVERAGE_CAP_LINE_ID, RETAINER_FEE_LINE_ID } from './build-retainer-lines.js'
import { buildTimeLines } from './build-time-lines.js'
import { categorizeEntries, type CategorizedEntry } from './categorize-entries.js'
import { computeTotals } from './compute-totals.js'
import { FALLBACK_MINOR_UNIT, getMinorUnit } from './currency.js'
import { Dec } from './decimal.js'
import { ERROR_CODES, WARNING_CODES } from './finding-codes.js'
import { formatHours, formatMinutesAsHours } from './format-figures.js'
import { describePeriodProblem, isCalendarMonth, labelPeriod } from './period.js'
import { planHoursCap } from './plan-hours-cap.js'
import { priceTimeEntries } from './price-time-entries.js'
import type { PricingContext } from './pricing-context.js'
import { readBillingTerms, type BillingTerms } from './read-billing-terms.js'
import { selectEntries } from './select-entries.js'
import type { Finding, InvoicePreview, PrefillInput, PreviewLimits, PreviewLine } from './types.js'
import { validateRateRules } from './validate-rate-rules.js'
import { sumWorkFigures } from './work-figures.js'

/** What a deal type contributes: its lines before the amount limit, and where each entry went. */
interface DealTypeResult {
  lines: PreviewLine[]
  capLines: PreviewLine[]
  billed: BilledItem[]
  removedMinutes: Dec
  warnings: Finding[]
  errors: Finding[]
}

/**
 * The prefill: from the deal, its work entries and the rules to a preview the accountant can
 * check. Pure and deterministic: nothing is read or saved, and the same input always gives the
 * same JSON. Problems never throw; they come back as warnings (may confirm) or errors (may not).
 */
export function buildPreview(input: PrefillInput): InvoicePreview {
  const { deal } = input
  const warnings: Finding[] = []
  const errors: Finding[] = []

  const knownMinorUnit = getMinorUnit(deal.currency)
  if (knownMinorUnit === null) {
    errors.push({
      code: ERROR_CODES.UNKNOWN_CURRENCY,
      message: `Deal ${deal.dealId} bills in "${deal.currency}", which is not in the currency table; amounts cannot be rounded reliably.`,
      details: { dealId: deal.dealId, currency: deal.currency },
    })
  }
  const minorUnit = knownMinorUnit ?? FALLBACK_MINOR_UNIT
  const periodProblem = describePeriodProblem(input.period)
  if (periodProblem !== null) errors.push({ code: ERROR_CODES.INVALID_PERIOD, message: `The billing period is invalid: ${periodProblem}.`, details: { ...input.period } })
  const period = labelPeriod(input.period)
  const { terms, errors: termErrors } = readBillingTerms(deal, input.settings)
  errors.push(...termErrors)

  if (deal.status === 'closed') {
    warnings.push({ code: WARNING_CODES.DEAL_CLOSED, message: `Deal ${deal.dealId} (${deal.title}) is closed.`, details: { dealId: deal.dealId } })
  }
  if (deal.dealType !== 'time_and_materials' && periodProblem === null && !isCalendarMonth(period)) {
    warnings.push({
      code: WARNING_CODES.PERIOD_NOT_CALENDAR_MONTH,
      message: `The period ${period.label} is not one whole calendar month, but the deal's fee is monthly; the full fee is billed, not a share of it.`,
      details: { from: period.from, to: period.to },
    })
  }

  const selection = selectEntries({ entries: input.entries, deal, period })
  warnings.push(...selection.warnings)
  errors.push(...selection.errors)
  const categorized = categorizeEntries({ entries: selection.entries, issues: input.issues, rules: input.categoryRules, defaultCategory: terms.defaultCategory })
  warnings.push(...categorized.warnings)
  if (selection.entries.length === 0) {
    warnings.push({
      code: WARNING_CODES.NO_BILLABLE_WORK,
      message:
        `No billable work for deal ${deal.dealId} in ${period.label}` +
        (deal.dealType === 'time_and_materials' ? '; the preview has no time lines.' : '; the fee is billed regardless.'),
      details: { dealId: deal.dealId },
    })
  }

  const context: PricingContext = { deal, currency: deal.currency, minorUnit, rounding: terms.rounding, period }
  const limits: PreviewLimits = {
    hoursLimit: terms.hoursLimit === null ? null : terms.hoursLimit.toString(),
    // Rounded down to the minor unit so that capping to it never bills above the limit.
    amountLimit: terms.amountLimit === null ? null : terms.amountLimit.toDecimalPlaces(minorUnit, Dec.ROUND_DOWN).toFixed(minorUnit),
    mode: deal.limitMode,
  }
  const result = priceDealType({ input, items: categorized.items, terms, context })
  warnings.push(...result.warnings)
  errors.push(...result.errors)

  const limited = applyAmountLimit({ lines: [...result.lines, ...result.capLines], limits, currency: deal.currency, minorUnit })
  if (limited.warning !== null) warnings.push(limited.warning)
  const totals = computeTotals(limited.lines, terms.vatRate, minorUnit)
  const figures = sumWorkFigures(selection.entries)
  const billableMinutes = new Dec(figures.billableMinutes)

  return {
    dealId: deal.dealId,
    customerId: deal.customerId,
    currency: deal.currency,
    period,
    dealType: deal.dealType,
    lines: limited.lines,
    issueDetails: buildIssueDetails(result.billed, minorUnit),
    limits,
    uncappedSubtotal: totals.uncappedSubtotal,
    subtotal: totals.subtotal,
    vatRate: terms.vatRate.toString(),
    vatAmount: totals.vatAmount,
    total: totals.total,
    hours: {
      raw: formatHours(new Dec(figures.rawSeconds).div(3600)),
      billable: formatMinutesAsHours(billableMinutes),
      billed: formatMinutesAsHours(billableMinutes.minus(result.removedMinutes)),
    },
    warnings,
    errors,
    sourceFingerprint: input.sourceFingerprint,
  }
}

function priceDealType(options: { input: PrefillInput; items: CategorizedEntry[]; terms: BillingTerms; context: PricingContext }): DealTypeResult {
  switch (options.input.deal.dealType) {
    case 'time_and_materials':
      return priceTimeAndMaterials(options)
    case 'fixed_monthly':
      return priceFixedMonthly(options)
    case 'retainer':
      return priceRetainer(options)
  }
}

function priceTimeAndMaterials(options: { input: PrefillInput; items: CategorizedEntry[]; terms: BillingTerms; context: PricingContext }): DealTypeResult {
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

function priceFixedMonthly(options: { input: PrefillInput; items: CategorizedEntry[]; terms: BillingTerms; context: PricingContext }): DealTypeResult {
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

function priceRetainer(options: { input: PrefillInput; items: CategorizedEntry[]; terms: BillingTerms; context: PricingContext }): DealTypeResult {
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
