import { randomInt } from 'node:crypto'
import type { TestWorkflowEnvironment } from '@temporalio/testing'
import { WorkflowFailedError } from '@temporalio/client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CATALOG_DEALS, SAMPLE_DEALS } from '../sources/generate/catalog.js'
import { runInvoiceWorker, waitFor, type InvoiceTestEnv, type RunningInvoiceWorker } from '../test-support/invoice-env.js'
import { recordHistory } from '../test-support/record-history.js'
import { connectTestEnvironment, uniqueName } from '../test-support/temporal.js'
import { billingRunWorkflow } from './billing-run-workflow.js'
import { countBillingRun, type BillingRunView, type StartBillingRunInput } from './billing-run-contract.js'
import { act } from '../test-support/invoice-actions.js'
import { getInvoiceQuery, invoiceWorkflowId } from './invoice-contract.js'

const DAY = 86_400_000

/**
 * A one-day period no earlier test run used: invoice ids come from deal and period and stay in
 * the test namespace. Far in the future, so it has no worklogs: every deal still gets an invoice
 * (a fixed fee, or a preview with nothing to bill), which is all a run is about.
 */
function freshPeriod(): { label: string; to: string } {
  const from = Date.UTC(2040, 0, 1) + randomInt(0, 200_000) * DAY
  const to = new Date(from + DAY).toISOString().slice(0, 10)
  return { label: `${new Date(from).toISOString().slice(0, 10)}..${to}`, to }
}

