import { randomUUID } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import { TestWorkflowEnvironment } from '@temporalio/testing'
import { bundleWorkflowCode, Runtime, DefaultLogger, type WorkflowBundleWithSourceMap } from '@temporalio/worker'
import './env.js'

const workflowsPath = fileURLToPath(new URL('../workflows/index.ts', import.meta.url))

let runtimeInstalled = false
/** Keep test output quiet: only warnings and errors from the SDK. */
function installQuietRuntime(): void {
  if (runtimeInstalled) return
  runtimeInstalled = true
  Runtime.install({ logger: new DefaultLogger('WARN') })
}

/** The Temporal server started by scripts/services.sh (a real server, not a mock). */
export async function connectTestEnvironment(): Promise<TestWorkflowEnvironment> {
  installQuietRuntime()
  return TestWorkflowEnvironment.createFromExistingServer({
    address: process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233',
    namespace: process.env.TEMPORAL_NAMESPACE ?? 'default',
  })
}

let bundle: Promise<WorkflowBundleWithSourceMap> | undefined
/** Workflows bundled once per test file (bundling takes seconds). */
export function bundleWorkflows(): Promise<WorkflowBundleWithSourceMap> {
  installQuietRuntime()
  bundle ??= bundleWorkflowCode({ workflowsPath, logger: new DefaultLogger('WARN') })
  return bundle
}

/** A task queue (or workflow id) no other test uses. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomUUID()}`
}
