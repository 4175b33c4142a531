import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { TestWorkflowEnvironment } from '@temporalio/testing'
import { INVOICE_SEARCH_ATTRIBUTES, searchAttributeTypeName } from '../workflows/search-attributes.js'
// The SDK's quiet logger (Runtime.install may run only once per process) and .env.
import './temporal.js'

/** The wrapper installed by scripts/services/test-server.sh (Java test server from Maven Central). */
export const timeSkippingServer = fileURLToPath(new URL('../.local/bin/temporal-test-server', import.meta.url))

/**
 * Temporal's time-skipping test server, one of this environment's own (own JVM, own free port,
 * in memory): timers fire as soon as the workflows have nothing else to do while a client waits
 * on a result, so a workflow that sleeps for days finishes in milliseconds. For workflow-logic
 * tests; it is not the real server (see docs of @temporalio/testing), so end-to-end tests keep
 * using connectTestEnvironment (test-support/temporal.ts). The invoice search attributes are
 * registered. Call `env.teardown()` when done: it stops the JVM.
 */
export async function createTimeSkippingEnvironment(): Promise<TestWorkflowEnvironment> {
  if (!existsSync(timeSkippingServer)) {
    throw new Error(`${timeSkippingServer} is missing: run bash scripts/services/test-server.sh (scripts/test.sh does)`)
  }
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: timeSkippingServer } },
  })
  // The invoice workflows upsert these; the test server has none until told (its operator API).
  const indexedType = { Keyword: 2, Datetime: 6 } // INDEXED_VALUE_TYPE_KEYWORD, _DATETIME
  await env.connection.operatorService.addSearchAttributes({
    namespace: env.namespace ?? 'default',
    searchAttributes: Object.fromEntries(INVOICE_SEARCH_ATTRIBUTES.map((key) => [key.name, indexedType[searchAttributeTypeName(key)]])),
  })
  return env
}
