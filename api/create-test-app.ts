import type { TestWorkflowEnvironment } from '@temporalio/testing'
import { loadConfig } from '../lib/config.js'
import { createDatabase, type Database } from '../lib/database.js'
import { createLogger } from '../lib/logger.js'
import { testDatabaseUrl } from '../test-support/env.js'
import { connectTestEnvironment, uniqueName } from '../test-support/temporal.js'
import { createApp } from './app.js'
import type { AppDeps } from './context.js'

/** Tokens of the test users: one per role, and carol who may both confirm and approve. */
export const TEST_TOKENS = {
  viewer: 'test-viewer-token',
  accountant: 'test-accountant-token',
  approver: 'test-approver-token',
  admin: 'test-admin-token',
  maker: 'test-maker-token',
} as const
export type TestUser = keyof typeof TEST_TOKENS

const API_TOKENS = [
  `${TEST_TOKENS.viewer}=vera:viewer`,
  `${TEST_TOKENS.accountant}=alice:accountant`,
  `${TEST_TOKENS.approver}=bob:approver`,
  `${TEST_TOKENS.admin}=ada:admin`,
  `${TEST_TOKENS.maker}=carol:accountant+approver`,
].join(',')

export interface TestApp {
  app: ReturnType<typeof createApp>
  db: Database
  env: TestWorkflowEnvironment
  /** JSON log lines the app wrote. */
  logs: string[]
  /** Sends a request as `user` (no Authorization header when null); `body` objects go as JSON. */
  call(method: string, path: string, options?: { as?: TestUser | null; body?: unknown; headers?: Record<string, string> }): Promise<Response>
  dispose(): Promise<void>
}

/**
 * The real app on the test database and the test Temporal namespace, for `app.request()`
 * tests. Invoice workflows it starts go to `taskQueue` (a fresh one unless given).
 */
export async function createTestApp(overrides: Partial<AppDeps> = {}): Promise<TestApp> {
  const env = await connectTestEnvironment()
  const config = loadConfig({ ...process.env, DATABASE_URL: testDatabaseUrl(), TEMPORAL_NAMESPACE: env.namespace, API_TOKENS, LOG_FORMAT: 'json' })
  const db = createDatabase(config.database.url)
  const logs: string[] = []
  const logger = createLogger({ level: 'INFO', format: 'json' }, (line) => logs.push(line))
  const app = createApp({
    config,
    db,
    temporal: env.client,
    taskQueue: uniqueName('api'),
    logger,
    queryTimeoutMs: 3_000,
    ...overrides,
  })
  return {
    app,
    db,
    env,
    logs,
    call(method, path, options = {}) {
      const headers: Record<string, string> = { ...options.headers }
      const as = options.as === undefined ? 'admin' : options.as
      if (as !== null) headers.Authorization = `Bearer ${TEST_TOKENS[as]}`
      let body: string | undefined
      if (options.body !== undefined) {
        body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body)
        headers['Content-Type'] ??= 'application/json'
      }
      return Promise.resolve(app.request(path, { method, headers, body }))
    },
    async dispose() {
      await db.$disconnect()
      await env.teardown()
    },
  }
}