describe('billing run workflow, end to end on real services', () => {
  let env: TestWorkflowEnvironment
  let inv: InvoiceTestEnv
  let worker: RunningInvoiceWorker
  const taskQueue = uniqueName('billing-run')

  beforeAll(async () => {
    env = await connectTestEnvironment()
    worker = await runInvoiceWorker(env, 'billing-run-wf', { taskQueue })
    inv = worker.inv
  })
  afterAll(async () => {
    await worker?.stop()
    await env?.teardown()
  })

  async function runBilling(input: StartBillingRunInput, historyName?: string): Promise<BillingRunView> {
    const workflowId = uniqueName(`billing-run:${input.period}`)
    const view = await env.client.workflow.execute(billingRunWorkflow, { taskQueue, workflowId, args: [input] })
    if (historyName) await recordHistory(env, workflowId, historyName)
    return view
  }

  /** When each invoice started and when it left prefilling (its first transition event). */
  async function prefillIntervals(invoiceIds: string[]): Promise<{ start: number; end: number }[]> {
    return Promise.all(
      invoiceIds.map(async (id) => {
        const description = await env.client.workflow.getHandle(id).describe()
        const events = await inv.db.invoiceEvent.findMany({ where: { workflowId: id }, orderBy: { id: 'asc' } })
        const leftPrefill = events.find((e) => e.type === 'state_awaiting_confirmation' || e.type === 'state_needs_attention')
        expect(leftPrefill, `${id} left prefilling`).toBeDefined()
        return { start: description.startTime.getTime(), end: leftPrefill!.createdAt.getTime() }
      }),
    )
  }

  function maxOverlap(intervals: { start: number; end: number }[]): number {
    const points = intervals.flatMap((i) => [{ t: i.start, d: 1 }, { t: i.end, d: -1 }]).sort((a, b) => a.t - b.t || a.d - b.d)
    let open = 0
    let max = 0
    for (const p of points) max = Math.max(max, (open += p.d))
    return max
  }

  it('starts one invoice per billable deal, at most `concurrency` prefilling at once, and reports them', async () => {
    const period = freshPeriod()
    const view = await runBilling({ period: period.label, startedBy: 'alice', concurrency: 2 }, 'billing-run')

    const billable = CATALOG_DEALS.filter((d) => d.status === 'active' && d.contractDate < period.to).map((d) => d.dealId).sort()
    expect(billable.length).toBeGreaterThan(10)
    expect(billable).not.toContain(SAMPLE_DEALS.closed)
    expect(billable).not.toContain(SAMPLE_DEALS.deleted)
    expect(view.state).toBe('done')
    expect(view.deals.map((d) => d.dealId)).toEqual(billable)
    expect(view.deals.every((d) => d.start === 'started' && d.invoiceId === invoiceWorkflowId(d.dealId, period.label))).toBe(true)
    expect(view.deals.every((d) => d.state === 'awaiting_confirmation' || d.state === 'needs_attention')).toBe(true)

    // The invoices are real, started on the run's behalf, and never more than 2 prefilled at once.
    const invoice = await env.client.workflow.getHandle(view.deals[0]!.invoiceId).query(getInvoiceQuery)
    expect(invoice.dealId).toBe(view.deals[0]!.dealId)
    expect(maxOverlap(await prefillIntervals(view.deals.map((d) => d.invoiceId)))).toBeLessThanOrEqual(2)

    const counts = countBillingRun(view.deals)
    expect(counts.started).toBe(billable.length)
    expect(Object.values(counts.byState).reduce((a, b) => a + b, 0)).toBe(billable.length)
  })

  it('a second run starts nothing twice, and leaves a cancelled invoice cancelled', async () => {
    const period = freshPeriod().label
    const deals = [SAMPLE_DEALS.fixedMonthlyUzs, SAMPLE_DEALS.retainerUsd, SAMPLE_DEALS.tmUsdUzEInvoicing]
    const first = await runBilling({ period, startedBy: 'alice', dealIds: deals, concurrency: 3 })
    expect(first.deals.map((d) => d.start)).toEqual(['started', 'started', 'started'])
    const runIds = await Promise.all(first.deals.map(async (d) => (await env.client.workflow.getHandle(d.invoiceId).describe()).runId))

    const cancelled = env.client.workflow.getHandle(first.deals[0]!.invoiceId)
    await act(cancelled, 'cancel', { actor: 'alice', reason: 'billed by hand' })
    await waitFor(() => cancelled.describe(), (d) => d.status.name === 'COMPLETED', 30_000)

    const second = await runBilling({ period, startedBy: 'bob', dealIds: deals }, 'billing-run-existing')
    expect(second.deals.map((d) => [d.dealId, d.start, d.state])).toEqual([
      [first.deals[0]!.dealId, 'existing', 'cancelled'],
      [first.deals[1]!.dealId, 'existing', first.deals[1]!.state],
      [first.deals[2]!.dealId, 'existing', first.deals[2]!.state],
    ])
    expect(second.deals[0]!.message).toMatch(/already exists \(cancelled\)/)
    // The same runs as before: nothing was started again, the cancelled one included.
    const after = await Promise.all(first.deals.map(async (d) => (await env.client.workflow.getHandle(d.invoiceId).describe()).runId))
    expect(after).toEqual(runIds)
  })

  it('fails, naming them, when asked for deals it cannot bill', async () => {
    const period = freshPeriod().label
    const error = await runBilling({ period, startedBy: 'alice', dealIds: [SAMPLE_DEALS.retainerUsd, SAMPLE_DEALS.closed, 'APP-NOPE'] }).catch((err: unknown) => err)
    expect(error).toBeInstanceOf(WorkflowFailedError)
    const message = ((error as WorkflowFailedError).cause as Error).message
    expect(message).toContain(`deal ${SAMPLE_DEALS.closed} is closed, not active`)
    expect(message).toContain('deal APP-NOPE is not in cdm.jira_applications')
    expect(message).not.toContain(SAMPLE_DEALS.retainerUsd)
    // Nothing was started for the deal that could have been billed.
    const found = await env.client.workflow.getHandle(invoiceWorkflowId(SAMPLE_DEALS.retainerUsd, period)).describe().catch(() => null)
    expect(found).toBeNull()
  })
})
