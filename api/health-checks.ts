import type { Client } from '@temporalio/client'
import type { Config } from '../lib/config.js'
import type { Database } from '../lib/database.js'
import { CONCERNS, taskQueueOf, type Concern } from '../workers/concerns.js'

export interface CheckResult {
  /** `warn` is reported but does not make the API unhealthy; `down` does. */
  status: 'ok' | 'down' | 'skipped' | 'warn'
  detail?: string
}
export type HealthCheck = () => Promise<CheckResult>

const CHECK_TIMEOUT_MS = 3_000
/** The worker check answers (a warning) before the deadline of every check makes it `down`. */
const WORKER_CHECK_TIMEOUT_MS = 2_500

/**
 * The checks /health runs: PostgreSQL and Temporal (the API cannot work without them), the
 * ClickHouse server when CLICKHOUSE_URL names one (the embedded engine lives inside the worker,
 * so the API has nothing to check then), and whether a worker polls the task queue (a warning
 * only: the API still starts, lists and reads invoices meanwhile, and actions wait for it).
 */
export function createDefaultChecks(deps: { config: Config; db: Database; temporal: Client; taskQueue: string }): Record<string, HealthCheck> {
  return {
    postgres: async () => {
      await deps.db.$queryRaw`SELECT 1`
      return { status: 'ok' }
    },
    temporal: async () => {
      await deps.temporal.withDeadline(Date.now() + CHECK_TIMEOUT_MS, () =>
        deps.temporal.workflowService.describeNamespace({ namespace: deps.temporal.options.namespace }),
      )
      return { status: 'ok', detail: `namespace ${deps.temporal.options.namespace}` }
    },
    clickhouse: async () => {
      const url = deps.config.clickhouse.url
      if (!url) return { status: 'skipped', detail: 'embedded (in the worker)' }
      const response = await fetch(new URL('/ping', url), { signal: AbortSignal.timeout(CHECK_TIMEOUT_MS) })
      return response.ok ? { status: 'ok' } : { status: 'down', detail: `HTTP ${response.status}` }
    },
    worker: async () => {
      // A warning whatever happens (docs/api.md, Health): right after a Temporal restart the
      // describe fails or hangs until the worker polls again, and the API still serves meanwhile.
      // Its own deadline comes before the 3 s of every check, which would count it as down.
      try {
        const pollers = await deps.temporal.withDeadline(Date.now() + WORKER_CHECK_TIMEOUT_MS, () => pollersPerConcern(deps.temporal, deps.taskQueue))
        return describePollers(deps.taskQueue, pollers)
      } catch (err) {
        return { status: 'warn', detail: `could not learn whether a worker polls task queue ${deps.taskQueue}: ${(err as Error).message.split('\n')[0]}` }
      }
    },
  }
}

/** The processes that polled each concern's task queue lately (Temporal keeps a few minutes of them). */
async function pollersPerConcern(temporal: Client, taskQueue: string): Promise<Record<Concern, string[]>> {
  const entries = await Promise.all(
    CONCERNS.map(async (concern): Promise<[Concern, string[]]> => {
      const described = await temporal.workflowService.describeTaskQueue({
        namespace: temporal.options.namespace,
        taskQueue: { name: taskQueueOf(taskQueue, concern) },
        // The workflows' queue is asked for its workflow pollers, the others for activity pollers.
        taskQueueType: concern === 'workflows' ? 1 : 2,
      })
      return [concern, [...new Set((described.pollers ?? []).map((poller) => poller.identity ?? '?'))]]
    }),
  )
  return Object.fromEntries(entries) as Record<Concern, string[]>
}

/** ok when every concern has a worker and PlanFact's writes have one process; a warning otherwise. */
export function describePollers(taskQueue: string, pollers: Record<Concern, string[]>): CheckResult {
  const counts = CONCERNS.map((concern) => `${concern} ${pollers[concern].length}`).join(', ')
  if (pollers.workflows.length === 0) return { status: 'warn', detail: `no worker polls task queue ${taskQueue}: invoices wait until one starts (processes per concern: ${counts})` }
  const unserved = CONCERNS.filter((concern) => pollers[concern].length === 0)
  if (unserved.length > 0) {
    return { status: 'warn', detail: `no worker serves ${unserved.join(', ')} (task queue ${unserved.map((c) => taskQueueOf(taskQueue, c)).join(', ')}): those steps wait until one starts (processes per concern: ${counts})` }
  }
  if (pollers.planfact.length > 1) {
    return { status: 'warn', detail: `${pollers.planfact.length} processes polled ${taskQueueOf(taskQueue, 'planfact')} lately (${pollers.planfact.join(', ')}): exactly one may serve planfact, or a restarted one is still listed (processes per concern: ${counts})` }
  }
  return { status: 'ok', detail: `processes per concern: ${counts}` }
}

/** Runs the checks in parallel, each bounded in time; a throw or a timeout is `down` with the reason. */
export async function runHealthChecks(checks: Record<string, HealthCheck>): Promise<Record<string, CheckResult>> {
  const entries = await Promise.all(
    Object.entries(checks).map(async ([name, check]): Promise<[string, CheckResult]> => {
      let timer: NodeJS.Timeout | undefined
      const timeout = new Promise<CheckResult>((resolve) => {
        timer = setTimeout(() => resolve({ status: 'down', detail: `no answer within ${CHECK_TIMEOUT_MS} ms` }), CHECK_TIMEOUT_MS)
      })
      try {
        return [name, await Promise.race([check(), timeout])]
      } catch (err) {
        return [name, { status: 'down', detail: (err as Error).message.split('\n')[0] }]
      } finally {
        clearTimeout(timer)
      }
    }),
  )
  return Object.fromEntries(entries)
}
