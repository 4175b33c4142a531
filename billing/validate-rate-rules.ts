import type { SourceDeal } from '../sources/types.js'
import { compareText } from './compare-entries.js'
import { MAX_RATE_DECIMALS, parseNonNegativeDecimal } from './decimal.js'
import { ERROR_CODES } from './finding-codes.js'
import { isIsoDate } from './period.js'
import { isRuleForDeal } from './resolve-rate.js'
import type { Finding, RateRule } from './types.js'

/**
 * Keeps the rate rules that can apply to this deal and are well formed. A malformed rule that
 * could apply is a blocking error (the price might silently change otherwise); a malformed
 * rule of another deal or customer is none of this invoice's business.
 */
export function validateRateRules(rules: readonly RateRule[], deal: Pick<SourceDeal, 'dealId' | 'customerId'>): { rules: RateRule[]; errors: Finding[] } {
  const usable: RateRule[] = []
  const errors: Finding[] = []
  for (const rule of [...rules].sort((a, b) => compareText(a.id, b.id))) {
    if (!isRuleForDeal(rule, deal)) continue
    const problem = describeRuleProblem(rule)
    if (problem === null) {
      usable.push(rule)
      continue
    }
    errors.push({
      code: ERROR_CODES.INVALID_RATE_RULE,
      message: `Rate rule ${rule.id} is malformed: ${problem}.`,
      details: { ruleId: rule.id },
    })
  }
  return { rules: usable, errors }
}

function describeRuleProblem(rule: RateRule): string | null {
  if (parseNonNegativeDecimal(rule.rate) === null) return `rate "${rule.rate}" is not a non-negative decimal with at most ${MAX_RATE_DECIMALS} decimals`
  if (!isIsoDate(rule.validFrom)) return `validFrom "${rule.validFrom}" is not a date YYYY-MM-DD`
  if (rule.validTo !== null && !isIsoDate(rule.validTo)) return `validTo "${rule.validTo}" is not a date YYYY-MM-DD`
  if (rule.validTo !== null && rule.validTo <= rule.validFrom) return `validTo ${rule.validTo} is not after validFrom ${rule.validFrom}`
  if (rule.category !== null && rule.category.trim() === '') return 'category is empty; use null for all categories'
  return null
}
