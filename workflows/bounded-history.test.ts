import type { Client, WorkflowHandle, WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client'
import { CONCERNS } from '../workers/concerns.js'
import { createWorkerGroup, type WorkerGroup } from '../workers/worker-group.js'
import type { TestWorkflowEnvironment } from '@temporalio/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DispatchActivities } from '../activities/dispatch.js'
import type { InvoiceActivities, InvoiceWorkflowSettings } from '../activities/invoice.js'
import type { PaymentActivities, PaymentCheck } from '../activities/payments.js'
import type { PrefillActivities, PrefillOutcome } from '../activities/prefill.js'
import type { InvoicePreview } from '../billing/types.js'
import type { TransitionInput } from '../db/record-transition.js'
import { act } from '../test-support/invoice-actions.js'
import { bundleWorkflows, uniqueName } from '../test-support/temporal.js'
import { createTimeSkippingEnvironment } from '../test-support/time-skipping.js'
import { HISTORY_EVENTS_BOUND } from './continue-as-new.js'
import { getInvoiceQuery, type InvoiceState } from './invoice-contract.js'
import { invoiceWorkflow } from './invoice-workflow.js'

/**
 * Long waits continue as new (workflows/continue-as-new.ts): 2,000 refreshes, a week of hourly
 * approval reminders, weeks of Didox polling and two months of payment checks, each a chain of
 * runs none of whose histories passes the bound, with the state carried across every run. On
 * Temporal's time-skipping test server with stand-in activities.
 */
const DAY = 86_400_000
const REFRESHES = Number(process.env.REFRESHES ?? 2_000)
type Activities = InvoiceActivities & PrefillActivities & DispatchActivities & PaymentActivities

function previewIn(currency: 'USD' | 'UZS'): InvoicePreview {
  return {
    sourceFingerprint: 'sha256:seen',
    errors: [],
    warnings: [],
    lines: [{ lineId: 'fee:monthly', kind: 'fee', category: null, description: 'Monthly fee', quantity: '1', unit: 'month', rate: '100.00', amount: '100.00' }],
    currency,
    subtotal: '100.00',
    vatRate: '12.00',
    vatAmount: '12.00',
    total: '112.00',
  } as unknown as InvoicePreview
}

type History = Awaited<ReturnType<WorkflowHandle['fetchHistory']>>

/** The history of every run of an invoice, first to last, following continue-as-new. */
async function chainHistories(client: Client, workflowId: string, firstRunId: string): Promise<{ runId: string; events: number; taskFailures: number }[]> {
  const runs = []
  for (let runId: string | undefined = firstRunId; runId; ) {
    const history: History = await client.workflow.getHandle(workflowId, runId).fetchHistory()
    const events: NonNullable<History['events']> = history.events ?? []
    runs.push({ runId, events: events.length, taskFailures: events.filter((e) => e.workflowTaskFailedEventAttributes).length })
    runId = events.at(-1)?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? undefined
  }
  return runs
}

describe('bounded histories: long waits continue as new (time-skipping server, stand-in activities)', () => {
  let env: TestWorkflowEnvironment
  let worker: WorkerGroup
  let running: Promise<void>
  const taskQueue = uniqueName('bounded-history')
  /** Per workflow id: what the stand-ins saw. */
  const seen = new Map<string, { prefills: number; transitions: TransitionInput[]; approvalReminders: number; paymentReminders: number[]; didoxPolls: number; paid: string }>()
  const settingsFor = new Map<string, Partial<InvoiceWorkflowSettings>>()
  const of = (workflowId: string) => {
    if (!seen.has(workflowId)) seen.set(workflowId, { prefills: 0, transitions: [], approvalReminders: 0, paymentReminders: [], didoxPolls: 0, paid: '112.00' })
    return seen.get(workflowId)!
  }
  // Paid in full at the first check unless a test sets `paid`. The stand-ins know the invoice by its id.
  const byInvoice = new Map<string, string>()
  const dueDates = new Map<string, string>()

  const activities = {
    loadInvoiceSettings: async () => ({ makerChecker: true, approvalReminderMs: 2 * DAY, didoxPollIntervalMs: 60_000, paymentCheckMs: 6 * 3_600_000, paymentReminderDays: [3, 10, 30], ...settingsFor.get(current()) }),
    recordEvent: async () => {},
    recordTransition: async (input: TransitionInput) => {
      of(input.event.workflowId).transitions.push(input)
      if (input.invoiceId) byInvoice.set(input.invoiceId, input.event.workflowId)
    },
    remindApprovers: async (input: { event: { workflowId: string } }) => {
      of(input.event.workflowId).approvalReminders += 1
    },
    prefillInvoice: async (input: { dealId: string }): Promise<PrefillOutcome> => {
      const workflowId = workflowOfDeal(input.dealId)
      of(workflowId).prefills += 1
      const didox = input.dealId.startsWith('UZ-')
      return {
        preview: previewIn(didox ? 'UZS' : 'USD'),
        deal: { dealId: input.dealId } as PrefillOutcome['deal'],
        customer: { customerId: 'CUST-1', eInvoicing: didox, tin: didox ? '305123456' : null } as unknown as PrefillOutcome['customer'],
      }
    },
    checkPreviewFreshness: async () => ({ fresh: true, currentFingerprint: 'sha256:seen' }),
    finalizeInvoice: async (input: { invoiceId: string; workflowId: string }) => {
      byInvoice.set(input.invoiceId, input.workflowId)
      return { invoiceId: input.invoiceId, number: 'INV-2026-00042', issueDate: '2026-11-01', dueDate: '2026-11-15' }
    },
    renderInvoicePdf: async (input: { version: number }) => ({ version: input.version, sha256: 'a'.repeat(64), sizeBytes: 1000, templateVersion: 't1', inputHash: 'b'.repeat(64) }),
    syncPlanFact: async () => ({ externalId: 'op-1', detail: 'booked' }),
    uploadPdfToR2: async () => ({ externalId: 'invoices/2026/INV-2026-00042/v1.pdf', detail: 'stored' }),
    sendInvoiceEmail: async () => ({ externalId: '<m1@example.uz>', detail: 'sent' }),
    createDidoxDraft: async () => ({ externalId: 'didox-1', detail: 'draft' }),
    readDidoxStatus: async () => {
      const polls = (of(didoxWorkflow).didoxPolls += 1)
      return polls < 30 ? { code: 2, meaning: 'waiting_partner' } : { code: 3, meaning: 'accepted' }
    },
    checkPayments: async (input: { invoiceId: string }): Promise<PaymentCheck> => {
      const paid = of(byInvoice.get(input.invoiceId)!).paid
      const due = (112 - Number(paid)).toFixed(2)
      return { void: false, dueDate: dueDates.get(input.invoiceId) ?? '2026-11-15', total: '112.00', credited: '0.00', paid, due, newPayments: [], planfactProblem: null }
    },
    recordManualPayment: async (input: { invoiceId: string; amount: string; paidOn: string }) => {
      of(byInvoice.get(input.invoiceId)!).paid = input.amount
      return { recorded: { id: 'p-1', source: 'manual', amount: input.amount, paidOn: input.paidOn, confirms: null }, alreadyRecorded: false }
    },
    sendPaymentReminder: async (input: { invoiceId: string; days: number }) => {
      of(byInvoice.get(input.invoiceId)!).paymentReminders.push(input.days)
      return { externalId: `<reminder-${input.days}@example.uz>`, detail: 'sent' }
    },
  } as unknown as Activities

  // One test at a time: the settings and Didox stand-ins read which invoice is being driven.
  let driving = ''
  let didoxWorkflow = ''
  const current = () => driving
  const workflowOfDeal = (dealId: string) => [...seen.keys()].find((id) => id.includes(`:${dealId}:`)) ?? driving

  beforeAll(async () => {
    env = await createTimeSkippingEnvironment()
    worker = await createWorkerGroup({ concerns: CONCERNS, 
      connection: env.nativeConnection,
      namespace: env.namespace ?? 'default',
      taskQueue,
      workflowBundle: await bundleWorkflows(),
      activities,
      sinks: { audit: { refused: { fn: () => {} } } },
    })
    running = worker.run()
  })
  afterAll(async () => {
    worker?.shutdown()
    await running
    await env?.teardown()
  })

  async function start(dealId: string, settings: Partial<InvoiceWorkflowSettings> = {}): Promise<WorkflowHandleWithFirstExecutionRunId> {
    const workflowId = uniqueName(`invoice:${dealId}:2026-10`)
    driving = workflowId
    of(workflowId)
    settingsFor.set(workflowId, settings)
    const h = await env.client.workflow.start(invoiceWorkflow, { taskQueue, workflowId, args: [{ dealId, period: '2026-10', startedBy: 'alice' }] })
    await until(h, 'awaiting_confirmation')
    return h
  }
  async function until(h: { query: WorkflowHandleWithFirstExecutionRunId['query'] }, wanted: InvoiceState): Promise<void> {
    let state: InvoiceState | undefined
    for (let i = 0; i < 400 && (state = (await h.query(getInvoiceQuery)).state) !== wanted; i += 1) await new Promise((resolve) => setTimeout(resolve, 25))
    expect(state).toBe(wanted)
  }
  /** Every run of the chain within the bound (plus one turn of a wait), and none with a failed task. */
  async function expectBounded(h: WorkflowHandleWithFirstExecutionRunId, bound: number, minRuns: number) {
    const runs = await chainHistories(env.client, h.workflowId, h.firstExecutionRunId)
    expect(runs.length).toBeGreaterThanOrEqual(minRuns)
    for (const run of runs) {
      expect(run.events).toBeLessThanOrEqual(bound + 100)
      expect(run.taskFailures).toBe(0)
    }
    // Each continued run moved the rows of the one before it.
    const takeovers = of(h.workflowId).transitions.filter((t) => t.continuedFromRunId)
    expect(takeovers.map((t) => t.continuedFromRunId)).toEqual(runs.slice(0, -1).map((r) => r.runId))
    return runs
  }

  it('2,000 refreshes: a chain of runs within the bound, each refresh answered, then confirmed, approved and paid', { timeout: 600_000 }, async () => {
    const h = await start('APP-1')
    const started = performance.now()
    for (let i = 1; i <= REFRESHES; i += 1) {
      const outcome = await act(h, 'refresh', { actor: 'alice' })
      expect(outcome.state, `refresh ${i}`).toBe('awaiting_confirmation')
    }
    const refreshMs = performance.now() - started
    expect(of(h.workflowId).prefills).toBe(REFRESHES + 1)
    const runs = await expectBounded(h, HISTORY_EVENTS_BOUND, Math.max(2, Math.floor(REFRESHES / 250)))
    console.log(`2,000 refreshes in ${(refreshMs / 1000).toFixed(1)} s: ${runs.length} runs, largest history ${Math.max(...runs.map((r) => r.events))} events (bound ${HISTORY_EVENTS_BOUND})`)

    const view = await h.query(getInvoiceQuery)
    expect(view).toMatchObject({ state: 'awaiting_confirmation', startedBy: 'alice', dealId: 'APP-1', preview: { total: '112.00' } })
    expect(await act(h, 'confirm', { actor: 'alice', fingerprint: 'sha256:seen' })).toMatchObject({ state: 'awaiting_approval', invoiceNumber: 'INV-2026-00042', pdfVersion: 1 })
    expect(await act(h, 'approve', { actor: 'bob', pdfVersion: 1 })).toMatchObject({ state: 'dispatching' })
    expect((await h.result()).state).toBe('paid')
  })

  it('a week of hourly approval reminders continues as new; maker-checker still knows who confirmed', async () => {
    const h = await start('APP-2', { approvalReminderMs: 3_600_000, historyEventsBound: 300 })
    await act(h, 'confirm', { actor: 'alice', fingerprint: 'sha256:seen' })
    await env.sleep('7 days')
    expect(of(h.workflowId).approvalReminders).toBeGreaterThanOrEqual(7 * 24 - 1)
    await expectBounded(h, 300, 3)
    // Carried across the runs: who confirmed (alice may not approve), the PDF version.
    expect(await act(h, 'approve', { actor: 'bob', pdfVersion: 1 })).toMatchObject({ state: 'dispatching', previousState: 'awaiting_approval' })
    expect((await h.result()).state).toBe('paid')
  })

  it('Didox polling for weeks and two months of payment checks continue as new; reminders sent once each', async () => {
    const h = await start('UZ-7', { historyEventsBound: 250 })
    didoxWorkflow = h.workflowId
    of(h.workflowId).paid = '0.00'
    const today = new Date(await env.currentTimeMs())
    await act(h, 'confirm', { actor: 'alice', fingerprint: 'sha256:seen' })
    const view = await h.query(getInvoiceQuery)
    dueDates.set(view.invoiceId!, new Date(today.getTime() + 20 * DAY).toISOString().slice(0, 10))
    await act(h, 'approve', { actor: 'bob', pdfVersion: 1 })
    // The buyer answers at the 30th poll (the interval doubles up to six hours): after five and a half days.
    await env.sleep('12 days')
    expect(of(h.workflowId).didoxPolls).toBe(30)
    await env.sleep('50 days')
    await until(h, 'overdue')
    const delivered = await h.query(getInvoiceQuery)
    expect(delivered.dispatch).toMatchObject({ planfact: { status: 'done' }, r2: { status: 'done' }, didox: { status: 'done' }, didox_acceptance: { status: 'done', detail: 'accepted' } })
    expect(of(h.workflowId).paymentReminders).toEqual([3, 10, 30])
    expect(delivered.payment?.remindersSent).toEqual([3, 10, 30])
    const runs = await expectBounded(h, 250, 4)
    expect(of(h.workflowId).didoxPolls).toBe(30)
    // At least one run took over while the buyer's answer was awaited, not only while following payment.
    expect(of(h.workflowId).transitions.some((t) => t.continuedFromRunId && t.state === 'dispatching')).toBe(true)

    const paidOn = new Date(await env.currentTimeMs()).toISOString().slice(0, 10)
    expect(await act(h, 'recordPayment', { actor: 'carol', amount: '112.00', paidOn, requestId: 'bank-1' })).toMatchObject({ state: 'paid' })
    expect((await h.result()).state).toBe('paid')
    expect(runs.length).toBeGreaterThanOrEqual(4)
  })
})
