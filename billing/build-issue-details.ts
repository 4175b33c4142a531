import type { CategorizedEntry } from './categorize-entries.js'
import { compareIssueKeys, compareText } from './compare-entries.js'
import { formatMoney } from './currency.js'
import { Dec } from './decimal.js'
import { formatHours, formatMinutesAsHours } from './format-figures.js'
import { priceMinutes } from './pricing-context.js'
import type { IssueDetail } from './types.js'

/** An entry placed on a line, with the hourly rate when its amount means something. */
export interface BilledItem {
  item: CategorizedEntry
  lineId: string | null
  rate: Dec | null
}

/**
 * The PDF appendix: one row per issue and line. Amounts are uncapped hours x rate rounded per
 * row, so they can differ from the line amounts by rounding; the lines are what is billed.
 */
export function buildIssueDetails(billed: readonly BilledItem[], minorUnit: number): IssueDetail[] {
  const rows = new Map<string, { first: BilledItem; rawSeconds: number; billableMinutes: number }>()
  for (const entry of billed) {
    const key = JSON.stringify([entry.lineId, entry.item.entry.issueId, entry.item.category])
    const row = rows.get(key) ?? { first: entry, rawSeconds: 0, billableMinutes: 0 }
    row.rawSeconds += entry.item.entry.rawSeconds
    row.billableMinutes += entry.item.entry.billableMinutes
    rows.set(key, row)
  }
  return [...rows.values()]
    .map(({ first, rawSeconds, billableMinutes }): IssueDetail => {
      const minutes = new Dec(billableMinutes)
      return {
        issueId: first.item.entry.issueId,
        issueKey: first.item.entry.issueKey,
        summary: first.item.issue?.summary ?? null,
        category: first.item.category,
        lineId: first.lineId,
        rawHours: formatHours(new Dec(rawSeconds).div(3600)),
        billableHours: formatMinutesAsHours(minutes),
        amount: first.rate === null ? null : formatMoney(priceMinutes(minutes, first.rate, minorUnit), minorUnit),
      }
    })
    .sort(
      (a, b) =>
        compareIssueKeys(a.issueKey, b.issueKey) ||
        compareText(a.issueId, b.issueId) ||
        compareText(a.category, b.category) ||
        compareNullableText(a.lineId, b.lineId),
    )
}

function compareNullableText(a: string | null, b: string | null): number {
  if (a === b) return 0
  if (a === null) return 1
  if (b === null) return -1
  return compareText(a, b)
}
