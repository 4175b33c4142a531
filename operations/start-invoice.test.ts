import { ApplicationFailure } from '@temporalio/common'
import type { TestWorkflowEnvironment } from '@temporalio/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { InvoiceActivities } from '../activities/invoice.js'
import type { PrefillActivities } from '../activities/prefill.js'
import { connectTestEnvironment, createTestWorker, uniqueName } from '../test-support/temporal.js'
import { cancelSignal, getInvoiceQuery } from '../workflows/invoice-contract.js'
import { startInvoice } from './start-invoice.js'
import { waitFor } from '../test-support/invoice-env.js'

// Workflow-logic test: activities are stand-ins (the end-to-end tests use the real ones).
const activities: Partial<InvoiceActivities & PrefillActivities> = {
  loadInvoiceSettings: async () => ({ makerChecker: true, approvalReminderMs: 3_600_000, didoxPollIntervalMs: 60_000 }),
  recordEvent: async () => {},
  recordTransition: async () => {},
  // An unknown deal: the run parks in needs_attention, where a cancel ends it.
  prefillInvoice: async () => {
    throw ApplicationFailure.nonRetryable('deal not found', 'UnknownDeal')
  },
}

describe('startInvoice', () => {
  let env: TestWorkflowEnvironment
  beforeAll(async () => {
    env = await connectTestEnvironment()
  })
  afterAll(() => env?.teardown())

  it('refuses a malformed period without starting anything', async () => {
    const result = await startInvoice({ client: env.client, taskQueue: 'unused', input: { dealId: 'APP-1', period: '2026-13', startedBy: 'alice' } })
    expect(result).toMatchObject({ started: false, reason: 'invalid_period', message: expect.stringContaining('2026-13') })
  })

  it('refuses a second start while one runs, and allows a new run after a cancellation', async () => {
    const taskQueue = uniqueName('start')
    const dealId = uniqueName('APP')
    const worker = await createTestWorker(env, { taskQueue, activities })
    await worker.runUntil(async () => {
      const first = await startInvoice({ client: env.client, taskQueue, input: { dealId, period: '2026-10', startedBy: 'alice' } })
      expect(first).toMatchObject({ started: true, workflowId: `invoice:${dealId}:2026-10` })
      const again = await startInvoice({ client: env.client, taskQueue, input: { dealId, period: '2026-10', startedBy: 'bob' } })
      expect(again).toMatchObject({ started: false, reason: 'exists', workflowId: `invoice:${dealId}:2026-10` })

      if (!first.started) throw new Error('unreachable')
      await waitFor(() => first.handle.query(getInvoiceQuery), (v) => v.state === 'needs_attention')
      await first.handle.signal(cancelSignal, { actor: 'alice', reason: 'start over' })
      expect((await first.handle.result()).state).toBe('cancelled')

      const restarted = await startInvoice({ client: env.client, taskQueue, input: { dealId, period: '2026-10', startedBy: 'alice' } })
      expect(restarted).toMatchObject({ started: true })
      if (!restarted.started) throw new Error('unreachable')
      expect(restarted.runId).not.toBe(first.runId)
      await restarted.handle.signal(cancelSignal, { actor: 'alice', reason: 'test over' })
      await restarted.handle.result()
    })
  })
})
