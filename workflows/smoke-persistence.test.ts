import { Client, Connection } from '@temporalio/client'
import { NativeConnection, Worker } from '@temporalio/worker'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { SmokeActivities } from '../activities/smoke.js'
import { bundleWorkflows, smokeWorkflowsPath, uniqueName } from '../test-support/temporal.js'
import { PrivateTemporalServer } from '../test-support/temporal-server.js'
import { smokeWorkflow } from './smoke.js'

// The dev server keeps its history in SQLite (--db-filename): a workflow run before a restart
// is still listed after it.
describe('Temporal dev server persistence', () => {
  let server: PrivateTemporalServer
  beforeAll(async () => {
    server = await PrivateTemporalServer.start()
  })
  afterAll(() => server?.dispose())

  it('lists the smoke workflow after the server is stopped and started again', async () => {
    const taskQueue = uniqueName('smoke')
    const workflowId = uniqueName('smoke')
    const activities: SmokeActivities = {
      checkDatabase: async () => ({ settings: 1, categoryRules: 1 }),
      checkSources: async () => ({ worklogs: 1, deals: 1 }),
    }
    const nativeConnection = await NativeConnection.connect({ address: server.address })
    const connection = await Connection.connect({ address: server.address })
    try {
      const worker = await Worker.create({ connection: nativeConnection, taskQueue, workflowBundle: await bundleWorkflows(smokeWorkflowsPath), activities })
      const client = new Client({ connection })
      await worker.runUntil(client.workflow.execute(smokeWorkflow, { taskQueue, workflowId }))
    } finally {
      await connection.close()
      await nativeConnection.close()
    }

    expect(await server.cli(['workflow', 'list'])).toContain(workflowId)
    await server.stop()
    await server.start()
    const listed = await server.cli(['workflow', 'list', '--query', `WorkflowId = '${workflowId}'`])
    expect(listed).toContain(workflowId)
    expect(listed).toContain('Completed')
  })
})
