import { INTERNAL_PROJECT, SHARED_PROJECT, UNBILLED_ACCOUNT, type CatalogDeal } from './catalog.js'
import { issueIdOf, type ProjectPlan } from './issues.js'
import { listDays, weekday } from './months.js'
import { AUTHORS, type Author } from './people.js'
import { createRng, type Rng } from './prng.js'

/** One version of a Tempo worklog as the sync writes it. `pass` orders the inserts (1 = first sync). */
export interface WorklogVersion {
  worklogId: number
  issueId: number
  issueKey: string
  projectKey: string
  accountKey: string
  authorAccountId: string
  authorName: string
  startedAtMs: number
  timeSpentSeconds: number
  billableSeconds: number
  description: string
  version: number
  deleted: boolean
  syncedAtMs: number
  pass: number
}

/** A run of worklogs with its own id range and random stream: one per deal, plus unassigned work. */
export interface WorklogStream {
  key: string
  /** 1-based; worklog ids of the stream are index * 100_000_000 + 1, + 2, ... */
  index: number
  count: number
  /** Null for work that belongs to no deal (internal project, unknown accounts). */
  deal: CatalogDeal | null
}

/** Worklog ids of one stream stay below the next stream's range. */
export const MAX_WORKLOGS_PER_STREAM = 99_999_999
export const ID_RANGE = 100_000_000
/** Asia/Tashkent is UTC+5 all year (no DST): local wall time minus five hours is UTC. */
export const TASHKENT_OFFSET_MS = 5 * 3_600_000

const MINUTE_MS = 60_000

const DURATION_MINUTES = [[15, 10], [30, 14], [45, 8], [60, 16], [90, 10], [120, 12], [180, 9], [240, 8], [300, 4], [360, 3], [480, 4]] as const
export const WORKLOG_DESCRIPTIONS = ['Implementation', 'Code review', 'Bug fixing', 'Sprint planning', 'Meeting with the client', 'Testing',
  'Deployment', 'Investigating production issue', 'Разработка API', 'Созвон с заказчиком', 'Исправление ошибок',
  "Mijoz bilan uchrashuv", 'Hujjatlarni tayyorlash', 'Refactoring', 'Writing documentation', 'On-call support'] as const

interface StreamContext {
  rng: Rng
  team: readonly Author[]
  days: readonly string[]
  dayWeights: Float64Array
  projects: ReadonlyMap<string, ProjectPlan>
}

/**
 * Every version of every worklog of one stream: each worklog's first version, followed by its
 * later versions (an update with another duration, or a delete) when it has them.
 */
export function* generateStreamWorklogs(
  seed: number,
  stream: WorklogStream,
  months: readonly string[],
  projects: ReadonlyMap<string, ProjectPlan>,
): Generator<WorklogVersion> {
  if (stream.count > MAX_WORKLOGS_PER_STREAM) throw new Error(`at most ${MAX_WORKLOGS_PER_STREAM} worklogs per deal`)
  const rng = createRng(seed, 'worklogs', stream.key)
  const days = months.flatMap(listDays)
  const dayWeights = cumulativeDayWeights(days)
  const team = pickTeam(rng)
  const ctx: StreamContext = { rng, team, days, dayWeights, projects }
  for (let i = 0; i < stream.count; i++) {
    const first = makeWorklog(ctx, stream, stream.index * ID_RANGE + i + 1)
    yield first
    const roll = rng.next()
    const laterMs = first.syncedAtMs + rng.int(3_600, 10 * 86_400) * 1000
    if (roll < 0.01) {
      yield { ...first, deleted: true, version: laterMs, syncedAtMs: laterMs, pass: 2 }
    } else if (roll < 0.03) {
      const timeSpentSeconds = drawDuration(rng)
      const billableSeconds = first.billableSeconds === 0 ? 0 : timeSpentSeconds
      yield { ...first, timeSpentSeconds, billableSeconds, description: `${first.description} (corrected)`, version: laterMs, syncedAtMs: laterMs, pass: 2 }
    }
  }
}

