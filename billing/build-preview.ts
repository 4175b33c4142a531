import { applyAmountLimit } from './apply-amount-limit.js'
import { buildIssueDetails } from './build-issue-details.js'
import { buildLateWorkLines } from './build-late-work-lines.js'
import { categorizeEntries } from './categorize-entries.js'
import { computeTotals } from './compute-totals.js'
import { FALLBACK_MINOR_UNIT, getMinorUnit } from './currency.js'
import { Dec } from './decimal.js'
import { ERROR_CODES, WARNING_CODES } from './finding-codes.js'
import { formatHours, formatMinutesAsHours } from './format-figures.js'
import { describePeriodProblem, isCalendarMonth, labelPeriod } from './period.js'
import type { PricingContext } from './pricing-context.js'
import { priceDealType } from './price-deal-types.js'
import { readBillingTerms } from './read-billing-terms.js'
import { selectEntries } from './select-entries.js'
import type { BilledElsewhereSummary, Finding, InvoicePreview, PrefillInput, PreviewLimits, WorkEntry } from './types.js'
import { sumWorkFigures } from './work-figures.js'


/**
 * The prefill: from the deal, its work entries and the rules to a preview the accountant can
 * check. Pure and deterministic: nothing is read or saved, and the same input always gives the
 * same JSON. Problems never throw; they come back as warnings (may confirm) or errors (may not).
 */
export function buildPreview(input: PrefillInput): InvoicePreview {
  return buildPreviewWithPlacements(input).preview
}

/** Where each entry went: its key (entryKey) to the line that bills it, null when none does. */
export type EntryPlacements = Map<string, string | null>

/** The key of an entry in EntryPlacements: what the worklogs summed into it have in common. */
export function entryKey(entry: Pick<WorkEntry, 'issueId' | 'issueKey' | 'projectKey' | 'accountKey' | 'workDate' | 'billable'>): string {
  return JSON.stringify([entry.issueId, entry.issueKey, entry.projectKey, entry.accountKey, entry.workDate, entry.billable])
}

/** The preview, and which line each entry went to (what the billed-work ledger records). */
export function buildPreviewWithPlacements(input: PrefillInput): { preview: InvoicePreview; placements: EntryPlacements } {
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

  if (input.billedElsewhere && input.billedElsewhere.worklogs > 0) warnings.push(describeBilledElsewhere(input.billedElsewhere, period.label))

  // Late work is billed on this invoice, so the invoice's amount limit covers it too (as it does
  // manual lines, billing/apply-edits.ts).
  const late = buildLateWorkLines({ input, months: input.lateWork ?? [], terms, context })
  warnings.push(...late.warnings)
  errors.push(...late.errors)
  const limited = applyAmountLimit({ lines: [...result.lines, ...result.capLines, ...late.lines], limits, currency: deal.currency, minorUnit })
  if (limited.warning !== null) warnings.push(limited.warning)
  const { lines } = limited
  const billed = [...result.billed, ...late.billed]
  const totals = computeTotals(lines, terms.vatRate, minorUnit)
  const figures = sumWorkFigures(billed.map((b) => b.item.entry))
  const billableMinutes = new Dec(figures.billableMinutes)

  const preview: InvoicePreview = {
    dealId: deal.dealId,
    customerId: deal.customerId,
    currency: deal.currency,
    period,
    dealType: deal.dealType,
    lines,
    issueDetails: buildIssueDetails(billed, minorUnit),
    limits,
    uncappedSubtotal: totals.uncappedSubtotal,
    subtotal: totals.subtotal,
    vatRate: terms.vatRate.toString(),
    vatAmount: totals.vatAmount,
    total: totals.total,
    hours: {
      raw: formatHours(new Dec(figures.rawSeconds).div(3600)),
      billable: formatMinutesAsHours(billableMinutes),
      billed: formatMinutesAsHours(billableMinutes.minus(result.removedMinutes).minus(late.removedMinutes)),
    },
    warnings,
    errors,
    sourceFingerprint: input.sourceFingerprint,
  }
  const placements: EntryPlacements = new Map(billed.map((b) => [entryKey(b.item.entry), b.lineId]))
  return { preview, placements }
}

function describeBilledElsewhere(summary: BilledElsewhereSummary, periodLabel: string): Finding {
  const hours = formatMinutesAsHours(new Dec(summary.billableMinutes))
  return {
    code: WARNING_CODES.WORK_BILLED_ELSEWHERE,
    message: `${summary.worklogs} worklogs of ${periodLabel} (${hours} h) are already billed on ${summary.invoices.join(', ')} and are left out of this invoice.`,
    details: { worklogs: summary.worklogs, hours, invoices: summary.invoices },
  }
}
