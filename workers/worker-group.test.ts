import { fileURLToPath } from 'node:url'
import { Context } from '@temporalio/activity'
import type { TestWorkflowEnvironment } from '@temporalio/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bundleWorkflows, connectTestEnvironment, createTestWorker, uniqueName } from '../test-support/temporal.js'
import { CLICKHOUSE_CONCERNS, CONCERNS, concernOf, needsClickHouse, parseConcerns, taskQueueOf } from './concerns.js'
import { createWorkerGroup } from './worker-group.js'

const probeWorkflows = fileURLToPath(new URL('./concerns-test-workflow.ts', import.meta.url))

/** Probe activities that record how many of each run at once. */
function probes(names: string[], holdMs: number) {
  const running = new Map<string, number>()
  const peak = new Map<string, number>()
  const activities = Object.fromEntries(
    names.map((name) => [
      name,
      async () => {
        running.set(name, (running.get(name) ?? 0) + 1)
        peak.set(name, Math.max(peak.get(name) ?? 0, running.get(name)!))
        await new Promise((resolve) => setTimeout(resolve, holdMs))
        running.set(name, running.get(name)! - 1)
        return { taskQueue: Context.current().info.taskQueue }
      },
    ]),
  )
  return { activities, peak }
}

describe('concerns', () => {
  it('parses WORKER_CONCERNS, naming what is wrong', () => {
    expect(parseConcerns('all')).toEqual([...CONCERNS])
    expect(parseConcerns(' prefill , documents,prefill')).toEqual(['prefill', 'documents'])
    expect(() => parseConcerns('')).toThrow(/WORKER_CONCERNS is empty/)
    expect(() => parseConcerns('prefill,pdf')).toThrow(/unknown concern\(s\) "pdf"/)
  })

  it('sends each activity to its concern, and the rest to the workflows', () => {
    expect(concernOf('prefillInvoice')).toBe('prefill')
    expect(concernOf('renderCreditNotePdf')).toBe('documents')
    expect(concernOf('bookCreditNoteInPlanFact')).toBe('planfact')
    expect(concernOf('sendInvoiceEmail')).toBe('effects')
    expect(concernOf('finalizeInvoice')).toBe('prefill')
    expect(concernOf('createCreditNoteDraft')).toBe('workflows')
    expect(taskQueueOf('invoicing', 'workflows')).toBe('invoicing')
    expect(needsClickHouse(['workflows', 'documents', 'planfact'])).toBe(false)
    expect(needsClickHouse(['documents', 'effects'])).toBe(true)
    expect(taskQueueOf('invoicing', 'effects')).toBe('invoicing-effects')
  })

  // The activities that read ClickHouse (grep deps.clickhouse in activities/): a process that
  // serves none of their concerns opens no ClickHouse, so each must sit in one that does.
  it.each(['prefillInvoice', 'checkPreviewFreshness', 'finalizeInvoice', 'listBillingRunDeals', 'checkInvoiceDrift', 'writeDriftReport', 'sendInvoiceEmail', 'sendCreditNoteEmail', 'sendPaymentReminder'])(
    '%s runs where ClickHouse is opened',
    (name) => {
      expect(CLICKHOUSE_CONCERNS).toContain(concernOf(name))
    },
  )
})

describe('createWorkerGroup (a real Temporal server)', () => {
  let env: TestWorkflowEnvironment
  beforeAll(async () => {
    env = await connectTestEnvironment()
  })
  afterAll(() => env?.teardown())

  it('runs each concern on its own task queue; PlanFact one at a time, PDFs as many as allowed', async () => {
    const taskQueue = uniqueName('concerns')
    const { activities, peak } = probes(['syncPlanFact', 'renderInvoicePdf', 'createCreditNoteDraft'], 150)
    const group = await createTestWorker(env, { taskQueue, activities, workflowBundle: await bundleWorkflows(probeWorkflows), concurrency: { planfact: 1, documents: 2 } })
    expect(group.taskQueues.sort()).toEqual([taskQueue, `${taskQueue}-documents`, `${taskQueue}-planfact`])

    const ran = await group.runUntil(env.client.workflow.execute('concernsProbeWorkflow', { taskQueue, workflowId: uniqueName('probe'), args: [6] }))

    expect(ran).toEqual({
      planfact: Array(6).fill(`${taskQueue}-planfact`),
      documents: Array(6).fill(`${taskQueue}-documents`),
      workflows: Array(6).fill(taskQueue),
    })
    expect(peak.get('syncPlanFact')).toBe(1)
    expect(peak.get('renderInvoicePdf')).toBe(2)
    expect(peak.get('createCreditNoteDraft')).toBeGreaterThan(2)
  })

  it('splits the concerns across two groups, as two worker processes would', async () => {
    const taskQueue = uniqueName('concerns-split')
    const first = probes(['syncPlanFact', 'renderInvoicePdf', 'createCreditNoteDraft'], 20)
    const second = probes(['syncPlanFact', 'renderInvoicePdf', 'createCreditNoteDraft'], 20)
    const shared = { connection: env.nativeConnection, namespace: env.namespace ?? 'default', taskQueue }
    const workflowsAndPlanFact = await createWorkerGroup({ ...shared, concerns: ['workflows', 'planfact'], activities: first.activities, workflowBundle: await bundleWorkflows(probeWorkflows) })
    const documentsOnly = await createWorkerGroup({ ...shared, concerns: ['documents'], activities: second.activities })
    expect(documentsOnly.taskQueues).toEqual([`${taskQueue}-documents`])

    const running = documentsOnly.run()
    try {
      await workflowsAndPlanFact.runUntil(env.client.workflow.execute('concernsProbeWorkflow', { taskQueue, workflowId: uniqueName('probe'), args: [3] }))
    } finally {
      documentsOnly.shutdown()
      await running
    }
    expect(first.peak.has('renderInvoicePdf')).toBe(false)
    expect(second.peak.get('renderInvoicePdf')).toBeGreaterThan(0)
    expect(second.peak.has('syncPlanFact')).toBe(false)
  })

  it('refuses a group with nothing to run', async () => {
    await expect(
      createWorkerGroup({ connection: env.nativeConnection, namespace: env.namespace ?? 'default', taskQueue: uniqueName('empty'), concerns: ['prefill'], activities: {} }),
    ).rejects.toThrow(/no worker to run/)
  })
})