function makeWorklog(ctx: StreamContext, stream: WorklogStream, worklogId: number): WorklogVersion {
  const { rng } = ctx
  const { projectKey, accountKey } = pickTarget(rng, stream.deal)
  const plan = ctx.projects.get(projectKey)
  if (plan === undefined) throw new Error(`no issue plan for project ${projectKey}`)
  // A few worklogs point at issues Jira never had (or the sync has not brought yet).
  const n = rng.chance(0.003) ? plan.missingFrom + rng.int(0, 999) : 1 + Math.floor(plan.issueCount * rng.next() ** 1.6)
  const author = rng.pick(ctx.team)
  const startedAtMs = drawStart(ctx)
  let timeSpentSeconds = drawDuration(rng)
  let billableSeconds = timeSpentSeconds
  const kind = rng.next()
  if (kind < 0.005) {
    timeSpentSeconds = 60
    billableSeconds = 60
  } else if (kind < 0.045) {
    billableSeconds = 0
  } else if (kind < 0.055) {
    billableSeconds = Math.round(timeSpentSeconds / 2)
  } else if (kind < 0.057) {
    timeSpentSeconds = 0
    billableSeconds = 0
  } else if (kind < 0.058) {
    timeSpentSeconds = -rng.int(1, 60) * 60
    billableSeconds = timeSpentSeconds
  }
  const syncedAtMs = startedAtMs + Math.max(timeSpentSeconds, 0) * 1000 + rng.int(1, 30) * MINUTE_MS
  return {
    worklogId,
    issueId: issueIdOf(projectKey, n),
    issueKey: `${projectKey}-${n}`,
    projectKey,
    accountKey,
    authorAccountId: author.accountId,
    authorName: author.name,
    startedAtMs,
    timeSpentSeconds,
    billableSeconds,
    description: rng.pick(WORKLOG_DESCRIPTIONS),
    version: syncedAtMs,
    deleted: false,
    syncedAtMs,
    pass: 1,
  }
}

/** Where a worklog is logged: never in a way that would make it belong to two deals. */
function pickTarget(rng: Rng, deal: CatalogDeal | null): { projectKey: string; accountKey: string } {
  if (deal === null) {
    const projectKey = rng.chance(0.5) ? INTERNAL_PROJECT : SHARED_PROJECT
    return { projectKey, accountKey: rng.chance(0.5) ? '' : UNBILLED_ACCOUNT }
  }
  const ownAccount = deal.tempoAccounts.length > 0 ? rng.pick(deal.tempoAccounts) : null
  if (deal.projectKeys.length === 0 || (ownAccount !== null && rng.chance(0.2))) {
    if (ownAccount === null) throw new Error(`deal ${deal.dealId} has neither projects nor accounts`)
    return { projectKey: SHARED_PROJECT, accountKey: ownAccount }
  }
  const projectKey = rng.pick(deal.projectKeys)
  if (ownAccount !== null) return { projectKey, accountKey: rng.chance(0.5) ? ownAccount : '' }
  return { projectKey, accountKey: rng.chance(0.7) ? '' : UNBILLED_ACCOUNT }
}

/** Mostly office hours in Tashkent; some late evenings and some after midnight (the day boundary cases). */
function drawStart(ctx: StreamContext): number {
  const { rng } = ctx
  const day = ctx.days[pickIndex(ctx.dayWeights, rng.next())] as string
  const r = rng.next()
  const localMinute = r < 0.9 ? rng.int(8 * 12, 19 * 12 + 6) * 5 : r < 0.96 ? rng.int(20 * 12, 24 * 12 - 1) * 5 : rng.int(0, 3 * 12 - 1) * 5
  return Date.parse(`${day}T00:00:00Z`) + localMinute * MINUTE_MS - TASHKENT_OFFSET_MS
}

/** Mostly 15 min to 8 h in usual steps; some odd minutes, some timer-measured seconds. */
export function drawDuration(rng: Rng): number {
  const minutes = rng.chance(0.1) ? rng.int(5, 480) : rng.weighted(DURATION_MINUTES)
  return minutes * 60 + (rng.chance(0.04) ? rng.int(1, 59) : 0)
}

/** A few authors who share a stream's work (at least `minSize`). */
export function pickTeam(rng: Rng, minSize = 3): Author[] {
  const size = rng.int(minSize, 8)
  const team = new Set<Author>()
  while (team.size < size) team.add(rng.pick(AUTHORS))
  return [...team]
}

/** Weekends get a little work, weekdays most of it. */
export function cumulativeDayWeights(days: readonly string[]): Float64Array {
  const cumulative = new Float64Array(days.length)
  let total = 0
  days.forEach((day, i) => {
    const wd = weekday(day)
    total += wd === 0 || wd === 6 ? 0.08 : 1
    cumulative[i] = total
  })
  for (let i = 0; i < cumulative.length; i++) cumulative[i] = (cumulative[i] as number) / total
  return cumulative
}

/** The index whose cumulative weight first exceeds `r` (in [0, 1)). */
export function pickIndex(cumulative: Float64Array, r: number): number {
  let lo = 0
  let hi = cumulative.length - 1
  while (lo < hi) {
    const mid = (lo + hi) >> 1
    if ((cumulative[mid] as number) > r) hi = mid
    else lo = mid + 1
  }
  return lo
}
