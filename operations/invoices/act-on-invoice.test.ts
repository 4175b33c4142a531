import { fileURLToPath } from 'node:url'
import type { TestWorkflowEnvironment } from '@temporalio/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { PrefillOutcome } from '../../activities/prefill.js'
import type { InvoicePreview } from '../../billing/types.js'
import { createDatabase } from '../../lib/database.js'
import { testDatabaseUrl } from '../../test-support/env.js'
import { waitFor } from '../../test-support/invoice-env.js'
import { bundleWorkflows, connectTestEnvironment, createTestWorker, uniqueName } from '../../test-support/temporal.js'
import { getInvoiceQuery } from '../../workflows/invoice-contract.js'
import { OperationError } from '../operation-error.js'
import { actOnInvoice } from './act-on-invoice.js'

// Stand-in activities: what the runs of the old code call.
const prefilled = {
  preview: { sourceFingerprint: 'sha256:v1', errors: [], warnings: [], lines: [], currency: 'USD', total: '1.00' } as unknown as InvoicePreview,
  deal: { dealId: 'APP-1' },
  customer: { customerId: 'CUST-1', eInvoicing: false, tin: null },
} as unknown as PrefillOutcome
const activities = {
  loadInvoiceSettings: async () => ({ makerChecker: true, approvalReminderMs: 3_600_000, didoxPollIntervalMs: 60_000 }),
  recordEvent: async () => {},
  recordTransition: async () => {},
  prefillInvoice: async () => prefilled,
}

describe('actOnInvoice on runs started before actions were Updates', () => {
  let env: TestWorkflowEnvironment
  const db = createDatabase(testDatabaseUrl())
  beforeAll(async () => {
    env = await connectTestEnvironment()
  })
  afterAll(async () => {
    await db.$disconnect()
    await env?.teardown()
  })

  it('sends the old signal to a run of the old code, which acts on it; a workflow that is no invoice is 404', async () => {
    const taskQueue = uniqueName('v1')
    const workflowBundle = await bundleWorkflows(fileURLToPath(new URL('../../test-support/v1-workflows.ts', import.meta.url)))
    const worker = await createTestWorker(env, { taskQueue, activities, workflowBundle })
    await worker.runUntil(async () => {
      const workflowId = uniqueName('invoice:APP-1:2026-10')
      const handle = await env.client.workflow.start('invoiceWorkflow', { taskQueue, workflowId, args: [{ dealId: 'APP-1', period: '2026-10', startedBy: 'alice' }] })
      await waitFor(() => handle.query(getInvoiceQuery), (v) => v.state === 'awaiting_confirmation')
      const result = await actOnInvoice({ client: env.client, db, workflowId, request: { action: 'cancel', reason: 'old run' }, actor: 'alice', waitMs: 5_000 })
      expect(result).toMatchObject({ outcome: 'sent', action: 'cancel' })
      expect(await handle.result()).toMatchObject({ state: 'cancelled' })

      const other = await env.client.workflow.start('notAnInvoice', { taskQueue, workflowId: uniqueName('billing-run:2026-10') })
      const refused = await actOnInvoice({ client: env.client, db, workflowId: other.workflowId, request: { action: 'cancel', reason: 'x' }, actor: 'alice', waitMs: 5_000 }).catch((err: unknown) => err)
      expect(refused).toBeInstanceOf(OperationError)
      expect(refused).toMatchObject({ code: 'NOT_FOUND' })
      await other.terminate('test over')
    })
  })
})
