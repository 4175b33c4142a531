import type { TestWorkflowEnvironment } from '@temporalio/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { SmokeActivities } from '../activities/smoke.js'
import { bundleWorkflows, connectTestEnvironment, createTestWorker, smokeWorkflowsPath, uniqueName } from '../test-support/temporal.js'
import { smokeWorkflow } from './smoke.js'

describe('smokeWorkflow (activities mocked)', () => {
  let env: TestWorkflowEnvironment
  beforeAll(async () => {
    env = await connectTestEnvironment()
  })
  afterAll(() => env?.teardown())

  it('reports what each store answered', async () => {
    const taskQueue = uniqueName('smoke')
    const activities: SmokeActivities = {
      checkDatabase: async () => ({ settings: 9, categoryRules: 5 }),
      checkSources: async () => ({ worklogs: 1234, deals: 20 }),
    }
    const worker = await createTestWorker(env, { taskQueue, activities, workflowBundle: await bundleWorkflows(smokeWorkflowsPath) })
    const report = await worker.runUntil(
      env.client.workflow.execute(smokeWorkflow, { taskQueue, workflowId: uniqueName('smoke') }),
    )
    expect(report).toEqual({ settings: 9, categoryRules: 5, worklogs: 1234, deals: 20 })
  })

  it('retries a failing store and then fails the workflow', async () => {
    const taskQueue = uniqueName('smoke')
    let calls = 0
    const activities: SmokeActivities = {
      checkDatabase: async () => {
        calls += 1
        throw new Error('connection refused')
      },
      checkSources: async () => ({ worklogs: 0, deals: 0 }),
    }
    const worker = await createTestWorker(env, { taskQueue, activities, workflowBundle: await bundleWorkflows(smokeWorkflowsPath) })
    await expect(
      worker.runUntil(env.client.workflow.execute(smokeWorkflow, { taskQueue, workflowId: uniqueName('smoke') })),
    ).rejects.toThrow(/Workflow execution failed/)
    expect(calls).toBe(3)
  })
})
