import { INTERNAL_PROJECT, SAMPLE_DEALS } from './catalog.js'
import { issueIdOf } from './issues.js'
import { addMonths, lastDay } from './months.js'
import { AUTHORS } from './people.js'
import type { WorklogVersion } from './worklogs.js'

export type EdgeCaseKind =
  | 'one-minute'
  | 'non-billable'
  | 'zero-duration'
  | 'negative-duration'
  | 'missing-issue'
  | 'updated'
  | 'deleted'
  | 'updated-out-of-order'
  | 'moved-out'
  | 'moved-in'
  | 'redated'
  | 'month-end-same-day'
  | 'month-end-next-day'

/** What a reader of the deal's worklogs must return for a fixture (its latest state). */
export interface ExpectedWorklog {
  startedAt: string
  /** Work date in Asia/Tashkent (UTC+5). */
  workDate: string
  projectKey: string
  issueId: string
  timeSpentSeconds: number
  billableSeconds: number
}

/** A hand-written worklog with a known id in the showcase deal, and what reading it must give. */
export interface EdgeCaseWorklog {
  kind: EdgeCaseKind
  worklogId: string
  dealId: string
  /** Every version, in the order the generator inserts them (each in its own insert). */
  versions: WorklogVersion[]
  /** Null when the worklog must not be returned for the deal in any period. */
  expected: ExpectedWorklog | null
}

/** Fixture worklog ids start here, far above the generated ranges. */
export const EDGE_CASE_ID_BASE = 9_000_000_000
const HOUR_MS = 3_600_000
const DAY_MS = 86_400_000
const DEAL_PROJECT = 'TRY'

/** One version of a fixture; unset fields take the fixture defaults (TRY-1, one hour, billable). */
interface Change {
  startedAt: string
  projectKey?: string
  issueNumber?: number
  timeSpentSeconds?: number
  billableSeconds?: number
  deleted?: boolean
  /** Insert pass: versions of one worklog never share an insert (ClickHouse would merge them on insert). */
  pass?: number
  /** Days after the first sync at which this version was synced; defaults to its position. */
  day?: number
}

/**
 * The fixtures for these months, all in the showcase deal (APP-1001, project TRY): one of each
 * odd case in the first month, and both sides of midnight in Tashkent at every month end.
 * Start instants and work dates are written out, not computed, so they can check the readers.
 */
export function buildEdgeCases(months: readonly string[]): EdgeCaseWorklog[] {
  const first = months[0]
  if (first === undefined) return []
  const cases: EdgeCaseWorklog[] = []
  let nextId = EDGE_CASE_ID_BASE
  const add = (kind: EdgeCaseKind, history: Change[], workDate: string | null): void => {
    nextId += 1
    const id = nextId
    const firstStartedAtMs = Date.parse((history[0] as Change).startedAt)
    const versions = history.map((h, i) => makeVersion(id, kind, h, i, firstStartedAtMs))
    const latest = versions.reduce((a, b) => (b.version > a.version ? b : a))
    cases.push({
      kind,
      worklogId: String(id),
      dealId: SAMPLE_DEALS.tmUsdUzEInvoicing,
      versions,
      expected:
        workDate === null || latest.deleted || latest.projectKey !== DEAL_PROJECT
          ? null
          : {
              startedAt: new Date(latest.startedAtMs).toISOString(),
              workDate,
              projectKey: latest.projectKey,
              issueId: String(latest.issueId),
              timeSpentSeconds: latest.timeSpentSeconds,
              billableSeconds: latest.billableSeconds,
            },
    })
  }

  add('one-minute', [{ startedAt: `${first}-10T06:00:00Z`, timeSpentSeconds: 60 }], `${first}-10`)
  add('non-billable', [{ startedAt: `${first}-10T07:00:00Z`, timeSpentSeconds: 7200, billableSeconds: 0 }], `${first}-10`)
  add('zero-duration', [{ startedAt: `${first}-10T08:00:00Z`, timeSpentSeconds: 0 }], `${first}-10`)
  add('negative-duration', [{ startedAt: `${first}-10T09:00:00Z`, timeSpentSeconds: -1800 }], `${first}-10`)
  add('missing-issue', [{ startedAt: `${first}-11T06:00:00Z`, issueNumber: 9999 }], `${first}-11`)
  add('updated', [
    { startedAt: `${first}-12T06:00:00Z`, timeSpentSeconds: 3600 },
    { startedAt: `${first}-12T06:00:00Z`, timeSpentSeconds: 5400, pass: 2 },
  ], `${first}-12`)
  add('deleted', [
    { startedAt: `${first}-12T08:00:00Z` },
    { startedAt: `${first}-12T08:00:00Z`, deleted: true, pass: 2 },
  ], null)
  // The newest version is inserted before an older one: the version number, not the insert order, wins.
  add('updated-out-of-order', [
    { startedAt: `${first}-13T06:00:00Z`, timeSpentSeconds: 1800 },
    { startedAt: `${first}-13T06:00:00Z`, timeSpentSeconds: 4500, pass: 2, day: 2 },
    { startedAt: `${first}-13T06:00:00Z`, timeSpentSeconds: 2700, pass: 3, day: 1 },
  ], `${first}-13`)
  add('moved-out', [
    { startedAt: `${first}-14T06:00:00Z` },
    { startedAt: `${first}-14T06:00:00Z`, projectKey: INTERNAL_PROJECT, pass: 2 },
  ], null)
  add('moved-in', [
    { startedAt: `${first}-14T08:00:00Z`, projectKey: INTERNAL_PROJECT },
    { startedAt: `${first}-14T08:00:00Z`, projectKey: DEAL_PROJECT, pass: 2 },
  ], `${first}-14`)
  // Re-dated into the previous month: it leaves this month's invoice.
  const previous = addMonths(first, -1)
  add('redated', [
    { startedAt: `${first}-15T06:00:00Z` },
    { startedAt: `${previous}-20T06:00:00Z`, pass: 2 },
  ], `${previous}-20`)

  for (const month of months) {
    const last = lastDay(month)
    // 18:45Z is 23:45 in Tashkent, the same day; 19:30Z is 00:30 of the next day, the next month.
    add('month-end-same-day', [{ startedAt: `${last}T18:45:00Z` }], last)
    add('month-end-next-day', [{ startedAt: `${last}T19:30:00Z` }], `${addMonths(month, 1)}-01`)
  }
  return cases
}

function makeVersion(worklogId: number, kind: EdgeCaseKind, h: Change, index: number, firstStartedAtMs: number): WorklogVersion {
  const projectKey = h.projectKey ?? DEAL_PROJECT
  const issueNumber = h.issueNumber ?? 1
  const timeSpentSeconds = h.timeSpentSeconds ?? 3600
  const author = AUTHORS[0] as (typeof AUTHORS)[number]
  // Version k is synced k days after the first sync, which came an hour after the first start.
  const version = firstStartedAtMs + HOUR_MS + (h.day ?? index) * DAY_MS
  return {
    worklogId,
    issueId: issueIdOf(projectKey, issueNumber),
    issueKey: `${projectKey}-${issueNumber}`,
    projectKey,
    accountKey: '',
    authorAccountId: author.accountId,
    authorName: author.name,
    startedAtMs: Date.parse(h.startedAt),
    timeSpentSeconds,
    billableSeconds: h.billableSeconds ?? timeSpentSeconds,
    description: `Edge case: ${kind}`,
    version,
    deleted: h.deleted ?? false,
    syncedAtMs: version,
    pass: h.pass ?? 1,
  }
}
