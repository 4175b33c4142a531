import type { SourceDeal } from '../sources/types.js'
import type { CategorizedEntry } from './categorize-entries.js'
import { compareIssueKeys, compareText } from './compare-entries.js'
import { Dec } from './decimal.js'
import { ERROR_CODES, WARNING_CODES } from './finding-codes.js'
import { formatHours } from './format-figures.js'
import { resolveRate } from './resolve-rate.js'
import type { Finding, RateRule, RateScope } from './types.js'
import { sumWorkFigures, type WorkFigures } from './work-figures.js'

/** Entries billed on one time line: one category at one rate from one source. */
export interface TimeLineGroup {
  lineId: string
  category: string
  rate: Dec
  /** The rule the rate came from, or null for the deal's hourly rate. */
  rule: RateRule | null
  scope: RateScope | null
  /** In canonical entry order. */
  items: CategorizedEntry[]
  figures: WorkFigures
  firstDate: string
  lastDate: string
}

export interface TimePricing {
  /** Ordered by category, then first work date, then line id. */
  groups: TimeLineGroup[]
  /** Entries that could not be priced; each is covered by an error. */
  unpriced: CategorizedEntry[]
  warnings: Finding[]
  errors: Finding[]
}

/**
 * Finds the rate of every entry and groups entries into time lines by (category, rate source).
 * Work with no rate or a rate in another currency is kept out of the lines and reported as a
 * blocking error, so the preview never shows an amount in the wrong currency.
 */
