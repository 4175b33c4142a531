import { CATALOG_PROJECTS, SHARED_PROJECT } from './catalog.js'
import { createRng, type Rng } from './prng.js'

/** One version of a Jira issue as the sync writes it. `pass` orders the inserts (1 = first sync). */
export interface IssueVersion {
  issueId: number
  issueKey: string
  projectKey: string
  issueType: string
  priority: string
  status: string
  summary: string
  labels: string[]
  components: string[]
  version: number
  deleted: boolean
  syncedAtMs: number
  pass: number
}

export interface ProjectPlan {
  projectKey: string
  /** Issues number 1..issueCount exist in Jira (some are later deleted). */
  issueCount: number
  /** Issue numbers that exist in no version: worklogs pointing here reference a missing issue. */
  missingFrom: number
}

/** Issue numbers at or below this are never deleted, so fixtures can rely on them. */
export const STABLE_ISSUES = 5
const MISSING_FROM = 9000
const FIRST_SYNC_MS = Date.UTC(2026, 5, 1, 2, 0, 0)
const DAY_MS = 86_400_000

/** Jira issue id of issue number `n` of a project: a fixed range per project, so ids never collide. */
export function issueIdOf(projectKey: string, n: number): number {
  const index = CATALOG_PROJECTS.indexOf(projectKey)
  if (index < 0) throw new Error(`unknown project ${projectKey}`)
  return 10_000 * (index + 1) + n
}

/** How many issues each project gets under this seed. */
export function planProjects(seed: number): ProjectPlan[] {
  return CATALOG_PROJECTS.map((projectKey) => {
    const rng = createRng(seed, 'issues', projectKey, 'count')
    const issueCount = projectKey === SHARED_PROJECT ? rng.int(300, 500) : rng.int(150, 400)
    return { projectKey, issueCount, missingFrom: MISSING_FROM }
  })
}

const TYPES = [['Story', 30], ['Task', 25], ['Bug', 20], ['Sub-task', 12], ['Epic', 3], ['Support', 6]] as const
const SUPPORT_TYPES = [['Support', 70], ['Bug', 15], ['Task', 15]] as const
const PRIORITIES = [['Highest', 3], ['High', 15], ['Medium', 60], ['Low', 17], ['Lowest', 5]] as const
const STATUSES = [['To Do', 20], ['In Progress', 25], ['In Review', 10], ['Done', 40], ['Closed', 5]] as const
const LABELS = ['backend', 'frontend', 'mobile', 'devops', 'urgent', 'client-request', 'tech-debt', 'security', 'data', 'ux'] as const
const COMPONENTS = ['API', 'Web', 'Mobile', 'Database', 'Infrastructure', 'Reports', 'Integrations'] as const
const VERBS = ['Add', 'Fix', 'Refactor', 'Investigate', 'Update', 'Migrate', 'Document', 'Optimize', 'Исправить', 'Добавить', "Qo'shish"] as const
const OBJECTS = ['invoice export', 'login flow', 'payment gateway callback', 'report filters', 'user roles',
  'push notifications', 'database indexes', 'CI pipeline', 'PDF layout', 'SMS provider integration',
  'отчёт по складу', 'фильтр по дате', "to'lov holati", 'audit log', 'search by TIN', 'dashboard widgets'] as const

/** Every version of every issue of one project, first versions first (pass 1), then later ones (pass 2). */
export function* generateProjectIssues(seed: number, plan: ProjectPlan): Generator<IssueVersion> {
  const rng = createRng(seed, 'issues', plan.projectKey)
  const projectIndex = CATALOG_PROJECTS.indexOf(plan.projectKey)
  const later: IssueVersion[] = []
  for (let n = 1; n <= plan.issueCount; n++) {
    const syncedAtMs = FIRST_SYNC_MS + projectIndex * 3_600_000 + n * 1000
    const first = makeIssue(rng, plan.projectKey, n, syncedAtMs)
    yield first
    const roll = rng.next()
    const laterMs = syncedAtMs + rng.int(5, 90) * DAY_MS
    if (roll < 0.005 && n > STABLE_ISSUES) {
      later.push({ ...first, version: laterMs, syncedAtMs: laterMs, deleted: true, pass: 2 })
    } else if (roll < 0.055) {
      const status = rng.weighted(STATUSES)
      later.push({ ...first, status, priority: rng.weighted(PRIORITIES), version: laterMs, syncedAtMs: laterMs, pass: 2 })
    }
  }
  yield* later
}

function makeIssue(rng: Rng, projectKey: string, n: number, syncedAtMs: number): IssueVersion {
  const issueType = rng.weighted(projectKey === SHARED_PROJECT ? SUPPORT_TYPES : TYPES)
  return {
    issueId: issueIdOf(projectKey, n),
    issueKey: `${projectKey}-${n}`,
    projectKey,
    issueType,
    priority: rng.weighted(PRIORITIES),
    status: rng.weighted(STATUSES),
    summary: `${rng.pick(VERBS)} ${rng.pick(OBJECTS)}`,
    labels: pickSome(rng, LABELS, rng.weighted([[0, 30], [1, 40], [2, 20], [3, 10]])),
    components: pickSome(rng, COMPONENTS, rng.weighted([[0, 35], [1, 50], [2, 15]])),
    version: syncedAtMs,
    deleted: false,
    syncedAtMs,
    pass: 1,
  }
}

/** `count` distinct items in catalog order (stable, so equal sets print equally). */
function pickSome(rng: Rng, items: readonly string[], count: number): string[] {
  const chosen = new Set<number>()
  while (chosen.size < count) chosen.add(rng.int(0, items.length - 1))
  return [...chosen].sort((a, b) => a - b).map((i) => items[i] as string)
}
