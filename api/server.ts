import { serve } from '@hono/node-server'
import { Client, Connection } from '@temporalio/client'
import { loadConfig } from '../lib/config.js'
import { createDatabase } from '../lib/database.js'
import { createLogger } from '../lib/logger.js'
import { createApp } from './app.js'
import { apiConnectionOptions } from './temporal-connection.js'

const SHUTDOWN_GRACE_MS = 10_000

/**
 * The API process: one config, one Prisma client and one Temporal connection, listening on
 * API_HOST, 127.0.0.1 unless set (a reverse proxy terminates TLS in front of it). SIGINT/SIGTERM stop accepting
 * requests, let the handlers in flight finish, then close the connections. An action whose
 * answer was cut short is not lost: the workflow accepted it and acts on it regardless.
 */
async function run(): Promise<void> {
  const config = loadConfig()
  const logger = createLogger(config.log)
  const db = createDatabase(config.database.url, config.database.pool)
  const connection = await Connection.connect(apiConnectionOptions(config.temporal))
  const temporal = new Client({ connection, namespace: config.temporal.namespace })
  const app = createApp({ config, db, temporal, taskQueue: config.temporal.taskQueue, logger })

  // Requests whose handler is still running. A client that gives up closes its socket, which
  // lets server.close() finish while the handler still needs PostgreSQL and Temporal, so the
  // connections are closed only once this reaches zero.
  let inFlight = 0
  let onIdle: (() => void) | undefined
  const fetch = async (request: Request, env: unknown): Promise<Response> => {
    inFlight += 1
    try {
      // Only the console's in-process calls carry a signed-in user; never one from the network.
      return await app.fetch(request, { ...(env as object), signedInUser: undefined })
    } finally {
      inFlight -= 1
      if (inFlight === 0) onIdle?.()
    }
  }
  const handlersDone = (): Promise<void> => (inFlight === 0 ? Promise.resolve() : new Promise((resolve) => (onIdle = resolve)))

  const server = serve({ fetch, hostname: config.api.host, port: config.api.port }, (info) => {
    logger.info('api listening', { url: `http://${config.api.host}:${info.port}`, temporalNamespace: config.temporal.namespace, workflowTaskQueue: config.temporal.taskQueue })
  })

  let stopping = false
  const stop = (signal: string): void => {
    if (stopping) return
    stopping = true
    logger.info('api stopping', { signal })
    const force = setTimeout(() => {
      logger.warn('api did not stop in time; exiting', { graceMs: SHUTDOWN_GRACE_MS })
      process.exit(1)
    }, SHUTDOWN_GRACE_MS)
    force.unref()
    const closed = new Promise<void>((resolve) => server.close(() => resolve()))
    Promise.all([closed, handlersDone()])
      .then(() => Promise.all([db.$disconnect(), connection.close()]))
      .then(
        () => logger.info('api stopped'),
        (err: unknown) => logger.error('api stopped with an error', { error: err }),
      )
  }
  process.once('SIGINT', () => stop('SIGINT'))
  process.once('SIGTERM', () => stop('SIGTERM'))
}

run().catch((err) => {
  console.error(err)
  process.exit(1)
})
