import { ApplicationFailure } from '@temporalio/common'
import type { TestWorkflowEnvironment } from '@temporalio/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { InvoiceActivities } from '../activities/invoice.js'
import type { PrefillActivities } from '../activities/prefill.js'
import { act } from '../test-support/invoice-actions.js'
import { connectTestEnvironment, createTestWorker, uniqueName } from '../test-support/temporal.js'
import { createDatabase, type Database } from '../lib/database.js'
import { testDatabaseUrl } from '../test-support/env.js'
import { OperationError } from './operation-error.js'
import { startInvoice } from './start-invoice.js'

// Workflow-logic test: activities are stand-ins (the end-to-end tests use the real ones).
function activitiesFailingPrefillWith(type: string): Partial<InvoiceActivities & PrefillActivities> {
  return {
    loadInvoiceSettings: async () => ({ makerChecker: true, approvalReminderMs: 3_600_000, didoxPollIntervalMs: 60_000 }),
    recordEvent: async () => {},
    recordTransition: async () => {},
    prefillInvoice: async () => {
      throw ApplicationFailure.nonRetryable(`the prefill failed: ${type}`, type)
    },
  }
}

describe('startInvoice', () => {
  let env: TestWorkflowEnvironment
  let db: Database
  beforeAll(async () => {
    env = await connectTestEnvironment()
    db = createDatabase(testDatabaseUrl())
  })
  afterAll(async () => {
    await env?.teardown()
    await db?.$disconnect()
  })

  it('refuses a malformed period without starting anything', async () => {
    const result = await startInvoice({ client: env.client, db, taskQueue: 'unused', input: { dealId: 'APP-1', period: '2026-13', startedBy: 'alice' } })
    expect(result).toMatchObject({ started: false, reason: 'invalid_period', message: expect.stringContaining('2026-13') })
  })

  it('refuses a second start while one runs, and allows a new run after a cancellation', async () => {
    const taskQueue = uniqueName('start')
    const dealId = uniqueName('APP')
    // A malformed source row: the invoice needs attention (not a refused start).
    const worker = await createTestWorker(env, { taskQueue, activities: activitiesFailingPrefillWith('SourceRowInvalid') })
    await worker.runUntil(async () => {
      const first = await startInvoice({ client: env.client, db, taskQueue, input: { dealId, period: '2026-10', startedBy: 'alice' }, waitMs: 10_000 })
      expect(first).toMatchObject({ started: true, workflowId: `invoice:${dealId}:2026-10`, prefill: { state: 'needs_attention', preview: null } })
      const again = await startInvoice({ client: env.client, db, taskQueue, input: { dealId, period: '2026-10', startedBy: 'bob' } })
      expect(again).toMatchObject({ started: false, reason: 'exists', workflowId: `invoice:${dealId}:2026-10` })

      if (!first.started) throw new Error('unreachable')
      const handle = env.client.workflow.getHandle(first.workflowId)
      expect(await act(handle, 'cancel', { actor: 'alice', reason: 'start over' })).toMatchObject({ state: 'cancelled', previousState: 'needs_attention' })

      const restarted = await startInvoice({ client: env.client, db, taskQueue, input: { dealId, period: '2026-10', startedBy: 'alice' } })
      expect(restarted).toMatchObject({ started: true, prefill: null })
      if (!restarted.started) throw new Error('unreachable')
      expect(restarted.runId).not.toBe(first.runId)
      await act(env.client.workflow.getHandle(restarted.workflowId), 'cancel', { actor: 'alice', reason: 'test over' })
    })
  })

  it.each([
    ['UnknownDeal', 'UNKNOWN_DEAL'],
    ['UnknownCustomer', 'UNKNOWN_CUSTOMER'],
  ])('a prefill failing with %s refuses the start (%s) and leaves no run open', async (type, code) => {
    const taskQueue = uniqueName('start')
    const dealId = uniqueName('APP')
    const worker = await createTestWorker(env, { taskQueue, activities: activitiesFailingPrefillWith(type) })
    await worker.runUntil(async () => {
      const refused = await startInvoice({ client: env.client, db, taskQueue, input: { dealId, period: '2026-10', startedBy: 'alice' }, waitMs: 10_000 }).catch((err: unknown) => err)
      expect(refused).toBeInstanceOf(OperationError)
      expect(refused).toMatchObject({ code, message: `the prefill failed: ${type}` })
      const described = await env.client.workflow.getHandle(`invoice:${dealId}:2026-10`).describe()
      expect(described.status.name).toBe('COMPLETED')
      // Ended as cancelled, so the same deal and period can be started once the sources know it.
      const again = await startInvoice({ client: env.client, db, taskQueue, input: { dealId, period: '2026-10', startedBy: 'alice' }, waitMs: 10_000 }).catch((err: unknown) => err)
      expect(again).toMatchObject({ code })
    })
  })
})
