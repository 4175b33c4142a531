import { compareEntries } from './compare-entries.js'
import { Dec } from './decimal.js'
import type { TimeLineGroup } from './price-time-entries.js'

export interface HoursCapPlan {
  limitMinutes: Dec
  totalMinutes: Dec
  excessMinutes: Dec
  /** Minutes taken off each time line, with the work dates they came from (latest first). */
  removed: Map<string, { minutes: Dec; workDates: string[] }>
}

/**
 * Decides which billable minutes an hours cap removes. Work is removed from the latest work
 * dates backwards (within a day, in reverse canonical order), because the hours that break a
 * per-period limit are the ones logged after it was reached; each removed minute keeps the
 * rate of the line it came from. Returns null when the work is within the limit.
 */
export function planHoursCap(groups: readonly TimeLineGroup[], limitHours: Dec): HoursCapPlan | null {
  const limitMinutes = limitHours.times(60)
  const totalMinutes = new Dec(groups.reduce((sum, group) => sum + group.figures.billableMinutes, 0))
  if (totalMinutes.lte(limitMinutes)) return null
  const excessMinutes = totalMinutes.minus(limitMinutes)

  const candidates = groups
    .flatMap((group) => group.items.map((item) => ({ lineId: group.lineId, entry: item.entry })))
    .sort((a, b) => compareEntries(b.entry, a.entry))
  const removed = new Map<string, { minutes: Dec; workDates: string[] }>()
  let remaining = excessMinutes
  for (const candidate of candidates) {
    if (remaining.isZero()) break
    const take = Dec.min(remaining, new Dec(candidate.entry.billableMinutes))
    if (take.isZero()) continue
    const known = removed.get(candidate.lineId) ?? { minutes: new Dec(0), workDates: [] }
    known.minutes = known.minutes.plus(take)
    if (!known.workDates.includes(candidate.entry.workDate)) known.workDates.push(candidate.entry.workDate)
    removed.set(candidate.lineId, known)
    remaining = remaining.minus(take)
  }
  return { limitMinutes, totalMinutes, excessMinutes, removed }
}
