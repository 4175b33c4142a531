import type { SourceDeal } from '../sources/types.js'
import { compareIssueKeys, sortEntries } from './compare-entries.js'
import { Dec } from './decimal.js'
import { ERROR_CODES, WARNING_CODES } from './finding-codes.js'
import { formatHours } from './format-figures.js'
import { isInPeriod, isIsoDate } from './period.js'
import type { BillingPeriod, Finding, WorkEntry } from './types.js'

export interface EntrySelection {
  /** Entries to bill, in canonical order, each with at least one counted worklog. */
  entries: WorkEntry[]
  warnings: Finding[]
  errors: Finding[]
}

/**
 * Keeps the entries this invoice bills. The reader filters by deal and period already; doing
 * it again here means a reader bug shows up as a warning instead of a wrong invoice.
 */
export function selectEntries(options: {
  entries: readonly WorkEntry[]
  deal: Pick<SourceDeal, 'projectKeys' | 'tempoAccounts' | 'billNonBillable'>
  period: BillingPeriod
}): EntrySelection {
  const { deal, period } = options
  const selected: WorkEntry[] = []
  const errors: Finding[] = []
  let outOfScopeEntries = 0
  let outOfScopeWorklogs = 0
  let nonBillableWorklogs = 0
  let nonBillableSeconds = 0
  const nonBillableIssues = new Set<string>()
  let skippedWorklogs = 0
  const skippedIssues = new Set<string>()

  for (const entry of sortEntries(options.entries)) {
    const problem = describeEntryProblem(entry)
    if (problem !== null) {
      errors.push({
        code: ERROR_CODES.INVALID_ENTRY,
        message: `Work entry of issue ${entry.issueKey} on ${entry.workDate} is malformed: ${problem}.`,
        details: { issueKey: entry.issueKey, workDate: entry.workDate },
      })
      continue
    }
    if (!belongsToDeal(entry, deal) || !isInPeriod(entry.workDate, period)) {
      outOfScopeEntries += 1
      outOfScopeWorklogs += entry.worklogCount + entry.skippedCount
      continue
    }
    if (entry.skippedCount > 0) {
      skippedWorklogs += entry.skippedCount
      skippedIssues.add(entry.issueKey)
    }
    if (entry.worklogCount === 0) continue
    if (!entry.billable && !deal.billNonBillable) {
      nonBillableWorklogs += entry.worklogCount
      nonBillableSeconds += entry.rawSeconds
      nonBillableIssues.add(entry.issueKey)
      continue
    }
    selected.push(entry)
  }

  const warnings: Finding[] = []
  if (outOfScopeEntries > 0) {
    warnings.push({
      code: WARNING_CODES.ENTRIES_OUT_OF_SCOPE,
      message: `${outOfScopeEntries} work entries (${outOfScopeWorklogs} worklogs) outside the deal's projects and accounts or outside ${period.from}..${period.to} were left out.`,
      details: { entries: outOfScopeEntries, worklogs: outOfScopeWorklogs },
    })
  }
  if (nonBillableWorklogs > 0) {
    const issueKeys = sortedIssueKeys(nonBillableIssues)
    const hours = formatHours(new Dec(nonBillableSeconds).div(3600))
    warnings.push({
      code: WARNING_CODES.NON_BILLABLE_EXCLUDED,
      message: `${nonBillableWorklogs} non-billable worklogs (${hours} h logged, issues ${issueKeys.join(', ')}) were left out: the deal does not bill Tempo's non-billable time.`,
      details: { worklogs: nonBillableWorklogs, hours, issueKeys },
    })
  }
  if (skippedWorklogs > 0) {
    const issueKeys = sortedIssueKeys(skippedIssues)
    warnings.push({
      code: WARNING_CODES.SKIPPED_WORKLOGS,
      message: `${skippedWorklogs} worklogs with a zero or negative duration were skipped (issues ${issueKeys.join(', ')}).`,
      details: { worklogs: skippedWorklogs, issueKeys },
    })
  }
  return { entries: selected, warnings, errors }
}

/** A worklog belongs to a deal through its Jira project or its Tempo account. */
export function belongsToDeal(entry: Pick<WorkEntry, 'projectKey' | 'accountKey'>, deal: Pick<SourceDeal, 'projectKeys' | 'tempoAccounts'>): boolean {
  return deal.projectKeys.includes(entry.projectKey) || (entry.accountKey !== '' && deal.tempoAccounts.includes(entry.accountKey))
}

function describeEntryProblem(entry: WorkEntry): string | null {
  if (!isIsoDate(entry.workDate)) return `workDate "${entry.workDate}" is not a date YYYY-MM-DD`
  const counts: [string, number][] = [
    ['worklogCount', entry.worklogCount],
    ['rawSeconds', entry.rawSeconds],
    ['roundedMinutes', entry.roundedMinutes],
    ['billableMinutes', entry.billableMinutes],
    ['skippedCount', entry.skippedCount],
  ]
  for (const [field, value] of counts) {
    if (!Number.isSafeInteger(value) || value < 0) return `${field} must be a whole number of at least 0, got ${String(value)}`
  }
  if (entry.worklogCount === 0 && (entry.rawSeconds > 0 || entry.billableMinutes > 0)) return 'it has minutes but no worklogs'
  if (entry.worklogCount > 0 && entry.rawSeconds === 0) return 'it has worklogs but no duration'
  if (entry.roundedMinutes * 60 < entry.rawSeconds) return 'roundedMinutes is below the raw duration'
  if (entry.billableMinutes < entry.roundedMinutes) return 'billableMinutes is below roundedMinutes'
  return null
}

function sortedIssueKeys(keys: Set<string>): string[] {
  return [...keys].sort(compareIssueKeys)
}
