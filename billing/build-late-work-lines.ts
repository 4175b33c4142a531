import type { BilledItem } from './build-issue-details.js'
import { categorizeEntries } from './categorize-entries.js'
import { formatMoney, formatRate } from './currency.js'
import { Dec } from './decimal.js'
import { explainWorkFigures } from './explain-work.js'
import { WARNING_CODES } from './finding-codes.js'
import { formatMinutesAsHours } from './format-figures.js'
import { buildMonthPeriod, labelPeriod } from './period.js'
import { priceTimeAndMaterials } from './price-deal-types.js'
import { priceMinutes, type PricingContext } from './pricing-context.js'
import type { BillingTerms } from './read-billing-terms.js'
import { selectEntries } from './select-entries.js'
import type { Finding, LateWorkMonth, PrefillInput, PreviewLine } from './types.js'
import { sumWorkFigures, type WorkFigures } from './work-figures.js'

const MONTH_NAMES = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December']

/** Line ids of late work start with this, then the month: `earlier:2026-09:time:Development:deal`. */
export const LATE_LINE_PREFIX = 'earlier:'

export interface LateWorkLines {
  lines: PreviewLine[]
  billed: BilledItem[]
  /** Minutes an hours cap took off (they are on the invoice, not charged). */
  removedMinutes: Dec
  warnings: Finding[]
  errors: Finding[]
}

/** "September 2026" for "2026-09". */
export function nameMonth(month: string): string {
  return `${MONTH_NAMES[Number(month.slice(5, 7)) - 1] ?? month} ${month.slice(0, 4)}`
}

/** Whether a line bills work of an earlier period (late work). */
export function isLateWorkLine(lineId: string): boolean {
  return lineId.startsWith(LATE_LINE_PREFIX)
}

/**
 * Lines of their own for work of earlier months that no live invoice billed (logged or synced
 * after the month was invoiced, or left off its invoice). Each month is priced as its own period
 * would have been, against what the deal's invoices already billed for it:
 * - time and materials: the rules valid on the work dates; an hours cap has only the room the
 *   month's invoices left (the cap minus the minutes already billed);
 * - retainer: hours count against the month's included hours first (the fee, already billed,
 *   covers them), the rest is overage at the overage rate, within the month's cap;
 * - fixed fee: the month's fee covered the work, so the hours are shown at no charge.
 * docs/billing.md, "Late work".
 */
export function buildLateWorkLines(options: { input: PrefillInput; months: readonly LateWorkMonth[]; terms: BillingTerms; context: PricingContext }): LateWorkLines {
  const out: LateWorkLines = { lines: [], billed: [], removedMinutes: new Dec(0), warnings: [], errors: [] }
  const { input, terms } = options
  for (const month of [...options.months].sort((a, b) => (a.month < b.month ? -1 : 1))) {
    const period = labelPeriod(buildMonthPeriod(month.month))
    const selection = selectEntries({ entries: month.entries, deal: input.deal, period })
    out.errors.push(...selection.errors)
    if (selection.entries.length === 0) continue
    const categorized = categorizeEntries({ entries: selection.entries, issues: input.issues, rules: input.categoryRules, defaultCategory: terms.defaultCategory })
    out.warnings.push(...categorized.warnings)
    const context = { ...options.context, period }
    const figures = sumWorkFigures(selection.entries)
    const prefix = `${LATE_LINE_PREFIX}${month.month}:`
    const heading = `Work from earlier periods: ${nameMonth(month.month)}`
    const intro =
      `Work dated ${nameMonth(month.month)} that no invoice has billed (logged or synced after the month was invoiced, or left off its invoice); ` +
      `the deal's invoices already bill ${formatMinutesAsHours(new Dec(month.billedMinutes))} h of that month.`
    const rename = (line: PreviewLine, description: string, explanation: string): PreviewLine => ({
      ...line,
      lineId: prefix + line.lineId,
      appliesToLineId: line.appliesToLineId === null ? null : prefix + line.appliesToLineId,
      description: `${heading} — ${description}`,
      explanation: `${intro} ${explanation}`,
    })

    if (input.deal.dealType === 'time_and_materials') {
      const room = terms.hoursLimit === null ? null : Dec.max(0, terms.hoursLimit.minus(new Dec(month.billedMinutes).div(60)))
      const priced = priceTimeAndMaterials({ input, items: categorized.items, terms: { ...terms, hoursLimit: room }, context })
      const capNote = room === null ? '' : `The hours limit of ${terms.hoursLimit!.toString()} h for the month leaves ${formatMinutesAsHours(room.times(60))} h. `
      for (const line of [...priced.lines, ...priced.capLines]) out.lines.push(rename(line, line.description, line.kind === 'cap' ? capNote + line.explanation : line.explanation))
      out.billed.push(...priced.billed.map((b) => ({ ...b, lineId: b.lineId === null ? null : prefix + b.lineId })))
      out.errors.push(...priced.errors)
      out.removedMinutes = out.removedMinutes.plus(priced.removedMinutes)
      out.warnings.push(...priced.warnings.filter((w) => w.code !== WARNING_CODES.HOURS_LIMIT_EXCEEDED))
    } else {
      const priced = input.deal.dealType === 'retainer' ? retainerLine(terms, month, figures, context) : { line: coveredByFeeLine(figures, context), removed: new Dec(0) }
      if (priced === null) continue
      const { line } = priced
      out.removedMinutes = out.removedMinutes.plus(priced.removed)
      out.lines.push(rename(line, line.description, line.explanation))
      out.billed.push(...categorized.items.map((item) => ({ item, lineId: prefix + line.lineId, rate: null })))
    }
    out.warnings.push({
      code: WARNING_CODES.LATE_WORK,
      message:
        `${figures.worklogCount} worklogs (${formatMinutesAsHours(new Dec(figures.billableMinutes))} h) dated ${nameMonth(month.month)} were not billed by any invoice; ` +
        `they are on the "${heading}" lines. Drop those lines to leave the work for a later invoice.`,
      details: { month: month.month, worklogs: figures.worklogCount, hours: formatMinutesAsHours(new Dec(figures.billableMinutes)) },
    })
  }
  return out
}