export function priceTimeEntries(options: {
  items: readonly CategorizedEntry[]
  deal: Pick<SourceDeal, 'dealId' | 'customerId' | 'currency'>
  /** The deal's hourly rate, already validated; null when it has none or it is unusable. */
  dealRate: Dec | null
  /** True when the deal has an hourly rate that failed validation (reported elsewhere). */
  dealRateInvalid: boolean
  /** Rules relevant to this deal, already validated. */
  rules: readonly RateRule[]
}): TimePricing {
  const { deal, dealRate, rules } = options
  const groups = new Map<string, TimeLineGroup>()
  const unpriced: CategorizedEntry[] = []
  const noRate = new Map<string, CategorizedEntry[]>()
  const wrongCurrency = new Map<string, { rule: RateRule; items: CategorizedEntry[] }>()
  const conflicts = new Map<string, { category: string; winner: RateRule; others: string[]; scope: RateScope }>()

  for (const item of options.items) {
    const resolution = resolveRate({
      deal: { dealId: deal.dealId, customerId: deal.customerId, hourlyRate: dealRate === null ? null : dealRate.toString() },
      category: item.category,
      workDate: item.entry.workDate,
      rules,
    })
    if (resolution.source === 'none') {
      pushTo(noRate, item.category, item)
      unpriced.push(item)
      continue
    }
    if (resolution.source === 'rule') {
      if (resolution.conflictingRuleIds.length > 0) {
        const key = JSON.stringify([item.category, resolution.rule.id, resolution.conflictingRuleIds])
        conflicts.set(key, { category: item.category, winner: resolution.rule, others: resolution.conflictingRuleIds, scope: resolution.scope })
      }
      if (resolution.rule.currency !== deal.currency) {
        const known = wrongCurrency.get(resolution.rule.id) ?? { rule: resolution.rule, items: [] }
        known.items.push(item)
        wrongCurrency.set(resolution.rule.id, known)
        unpriced.push(item)
        continue
      }
    }
    const rule = resolution.source === 'rule' ? resolution.rule : null
    const rate = new Dec(resolution.source === 'rule' ? resolution.rule.rate : resolution.rate)
    const lineId = buildTimeLineId(item.category, rule)
    let group = groups.get(lineId)
    if (group === undefined) {
      group = {
        lineId,
        category: item.category,
        rate,
        rule,
        scope: resolution.source === 'rule' ? resolution.scope : null,
        items: [],
        figures: sumWorkFigures([]),
        firstDate: item.entry.workDate,
        lastDate: item.entry.workDate,
      }
      groups.set(lineId, group)
    }
    group.items.push(item)
    if (item.entry.workDate < group.firstDate) group.firstDate = item.entry.workDate
    if (item.entry.workDate > group.lastDate) group.lastDate = item.entry.workDate
  }

  const ordered = [...groups.values()]
    .map((group) => ({ ...group, figures: sumWorkFigures(group.items.map((item) => item.entry)) }))
    .sort((a, b) => compareText(a.category, b.category) || compareText(a.firstDate, b.firstDate) || compareText(a.lineId, b.lineId))

  const errors: Finding[] = []
  for (const [category, items] of [...noRate.entries()].sort(([a], [b]) => compareText(a, b))) {
    const { hours, issueKeys, firstDate, lastDate } = describeItems(items)
    errors.push({
      code: ERROR_CODES.NO_RATE,
      message:
        `No rate for category "${category}" between ${firstDate} and ${lastDate}: no rate rule applies and the deal's hourly rate is ` +
        `${options.dealRateInvalid ? 'malformed' : 'not set'} (${hours} h on issues ${issueKeys.join(', ')}).`,
      details: { category, hours, issueKeys, firstDate, lastDate },
    })
  }
  for (const { rule, items } of [...wrongCurrency.values()].sort((a, b) => compareText(a.rule.id, b.rule.id))) {
    const { hours, issueKeys, categories } = describeItems(items)
    errors.push({
      code: ERROR_CODES.RATE_CURRENCY_MISMATCH,
      message: `Rate rule ${rule.id} is in ${rule.currency} but the deal bills in ${deal.currency}; ${hours} h of ${categories.map((c) => `"${c}"`).join(', ')} on issues ${issueKeys.join(', ')} cannot be priced.`,
      details: { ruleId: rule.id, ruleCurrency: rule.currency, dealCurrency: deal.currency, hours, issueKeys, categories },
    })
  }

  const warnings: Finding[] = []
  for (const conflict of [...conflicts.entries()].sort(([a], [b]) => compareText(a, b)).map(([, value]) => value)) {
    const ruleIds = [conflict.winner.id, ...conflict.others]
    warnings.push({
      code: WARNING_CODES.RATE_RULE_CONFLICT,
      message: `Rate rules ${ruleIds.join(', ')} all apply to category "${conflict.category}" with the same scope (${conflict.scope}) and start date ${conflict.winner.validFrom}; rule ${conflict.winner.id} was used (smallest id).`,
      details: { category: conflict.category, ruleIds, usedRuleId: conflict.winner.id },
    })
  }
  return { groups: ordered, unpriced, warnings, errors }
}

/** "time:<category>:rule-<id>" or "time:<category>:deal"; the category is URI-encoded to keep ids unambiguous. */
export function buildTimeLineId(category: string, rule: Pick<RateRule, 'id'> | null): string {
  return `time:${encodeURIComponent(category)}:${rule === null ? 'deal' : `rule-${rule.id}`}`
}

function describeItems(items: readonly CategorizedEntry[]): { hours: string; issueKeys: string[]; categories: string[]; firstDate: string; lastDate: string } {
  const minutes = items.reduce((sum, item) => sum + item.entry.billableMinutes, 0)
  const issueKeys = [...new Set(items.map((item) => item.entry.issueKey))].sort(compareIssueKeys)
  const categories = [...new Set(items.map((item) => item.category))].sort(compareText)
  const dates = items.map((item) => item.entry.workDate).sort(compareText)
  return { hours: formatHours(new Dec(minutes).div(60)), issueKeys, categories, firstDate: dates[0] ?? '', lastDate: dates[dates.length - 1] ?? '' }
}

function pushTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key)
  if (list === undefined) map.set(key, [value])
  else list.push(value)
}
