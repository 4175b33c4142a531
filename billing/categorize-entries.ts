import type { SourceIssue } from '../sources/types.js'
import { categorizeEntry, sortCategoryRules } from './categorize-entry.js'
import { compareIssueKeys, compareText } from './compare-entries.js'
import { WARNING_CODES } from './finding-codes.js'
import type { CategoryRule, Finding, WorkEntry } from './types.js'

/** An entry with its billing category and, when synced, its Jira issue. */
export interface CategorizedEntry {
  entry: WorkEntry
  category: string
  categoryRuleId: string | null
  issue: SourceIssue | undefined
}

/**
 * Places every entry in a category. Work on an issue missing from the synced issues is still
 * billed (categorized by project and account only) because the hours are real; both cases
 * that need a human look produce one warning per issue.
 */
export function categorizeEntries(options: {
  entries: readonly WorkEntry[]
  issues: readonly SourceIssue[]
  rules: readonly CategoryRule[]
  defaultCategory: string
}): { items: CategorizedEntry[]; warnings: Finding[] } {
  const issuesById = indexIssues(options.issues)
  const rules = sortCategoryRules(options.rules)
  const missing = new Map<string, string>()
  const defaulted = new Map<string, { issueKey: string; missing: boolean }>()
  const items = options.entries.map((entry): CategorizedEntry => {
    const issue = issuesById.get(entry.issueId)
    if (issue === undefined) missing.set(entry.issueId, entry.issueKey)
    const match = categorizeEntry({ entry, issue, rules, defaultCategory: options.defaultCategory })
    if (match.ruleId === null) defaulted.set(entry.issueId, { issueKey: entry.issueKey, missing: issue === undefined })
    return { entry, category: match.category, categoryRuleId: match.ruleId, issue }
  })

  const warnings: Finding[] = []
  for (const [issueId, issueKey] of sortByIssueKey(missing, (key) => key)) {
    warnings.push({
      code: WARNING_CODES.ISSUE_NOT_FOUND,
      message: `Issue ${issueKey} (id ${issueId}) is not in the synced Jira issues; its work is billed, categorized by project and Tempo account only.`,
      details: { issueId, issueKey },
    })
  }
  for (const [issueId, info] of sortByIssueKey(defaulted, (value) => value.issueKey)) {
    warnings.push({
      code: WARNING_CODES.CATEGORY_DEFAULTED,
      message:
        `Work on issue ${info.issueKey} matched no category rule and is billed as the default category "${options.defaultCategory}"` +
        (info.missing ? ' (the issue is not synced, so only project and account criteria could match).' : '.'),
      details: { issueId, issueKey: info.issueKey, category: options.defaultCategory },
    })
  }
  return { items, warnings }
}

/** Issues by id; when the same id appears twice, the higher version wins, whatever the input order. */
function indexIssues(issues: readonly SourceIssue[]): Map<string, SourceIssue> {
  const byId = new Map<string, SourceIssue>()
  for (const issue of issues) {
    const known = byId.get(issue.issueId)
    if (known === undefined || compareVersions(issue.version, known.version) > 0) byId.set(issue.issueId, issue)
  }
  return byId
}

/** Versions are numeric strings from the sync; compare them as numbers without parsing to float. */
function compareVersions(a: string, b: string): number {
  return a.length - b.length || compareText(a, b)
}

function sortByIssueKey<V>(map: Map<string, V>, keyOf: (value: V) => string): [string, V][] {
  return [...map.entries()].sort(([idA, a], [idB, b]) => compareIssueKeys(keyOf(a), keyOf(b)) || compareText(idA, idB))
}
