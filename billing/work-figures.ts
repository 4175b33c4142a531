import type { WorkEntry } from './types.js'

/** Sums over a set of entries, enough to explain how billable minutes were reached. */
export interface WorkFigures {
  worklogCount: number
  nonBillableWorklogs: number
  rawSeconds: number
  roundedMinutes: number
  billableMinutes: number
}

/** Adds up entries' counts and durations (whole numbers, so plain integer sums are exact). */
export function sumWorkFigures(entries: Iterable<WorkEntry>): WorkFigures {
  const figures: WorkFigures = { worklogCount: 0, nonBillableWorklogs: 0, rawSeconds: 0, roundedMinutes: 0, billableMinutes: 0 }
  for (const entry of entries) {
    figures.worklogCount += entry.worklogCount
    if (!entry.billable) figures.nonBillableWorklogs += entry.worklogCount
    figures.rawSeconds += entry.rawSeconds
    figures.roundedMinutes += entry.roundedMinutes
    figures.billableMinutes += entry.billableMinutes
  }
  return figures
}
