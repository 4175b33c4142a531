import { fileURLToPath } from 'node:url'
import { Client, Connection } from '@temporalio/client'
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Runtime, type Logger } from '@temporalio/worker'
import { createActivities } from './activities/index.js'
import { createRefusalAuditSinks } from './activities/refusal-audit-sink.js'
import { createClickHouse, type ClickHouseClient } from './clients/clickhouse.js'
import { createExternalClients } from './clients/create-external-clients.js'
import { loadConfig, type Config } from './lib/config.js'
import { createDatabase } from './lib/database.js'
import { createLogger } from './lib/logger.js'
import { temporalConnectionOptions } from './lib/temporal-connection-options.js'
import { ensureDriftReportSchedule } from './operations/drift/ensure-drift-schedule.js'
import { HEARTBEAT_WORKER_OPTIONS } from './activities/heartbeat-while-running.js'
import { killAtBoundaryFromEnv } from './activities/kill-at-boundary.js'
import { needsClickHouse } from './workers/concerns.js'
import { createWorkerGroup } from './workers/worker-group.js'

/**
 * The invoicing worker: runs the invoice workflows and their activities, or the concerns of them
 * WORKER_CONCERNS names (workers/concerns.ts), one Temporal worker per concern's task queue.
 * SIGINT/SIGTERM stop it gracefully: no new tasks are taken, running activities get
 * WORKER_SHUTDOWN_GRACE_MS to finish, then connections close. Anything unfinished is resumed
 * by the next worker.
 */
async function run(): Promise<void> {
  const config = loadConfig(process.env, { needsApiTokens: false })
  const logger = createLogger(config.log)
  Runtime.install({ logger })

  const db = createDatabase(config.database.url, config.database.pool)
  const { concerns, concurrency } = config.worker
  // The embedded engine binds its data directory to one process: only processes whose
  // activities read ClickHouse open it (workers/concerns.ts).
  const clickhouse = needsClickHouse(concerns) ? createClickHouse(config.clickhouse) : clickHouseNotServedHere()
  // Bundled here, not by Worker.create, so webpack's build report stays out of the INFO log.
  const workflowBundle = await bundleWorkflowCode({
    workflowsPath: fileURLToPath(new URL('./workflows/index.ts', import.meta.url)),
    logger: new DefaultLogger('WARN'),
  })
  if (concerns.includes('workflows')) await keepDriftSchedule(config, logger)
  const connection = await NativeConnection.connect(temporalConnectionOptions(config.temporal))
  try {
    const workers = await createWorkerGroup({
      connection,
      namespace: config.temporal.namespace,
      taskQueue: config.temporal.taskQueue,
      concerns,
      concurrency,
      workflowBundle,
      activities: createActivities({ config, db, clickhouse, ...createExternalClients(config) }),
      sinks: createRefusalAuditSinks({ db, logger }),
      ...HEARTBEAT_WORKER_OPTIONS,
      // The chaos suite's kills (scripts/chaos.sh); none unless CHAOS_KILL_BOUNDARIES is set.
      interceptors: { activity: [...(HEARTBEAT_WORKER_OPTIONS.interceptors?.activity ?? []), ...killAtBoundaryFromEnv(process.env)] },
      shutdownGraceTime: config.worker.shutdownGraceMs,
    })
    logger.info('worker started', { taskQueues: workers.taskQueues, concerns, namespace: config.temporal.namespace })
    await workers.run() // resolves after SIGINT/SIGTERM and a graceful drain
    logger.info('worker stopped')
  } finally {
    await connection.close()
    await clickhouse.close()
    await db.$disconnect()
  }
}

/**
 * The nightly drift report's Schedule, created or updated at every start. A failure is logged,
 * not fatal: invoices do not depend on it, and the next start tries again.
 */
async function keepDriftSchedule(config: Config, logger: Logger): Promise<void> {
  const options = { taskQueue: config.temporal.taskQueue, cron: config.worker.driftReportCron, timeZone: config.companyTimeZone }
  let connection: Connection | undefined
  try {
    connection = await Connection.connect(temporalConnectionOptions(config.temporal))
    const outcome = await ensureDriftReportSchedule(new Client({ connection, namespace: config.temporal.namespace }), options)
    logger.info(`drift report schedule ${outcome}`, { ...options })
  } catch (err) {
    logger.error('drift report schedule not ensured', { ...options, error: err })
  } finally {
    await connection?.close()
  }
}

/** Stands in for ClickHouse in a process whose activities never read it (they are not registered here). */
function clickHouseNotServedHere(): ClickHouseClient {
  return new Proxy({} as ClickHouseClient, {
    get: (_, name) => {
      if (name === 'close') return async () => {}
      if (name === 'then') return undefined // not a promise
      throw new Error(`ClickHouse is not opened in this worker: WORKER_CONCERNS names no concern that reads it (used: ${String(name)})`)
    },
  })
}

run().catch((err) => {
  console.error(err)
  process.exit(1)
})
