import { randomUUID } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import { TestWorkflowEnvironment } from '@temporalio/testing'
import { bundleWorkflowCode, DefaultLogger, Runtime, type WorkerOptions, type WorkflowBundleWithSourceMap } from '@temporalio/worker'
import './env.js'
import { HEARTBEAT_WORKER_OPTIONS } from '../activities/heartbeat-while-running.js'
import { CONCERNS } from '../workers/concerns.js'
import { createWorkerGroup, type WorkerGroup, type WorkerGroupOptions } from '../workers/worker-group.js'

const workflowsPath = fileURLToPath(new URL('../workflows/index.ts', import.meta.url))

// Keep test output quiet: only warnings and errors from the SDK. Installed on import, before
// any connection or worker instantiates the Runtime with its defaults.
Runtime.install({ logger: new DefaultLogger('WARN') })

/** The Temporal server started by scripts/services.sh (a real server, not a mock). */
export async function connectTestEnvironment(): Promise<TestWorkflowEnvironment> {
  return TestWorkflowEnvironment.createFromExistingServer({
    address: process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233',
    namespace: process.env.TEST_TEMPORAL_NAMESPACE ?? 'invoicing-test',
  })
}

const bundles = new Map<string, Promise<WorkflowBundleWithSourceMap>>()
/** Workflows bundled once per test file (bundling takes seconds): the worker's, or those of `path`. */
export function bundleWorkflows(path = workflowsPath): Promise<WorkflowBundleWithSourceMap> {
  if (!bundles.has(path)) bundles.set(path, bundleWorkflowCode({ workflowsPath: path, logger: new DefaultLogger('WARN') }))
  return bundles.get(path)!
}

/** The smoke workflow, which only the tests register. */
export const smokeWorkflowsPath = fileURLToPath(new URL('../workflows/smoke.ts', import.meta.url))

/** A task queue (or workflow id) no other test uses. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomUUID()}`
}

/**
 * The workers of every concern (workers/concerns.ts) on the test environment's connection and
 * namespace, with the shared bundle, as one process runs them with WORKER_CONCERNS=all.
 */
export async function createTestWorker(
  env: TestWorkflowEnvironment,
  options: { taskQueue: string; activities?: WorkerGroupOptions['activities']; concurrency?: WorkerGroupOptions['concurrency'] } & Partial<Omit<WorkerOptions, 'activities'>>,
): Promise<WorkerGroup> {
  const { activities = {}, ...rest } = options
  return createWorkerGroup({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    workflowBundle: await bundleWorkflows(),
    ...HEARTBEAT_WORKER_OPTIONS,
    concerns: CONCERNS,
    activities,
    ...rest,
  })
}
