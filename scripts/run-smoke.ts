import { Client, Connection } from '@temporalio/client'
import { loadConfig } from '../lib/config.js'
import { smokeWorkflow } from '../workflows/smoke.js'

/** Starts the smoke workflow on the running worker and prints what it found. */
async function run(): Promise<void> {
  const config = loadConfig()
  const connection = await Connection.connect({ address: config.temporal.address })
  try {
    const client = new Client({ connection, namespace: config.temporal.namespace })
    const workflowId = `smoke-${new Date().toISOString().replace(/[:.]/g, '-')}`
    const handle = await client.workflow.start(smokeWorkflow, {
      taskQueue: config.temporal.taskQueue,
      workflowId,
      workflowExecutionTimeout: '2m',
    })
    const report = await handle.result()
    const link = `${config.temporal.uiUrl}/namespaces/${config.temporal.namespace}/workflows/${workflowId}/${handle.firstExecutionRunId}/history`
    console.log(JSON.stringify({ workflowId, ...report, temporalWeb: link }, null, 2))
  } finally {
    await connection.close()
  }
}

run().catch((err) => {
  console.error(err)
  process.exit(1)
})