/** Fixed fee: the month's fee covered its work, whenever it was logged. */
function coveredByFeeLine(figures: WorkFigures, context: PricingContext): PreviewLine {
  const hours = formatMinutesAsHours(new Dec(figures.billableMinutes))
  return {
    lineId: 'covered:fee',
    kind: 'time',
    category: null,
    description: 'covered by the monthly fee',
    quantity: hours,
    unit: 'hour',
    rate: formatRate(new Dec(0), context.minorUnit),
    amount: formatMoney(new Dec(0), context.minorUnit),
    explanation: `${explainWorkFigures(figures, context.rounding)} The fixed monthly fee of ${context.period.label} covers this work, so it is shown at no charge.`,
    rateRuleId: null,
    appliesToLineId: null,
    reason: null,
  }
}

/** Retainer: included hours the month has left first, then overage within the month's cap. */
function retainerLine(terms: BillingTerms, month: LateWorkMonth, figures: WorkFigures, context: PricingContext): { line: PreviewLine; removed: Dec } | null {
  const { includedHours, overageRate, hoursLimit } = terms
  if (includedHours === null || overageRate === null) return null // a blocking error already says so
  const before = new Dec(month.billedMinutes)
  const late = new Dec(figures.billableMinutes)
  const included = includedHours.times(60)
  const cap = hoursLimit !== null && context.deal.limitMode === 'cap' ? Dec.max(hoursLimit.times(60), 0) : null
  const chargeable = (minutes: Dec): Dec => Dec.max(0, (cap === null ? minutes : Dec.min(minutes, cap)).minus(included))
  const overage = chargeable(before.plus(late)).minus(chargeable(before))
  // Late minutes within the cap; the rest is above the month's limit and not billed.
  const counted = cap === null ? late : Dec.min(before.plus(late), cap).minus(Dec.min(before, cap))
  const removed = late.minus(counted)
  const covered = counted.minus(overage)
  const rate = formatRate(overageRate, context.minorUnit)
  const amount = priceMinutes(overage, overageRate, context.minorUnit)
  const line: PreviewLine = {
    lineId: 'overage:retainer',
    kind: 'overage',
    category: null,
    description: 'retainer hours',
    quantity: formatMinutesAsHours(overage),
    unit: 'hour',
    rate,
    amount: formatMoney(amount, context.minorUnit),
    explanation:
      `${explainWorkFigures(figures, context.rounding)} Against the month's ${formatMinutesAsHours(included)} included hours` +
      `${cap === null ? '' : ` and its hours limit of ${formatMinutesAsHours(cap)} h`}: ${formatMinutesAsHours(covered)} h are covered by the fee already billed, ` +
      `${removed.isZero() ? '' : `${formatMinutesAsHours(removed)} h are above the limit and not billed, `}` +
      `${formatMinutesAsHours(overage)} h are overage at ${rate} ${context.currency}/h = ${formatMoney(amount, context.minorUnit)} ${context.currency}.`,
    rateRuleId: null,
    appliesToLineId: null,
    reason: null,
  }
  return { line, removed }
}
