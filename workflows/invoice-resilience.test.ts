import { Client, Connection, type WorkflowHandle } from '@temporalio/client'
import { CONCERNS } from '../workers/concerns.js'
import { createWorkerGroup } from '../workers/worker-group.js'
import type { TestWorkflowEnvironment } from '@temporalio/testing'
import { NativeConnection } from '@temporalio/worker'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SAMPLE_DEALS } from '../sources/generate/catalog.js'
import { createInvoiceTestEnv, waitFor, type InvoiceTestEnv } from '../test-support/invoice-env.js'
import { bundleWorkflows, connectTestEnvironment, createTestWorker, uniqueName } from '../test-support/temporal.js'
import { PrivateTemporalServer } from '../test-support/temporal-server.js'
import { act, untilDelivered } from '../test-support/invoice-actions.js'
import { getInvoiceQuery, type InvoiceState, type InvoiceView } from './invoice-contract.js'
import { invoiceWorkflow } from './invoice-workflow.js'

const view = (h: WorkflowHandle) => h.query(getInvoiceQuery)
const reach = (h: WorkflowHandle, state: InvoiceState, extra: (v: InvoiceView) => boolean = () => true) =>
  waitFor(() => view(h), (v) => v.state === state && extra(v), 90_000)

// Deals delivered by e-mail (not Didox, whose buyer would have to answer first).
describe('an invoice survives its worker and its server', { timeout: 180_000 }, () => {
  let env: TestWorkflowEnvironment
  let inv: InvoiceTestEnv
  beforeAll(async () => {
    env = await connectTestEnvironment()
    inv = await createInvoiceTestEnv('invoice-resilience')
  })
  afterAll(async () => {
    await inv?.dispose()
    await env?.teardown()
  })

  it('is finished by a new worker after the first one stopped while it waited for approval', async () => {
    const taskQueue = uniqueName('invoice')
    const first = await createTestWorker(env, { taskQueue, activities: inv.activities })
    const firstRun = first.run()
    const h = await env.client.workflow.start(invoiceWorkflow, {
      taskQueue,
      workflowId: uniqueName('invoice:restart-worker'),
      args: [{ dealId: SAMPLE_DEALS.retainerUsd, period: '2026-10', startedBy: 'alice' }],
    })
    const preview = (await reach(h, 'awaiting_confirmation')).preview!
    await act(h, 'confirm', { actor: 'alice', fingerprint: preview.sourceFingerprint })
    const waiting = await reach(h, 'awaiting_approval')
    first.shutdown()
    await firstRun

    // Kept by the server until a worker takes it; answered by the next worker.
    const approving = act(h, 'approve', { actor: 'bob', pdfVersion: 1 })
    const second = await createTestWorker(env, { taskQueue, activities: inv.activities })
    const outcome = await second.runUntil(async () => {
      expect((await approving).state).toBe('dispatching')
      return untilDelivered(h)
    })
    expect(outcome).toMatchObject({ state: 'awaiting_payment', invoiceId: waiting.invoiceId, invoiceNumber: waiting.invoiceNumber })
  })

  it('reminds approvers after the configured delay, and again after each further delay', async () => {
    const taskQueue = uniqueName('invoice')
    const activities = { ...inv.activities, loadInvoiceSettings: async () => ({ makerChecker: true, approvalReminderMs: 1500, didoxPollIntervalMs: 500 }) }
    const worker = await createTestWorker(env, { taskQueue, activities })
    await worker.runUntil(async () => {
      const h = await env.client.workflow.start(invoiceWorkflow, {
        taskQueue,
        workflowId: uniqueName('invoice:reminder'),
        args: [{ dealId: SAMPLE_DEALS.fixedMonthlyUsdForeignUs, period: '2026-09', startedBy: 'alice' }],
      })
      const preview = (await reach(h, 'awaiting_confirmation')).preview!
      await act(h, 'confirm', { actor: 'alice', fingerprint: preview.sourceFingerprint })
      const reminders = () => inv.db.invoiceEvent.count({ where: { workflowId: h.workflowId, type: 'approval_reminder' } })
      expect(await reminders()).toBe(0)
      await waitFor(reminders, (n) => n >= 2, 20_000)
      await act(h, 'approve', { actor: 'bob', pdfVersion: 1 })
      expect((await untilDelivered(h)).state).toBe('awaiting_payment')
    })
  })

  it('completes after the Temporal server is killed (SIGKILL) and restarted mid-flight', async () => {
    const server = await PrivateTemporalServer.start()
    const taskQueue = uniqueName('invoice')
    const nativeConnection = await NativeConnection.connect({ address: server.address })
    const connection = await Connection.connect({ address: server.address })
    try {
      const worker = await createWorkerGroup({ concerns: CONCERNS,  connection: nativeConnection, taskQueue, workflowBundle: await bundleWorkflows(), activities: inv.activities })
      const client = new Client({ connection })
      await worker.runUntil(async () => {
        const h = await client.workflow.start(invoiceWorkflow, {
          taskQueue,
          workflowId: uniqueName('invoice:restart-server'),
          args: [{ dealId: SAMPLE_DEALS.tmEurForeignDe, period: '2026-10', startedBy: 'alice' }],
        })
        const preview = (await reach(h, 'awaiting_confirmation')).preview!
        // A crash, not a shutdown: what the server acknowledged must survive in its SQLite WAL.
        await server.stop('SIGKILL')
        await server.start()
        // Retried with the same update id until the server answers: Temporal runs it once.
        const confirm = () => act(h, 'confirm', { actor: 'alice', fingerprint: preview.sourceFingerprint }, 'confirm-after-restart')
        await waitFor(() => confirm().then(() => true, () => false), Boolean, 60_000)
        expect((await confirm()).state).toBe('awaiting_approval')
        await act(h, 'approve', { actor: 'bob', pdfVersion: 1 })
        expect((await untilDelivered(h)).state).toBe('awaiting_payment')
      })
    } finally {
      await connection.close()
      await nativeConnection.close()
      await server.dispose()
    }
  })
})
