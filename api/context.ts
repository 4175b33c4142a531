import type { Client } from '@temporalio/client'
import type { Logger } from '@temporalio/common'
import type { Config } from '../lib/config.js'
import type { Database } from '../lib/database.js'
import type { AuthUser, TokenIndex } from './auth.js'
import type { HealthCheck } from './health-checks.js'

/** What the API needs from the process: built once by api/server.ts (or by a test). */
export interface AppDeps {
  config: Config
  db: Database
  temporal: Client
  /** Task queue the invoice workflows are started on (the worker's). */
  taskQueue: string
  /** Health checks by name; defaults to PostgreSQL, Temporal, ClickHouse and the worker. */
  checks?: Record<string, HealthCheck>
  logger?: Logger
  /** How long a workflow query may take before the worker counts as unavailable. */
  queryTimeoutMs?: number
  /** How long an action waits for its outcome before answering 202 (`Prefer: wait=N` overrides). */
  actionWaitMs?: number
  /** How long POST /invoices waits for the prefill (`Prefer: wait=N` overrides). */
  startWaitMs?: number
  /** Largest request body accepted. */
  bodyLimitBytes?: number
}

export type ResolvedDeps = Required<AppDeps>

/** Hono context variables every route can read. */
export interface AppEnv {
  /** Set only by in-process calls (the console's, console/api-client.ts): the user its session signed in. */
  Bindings: { signedInUser?: AuthUser }
  Variables: {
    requestId: string
    deps: ResolvedDeps
    tokens: TokenIndex
    user: AuthUser
  }
}
