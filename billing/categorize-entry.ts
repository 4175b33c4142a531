import type { SourceIssue } from '../sources/types.js'
import { compareText } from './compare-entries.js'
import type { CategoryRule, WorkEntry } from './types.js'

export interface CategoryMatch {
  category: string
  /** The rule that matched; null when the default category was used. */
  ruleId: string | null
}

/** Rules in evaluation order: by position, then id, so equal positions still order the same way. */
export function sortCategoryRules(rules: readonly CategoryRule[]): CategoryRule[] {
  return [...rules].sort((a, b) => a.position - b.position || compareText(a.id, b.id))
}

/**
 * Whether a rule matches: every non-empty list must contain the value (labels and components:
 * any one of the issue's). Without the issue row, issue criteria cannot match, so only rules
 * on project and account can still place the work.
 */
export function matchesCategoryRule(rule: CategoryRule, entry: Pick<WorkEntry, 'projectKey' | 'accountKey'>, issue: SourceIssue | undefined): boolean {
  if (rule.projectKeys.length > 0 && !rule.projectKeys.includes(entry.projectKey)) return false
  if (rule.tempoAccounts.length > 0 && !rule.tempoAccounts.includes(entry.accountKey)) return false
  if (rule.issueTypes.length > 0 && (issue === undefined || !rule.issueTypes.includes(issue.issueType))) return false
  if (rule.labels.length > 0 && (issue === undefined || !issue.labels.some((label) => rule.labels.includes(label)))) return false
  if (rule.components.length > 0 && (issue === undefined || !issue.components.some((component) => rule.components.includes(component)))) return false
  return true
}

/** First matching rule in order wins; no match falls back to the default category. */
export function categorizeEntry(options: {
  entry: Pick<WorkEntry, 'projectKey' | 'accountKey'>
  issue: SourceIssue | undefined
  /** Already in evaluation order (see sortCategoryRules). */
  rules: readonly CategoryRule[]
  defaultCategory: string
}): CategoryMatch {
  const rule = options.rules.find((candidate) => matchesCategoryRule(candidate, options.entry, options.issue))
  return rule ? { category: rule.category, ruleId: rule.id } : { category: options.defaultCategory, ruleId: null }
}
