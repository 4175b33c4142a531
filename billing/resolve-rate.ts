import type { SourceDeal } from '../sources/types.js'
import { compareText } from './compare-entries.js'
import type { RateRule, RateScope } from './types.js'

const SCOPE_RANK: Readonly<Record<RateScope, number>> = {
  'deal+category': 6,
  deal: 5,
  'customer+category': 4,
  customer: 3,
  category: 2,
  global: 1,
}

export type RateResolution =
  | {
      source: 'rule'
      rule: RateRule
      scope: RateScope
      /** Other rules of the same scope and start date that also apply: a configuration conflict. */
      conflictingRuleIds: string[]
    }
  | { source: 'deal'; rate: string }
  | { source: 'none' }

/**
 * The scope a rule was written for. A rule naming a deal is deal-scoped even if it also names
 * a customer; it then applies only when both match.
 */
export function describeRuleScope(rule: Pick<RateRule, 'dealId' | 'customerId' | 'category'>): RateScope {
  const withCategory = rule.category !== null
  if (rule.dealId !== null) return withCategory ? 'deal+category' : 'deal'
  if (rule.customerId !== null) return withCategory ? 'customer+category' : 'customer'
  return withCategory ? 'category' : 'global'
}

/** Whether a rule could ever apply to this deal, whatever the category and date. */
export function isRuleForDeal(rule: Pick<RateRule, 'dealId' | 'customerId'>, deal: Pick<SourceDeal, 'dealId' | 'customerId'>): boolean {
  return (rule.dealId === null || rule.dealId === deal.dealId) && (rule.customerId === null || rule.customerId === deal.customerId)
}

/** Whether a rule applies to work of this deal, category and date (validTo is exclusive). */
export function isRuleApplicable(rule: RateRule, query: { deal: Pick<SourceDeal, 'dealId' | 'customerId'>; category: string; workDate: string }): boolean {
  return (
    isRuleForDeal(rule, query.deal) &&
    (rule.category === null || rule.category === query.category) &&
    rule.validFrom <= query.workDate &&
    (rule.validTo === null || query.workDate < rule.validTo)
  )
}

/**
 * Picks the hourly rate for work of one category on one date: the most specific applicable
 * rule; among equally specific ones the latest start date, then the smallest id so the choice
 * never depends on input order. Without a rule, the deal's own rate; without that, none.
 */
export function resolveRate(query: {
  deal: Pick<SourceDeal, 'dealId' | 'customerId' | 'hourlyRate'>
  category: string
  workDate: string
  rules: readonly RateRule[]
}): RateResolution {
  const applicable = query.rules.filter((rule) => isRuleApplicable(rule, query)).sort(comparePrecedence)
  const winner = applicable[0]
  if (winner !== undefined) {
    const conflictingRuleIds = applicable
      .slice(1)
      .filter((rule) => isTie(rule, winner))
      .map((rule) => rule.id)
    return { source: 'rule', rule: winner, scope: describeRuleScope(winner), conflictingRuleIds }
  }
  if (query.deal.hourlyRate !== null) return { source: 'deal', rate: query.deal.hourlyRate }
  return { source: 'none' }
}

/** Negative when `a` takes precedence over `b`. */
function comparePrecedence(a: RateRule, b: RateRule): number {
  return (
    SCOPE_RANK[describeRuleScope(b)] - SCOPE_RANK[describeRuleScope(a)] ||
    compareText(b.validFrom, a.validFrom) ||
    compareText(a.id, b.id)
  )
}

function isTie(a: RateRule, b: RateRule): boolean {
  return describeRuleScope(a) === describeRuleScope(b) && a.validFrom === b.validFrom
}
