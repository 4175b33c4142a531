import type { WorkEntry } from './types.js'

/**
 * Orderings used everywhere output order matters. They compare UTF-16 code units, never the
 * locale, so the same inputs give the same order on every machine.
 */

/** Plain code-unit comparison of two strings. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

const ISSUE_KEY_PATTERN = /^(.*)-(\d+)$/

/** Orders issue keys as people read them: ABC-9 before ABC-10; other strings by code unit. */
export function compareIssueKeys(a: string, b: string): number {
  const matchA = ISSUE_KEY_PATTERN.exec(a)
  const matchB = ISSUE_KEY_PATTERN.exec(b)
  if (matchA && matchB) {
    const byProject = compareText(matchA[1] ?? '', matchB[1] ?? '')
    if (byProject !== 0) return byProject
    const numberA = matchA[2] ?? ''
    const numberB = matchB[2] ?? ''
    const byLength = numberA.replace(/^0+/, '').length - numberB.replace(/^0+/, '').length
    if (byLength !== 0) return byLength
    const byNumber = compareText(numberA.replace(/^0+/, ''), numberB.replace(/^0+/, ''))
    if (byNumber !== 0) return byNumber
  }
  return compareText(a, b)
}

/**
 * A total order on entries (date, project, issue, account, flag, then the figures), so that
 * any permutation of the reader's rows sorts to the same sequence.
 */
export function compareEntries(a: WorkEntry, b: WorkEntry): number {
  return (
    compareText(a.workDate, b.workDate) ||
    compareText(a.projectKey, b.projectKey) ||
    compareIssueKeys(a.issueKey, b.issueKey) ||
    compareText(a.issueId, b.issueId) ||
    compareText(a.accountKey, b.accountKey) ||
    Number(a.billable) - Number(b.billable) ||
    a.worklogCount - b.worklogCount ||
    a.rawSeconds - b.rawSeconds ||
    a.roundedMinutes - b.roundedMinutes ||
    a.billableMinutes - b.billableMinutes ||
    a.skippedCount - b.skippedCount
  )
}

/** Entries in canonical order, without touching the caller's array. */
export function sortEntries(entries: readonly WorkEntry[]): WorkEntry[] {
  return [...entries].sort(compareEntries)
}
