import { Client, Connection } from '@temporalio/client'
import { loadConfig } from '../lib/config.js'
import { createDatabase } from '../lib/database.js'
import { temporalConnectionOptions } from '../lib/temporal-connection-options.js'
import { actOnInvoice } from '../operations/invoices/act-on-invoice.js'
import { OperationError } from '../operations/operation-error.js'
import { BILLING_RUN_WORKFLOW_TYPE } from '../operations/start-billing-run.js'

/**
 * What a fuzz run (scripts/fuzz.sh) leaves behind, settled before the invariant check: the
 * billing runs it started are terminated (they only start invoices), then every invoice still
 * open in its database is cancelled through its workflow, as a person would (the fuzzer never
 * confirms, so none has reached an external system). Reads the same variables as the worker.
 */
async function run(): Promise<void> {
  const config = loadConfig(process.env, { needsApiTokens: false })
  const db = createDatabase(config.database.url, config.database.pool)
  const connection = await Connection.connect(temporalConnectionOptions(config.temporal))
  const client = new Client({ connection, namespace: config.temporal.namespace })
  try {
    const query = `WorkflowType = '${BILLING_RUN_WORKFLOW_TYPE}' AND TaskQueue = '${config.temporal.taskQueue}' AND ExecutionStatus = 'Running'`
    let runs = 0
    for await (const execution of client.workflow.list({ query })) {
      await client.workflow.getHandle(execution.workflowId, execution.runId).terminate('end of scripts/fuzz.sh')
      runs += 1
    }
    const open = await db.invoiceRun.findMany({ where: { closedAt: null }, select: { workflowId: true }, distinct: ['workflowId'] })
    let cancelled = 0
    for (const { workflowId } of open) {
      try {
        const result = await actOnInvoice({ client, db, workflowId, request: { action: 'cancel', reason: 'end of the fuzz run' }, actor: 'fuzz', waitMs: 15_000 })
        if (result.outcome === 'applied') cancelled += 1
        else console.error(`${workflowId}: cancel ${result.outcome}, not applied within 15 s`)
      } catch (err) {
        if (!(err instanceof OperationError)) throw err
        console.error(`${workflowId}: cancel refused: ${err.code} ${err.message}`)
      }
    }
    console.error(`settled: ${runs} billing run(s) terminated, ${cancelled} of ${open.length} open invoice(s) cancelled`)
  } finally {
    await connection.close()
    await db.$disconnect()
  }
}

run().catch((err) => {
  console.error(err)
  process.exit(1)
})
