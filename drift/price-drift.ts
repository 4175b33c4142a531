import { FALLBACK_MINOR_UNIT, formatMoney, formatRate, getMinorUnit, roundMoney } from '../billing/currency.js'
import { Dec } from '../billing/decimal.js'
import type { WorklogComparison } from './compare-billed-work.js'
import { DRIFT_KINDS, type DriftKind, type DriftTotals, type LineDrift, type WorklogDrift } from './types.js'

/** An invoice line item as pricing drift needs it. */
export interface LineItemRate {
  lineKey: string
  kind: string
  /** Decimal string, as stored (DECIMAL(20,4)). */
  rate: string
}

/** Lines priced by the hour: a change of minutes changes their amount. Fees do not depend on the hours. */
const HOURLY_KINDS = new Set(['time', 'overage'])

export interface PricedDrift {
  changes: WorklogDrift[]
  lines: LineDrift[]
  totals: DriftTotals
}

/**
 * Amounts of the changes: each worklog's minutes delta at the rate of its line, rounded to
 * the currency's minor unit; per line the change of the line's own amount (its billed minutes
 * from the ledger, plus the deltas, rounded once as the invoice rounds it). The invoice's
 * total is the sum of the lines, so the worklogs' rounded amounts may differ from it by a
 * minor unit each, as the appendix rows do from their lines.
 */
export function priceDrift(options: {
  comparisons: readonly WorklogComparison[]
  /** Minutes the ledger bills per line key (every live row of the invoice). */
  billedMinutesByLine: ReadonlyMap<string, number>
  lines: readonly LineItemRate[]
  currency: string
}): PricedDrift {
  const minorUnit = getMinorUnit(options.currency) ?? FALLBACK_MINOR_UNIT
  const items = new Map(options.lines.map((line) => [line.lineKey, line]))
  const rateOf = (lineKey: string): Dec | null => {
    const item = items.get(lineKey)
    return item && HOURLY_KINDS.has(item.kind) ? new Dec(item.rate) : null
  }
  const amountOf = (minutes: number, rate: Dec): Dec => roundMoney(new Dec(minutes).times(rate).div(60), minorUnit)

  const changes: WorklogDrift[] = options.comparisons.map((change) => {
    const rate = rateOf(change.lineKey)
    return {
      ...change,
      rate: rate === null ? null : formatRate(rate, minorUnit),
      amountDelta: rate === null ? null : formatMoney(amountOf(change.minutesDelta, rate), minorUnit),
    }
  })

  const byLine = new Map<string, { minutesDelta: number; worklogs: number }>()
  for (const change of changes) {
    const line = byLine.get(change.lineKey) ?? { minutesDelta: 0, worklogs: 0 }
    line.minutesDelta += change.minutesDelta
    line.worklogs += 1
    byLine.set(change.lineKey, line)
  }
  let total = new Dec(0)
  const lines: LineDrift[] = [...byLine.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([lineKey, figures]) => {
      const rate = rateOf(lineKey)
      const billedMinutes = options.billedMinutesByLine.get(lineKey) ?? 0
      const delta = rate === null ? null : amountOf(billedMinutes + figures.minutesDelta, rate).minus(amountOf(billedMinutes, rate))
      if (delta !== null) total = total.plus(delta)
      return {
        lineKey,
        kind: items.get(lineKey)?.kind ?? null,
        rate: rate === null ? null : formatRate(rate, minorUnit),
        billedMinutes,
        minutesDelta: figures.minutesDelta,
        worklogs: figures.worklogs,
        amountDelta: delta === null ? null : formatMoney(delta, minorUnit),
      }
    })

  const byKind = Object.fromEntries(DRIFT_KINDS.map((kind) => [kind, 0])) as Record<DriftKind, number>
  for (const change of changes) for (const kind of change.kinds) byKind[kind] += 1
  return {
    changes,
    lines,
    totals: { worklogs: changes.length, byKind, minutesDelta: changes.reduce((sum, c) => sum + c.minutesDelta, 0), amountDelta: formatMoney(total, minorUnit) },
  }
}
