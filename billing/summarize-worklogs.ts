import type { SourceWorklog } from '../sources/types.js'
import { sortEntries } from './compare-entries.js'
import type { RoundingSettings, WorkEntry } from './types.js'
import {
  computeBillableMinutes,
  computeRawSeconds,
  computeRoundedMinutes,
  describeRoundingProblem,
  isBillableWorklog,
} from './worklog-minutes.js'

/** What summing needs of a worklog. */
export type SummarizedWorklog = Pick<SourceWorklog, 'issueId' | 'issueKey' | 'projectKey' | 'accountKey' | 'workDate' | 'billableSeconds' | 'timeSpentSeconds'>

/**
 * Reference implementation of the reader's aggregation: what the SQL must return for the same
 * worklogs. The prefill sums worklogs read one by one with it (prefill/read-billable-work.ts); entries come back in canonical order.
 */
export function summarizeWorklogs(worklogs: readonly SummarizedWorklog[], rounding: RoundingSettings): WorkEntry[] {
  const problem = describeRoundingProblem(rounding)
  if (problem !== null) throw new RangeError(problem)
  const groups = new Map<string, WorkEntry>()
  for (const worklog of worklogs) {
    const billable = isBillableWorklog(worklog)
    const key = JSON.stringify([worklog.issueId, worklog.issueKey, worklog.projectKey, worklog.accountKey, worklog.workDate, billable])
    let entry = groups.get(key)
    if (entry === undefined) {
      entry = {
        issueId: worklog.issueId,
        issueKey: worklog.issueKey,
        projectKey: worklog.projectKey,
        accountKey: worklog.accountKey,
        workDate: worklog.workDate,
        billable,
        worklogCount: 0,
        rawSeconds: 0,
        roundedMinutes: 0,
        billableMinutes: 0,
        skippedCount: 0,
      }
      groups.set(key, entry)
    }
    const raw = computeRawSeconds(worklog)
    if (raw <= 0) {
      entry.skippedCount += 1
      continue
    }
    entry.worklogCount += 1
    entry.rawSeconds += raw
    entry.roundedMinutes += computeRoundedMinutes(raw, rounding)
    entry.billableMinutes += computeBillableMinutes(raw, rounding)
  }
  return sortEntries([...groups.values()])
}
