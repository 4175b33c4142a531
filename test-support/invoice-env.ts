import type { TestWorkflowEnvironment } from '@temporalio/testing'
import { DefaultLogger } from '@temporalio/worker'
import { createActivities } from '../activities/index.js'
import { createRefusalAuditSinks } from '../activities/refusal-audit-sink.js'
import { createExternalClients } from '../clients/create-external-clients.js'
import { startDidoxFake, type DidoxFake } from '../fakes/didox-server.js'
import { startPlanFactFake, type PlanFactFake } from '../fakes/planfact-server.js'
import { loadConfig, type Config } from '../lib/config.js'
import { createDatabase, type Database } from '../lib/database.js'
import { createTestClickHouse, type TestClickHouse } from '../sources/create-test-clickhouse.js'
import { generateSources } from '../sources/generate/generate-sources.js'
import { testDatabaseUrl } from './env.js'
import { createTestWorker } from './temporal.js'

/**
 * Everything an end-to-end invoice test needs, real: PostgreSQL (test database), an embedded
 * ClickHouse of its own filled by the generator, the running Gotenberg, and the real activities.
 */
export interface InvoiceTestEnv {
  config: Config
  db: Database
  clickhouse: TestClickHouse
  activities: ReturnType<typeof createActivities>
  /** This env's own fakes (fresh state and counters), on random ports. */
  planfact: PlanFactFake
  didox: DidoxFake
  dispose(): Promise<void>
}

export async function createInvoiceTestEnv(name: string, options: { months?: string[]; worklogs?: number } = {}): Promise<InvoiceTestEnv> {
  const base = loadConfig({ ...process.env, DATABASE_URL: testDatabaseUrl() })
  const planfact = await startPlanFactFake({ apiKey: base.planfact.apiKey })
  const didox = await startDidoxFake({ partnerToken: base.didox.partnerToken, taxId: base.didox.taxId, password: base.didox.password })
  // Poll Didox every half second instead of every 15 minutes.
  const config: Config = { ...base, planfact: { ...base.planfact, url: planfact.url }, didox: { ...base.didox, url: didox.url, pollIntervalMs: 500 } }
  const db = createDatabase(config.database.url)
  const clickhouse = createTestClickHouse(name)
  await generateSources(clickhouse.client, { seed: 11, months: options.months ?? ['2026-09', '2026-10'], worklogs: options.worklogs ?? 3000 })
  const activities = createActivities({ config, db, clickhouse: clickhouse.client, ...createExternalClients(config) })
  return {
    config,
    db,
    clickhouse,
    activities,
    planfact,
    didox,
    async dispose() {
      await Promise.all([planfact.close(), didox.close()])
      await clickhouse.dispose()
      await db.$disconnect()
    },
  }
}

/** A running worker with the real activities, and the invoice environment they use. */
export interface RunningInvoiceWorker {
  inv: InvoiceTestEnv
  /** Stops the worker, waits for it to drain, then releases the environment. */
  stop(): Promise<void>
}

/**
 * Creates an invoice environment and runs a worker with its activities on `taskQueue`;
 * `replace` swaps some of them (e.g. for ones that crash after their work).
 */
export async function runInvoiceWorker(
  env: TestWorkflowEnvironment,
  name: string,
  options: { taskQueue: string; replace?: (activities: InvoiceTestEnv['activities']) => Partial<InvoiceTestEnv['activities']> },
): Promise<RunningInvoiceWorker> {
  const inv = await createInvoiceTestEnv(name)
  try {
    const worker = await createTestWorker(env, {
      taskQueue: options.taskQueue,
      activities: { ...inv.activities, ...options.replace?.(inv.activities) },
      sinks: createRefusalAuditSinks({ db: inv.db, logger: new DefaultLogger('WARN') }),
    })
    const running = worker.run()
    return {
      inv,
      stop: async () => {
        worker.shutdown()
        await running
        await inv.dispose()
      },
    }
  } catch (err) {
    await inv.dispose()
    throw err
  }
}

/** Polls `read` until `ready` holds (workflow state reached), failing after `timeoutMs`. */
export async function waitFor<T>(read: () => Promise<T>, ready: (value: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  let last: T | undefined
  while (Date.now() < deadline) {
    last = await read()
    if (ready(last)) return last
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error(`condition not reached in ${timeoutMs} ms; last value: ${JSON.stringify(last)?.slice(0, 2000)}`)
}

/**
 * Stand-ins for activities that "die" after doing their work: while `counts[name]` is above 0,
 * a call runs the real activity, then throws as a worker killed before Temporal recorded the
 * result would. For `runInvoiceWorker(..., { replace })`.
 */
export function crashingAfterWork<N extends keyof InvoiceTestEnv['activities']>(names: readonly N[], counts: Partial<Record<N, number>>) {
  return (activities: InvoiceTestEnv['activities']) =>
    Object.fromEntries(
      names.map((name) => [
        name,
        async (input: never) => {
          const result = await (activities[name] as (input: never) => Promise<unknown>)(input)
          if ((counts[name] ?? 0) > 0) {
            counts[name]! -= 1
            throw new Error(`${String(name)}: the worker died after the remote call, before Temporal recorded the result`)
          }
          return result
        },
      ]),
    )
}
