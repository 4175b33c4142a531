import { ApplicationFailure } from '@temporalio/common'
import { CONCERNS } from '../workers/concerns.js'
import { createWorkerGroup, type WorkerGroup } from '../workers/worker-group.js'
import type { WorkflowHandle } from '@temporalio/client'
import type { TestWorkflowEnvironment } from '@temporalio/testing'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { DispatchActivities } from '../activities/dispatch.js'
import type { InvoiceActivities } from '../activities/invoice.js'
import type { PaymentActivities, PaymentCheck } from '../activities/payments.js'
import type { PrefillActivities, PrefillOutcome } from '../activities/prefill.js'
import type { InvoicePreview } from '../billing/types.js'
import type { TransitionInput } from '../db/record-transition.js'
import { act, refusalOf, workflowTaskFailures } from '../test-support/invoice-actions.js'
import { bundleWorkflows, uniqueName } from '../test-support/temporal.js'
import { createTimeSkippingEnvironment } from '../test-support/time-skipping.js'
import type { RefusedAction } from './audit-sinks.js'
import { getInvoiceQuery, type InvoiceState } from './invoice-contract.js'
import { invoiceWorkflow } from './invoice-workflow.js'
import { buildPreview } from '../billing/build-preview.js'
import { CATALOG_CUSTOMERS, CATALOG_DEALS } from '../sources/generate/catalog.js'

/**
 * Workflow logic on Temporal's time-skipping test server, with stand-in activities: days of
 * waiting take milliseconds, and each activity can be held open to act while it runs. The
 * end-to-end tests (invoice-workflow.test.ts) run the same workflow on the real services.
 */
const DAY = 86_400_000
type Activities = InvoiceActivities & PrefillActivities & DispatchActivities & PaymentActivities

const preview = {
  sourceFingerprint: 'sha256:seen',
  errors: [],
  warnings: [],
  lines: [{ lineId: 'fee:monthly', kind: 'fee', category: null, description: 'Monthly fee', quantity: '1', unit: 'month', rate: '100.00', amount: '100.00' }],
  currency: 'USD',
  subtotal: '100.00',
  vatRate: '12.00',
  vatAmount: '12.00',
  total: '112.00',
} as unknown as InvoicePreview
const prefilled: PrefillOutcome = {
  preview,
  deal: { dealId: 'APP-1' } as PrefillOutcome['deal'],
  customer: { customerId: 'CUST-1', eInvoicing: false, tin: null } as unknown as PrefillOutcome['customer'],
}

/** A promise the test resolves: an activity awaiting it stays running until then. */
function gate(): { wait: Promise<void>; open: () => void } {
  let open = () => {}
  const wait = new Promise<void>((resolve) => (open = resolve))
  return { wait, open }
}

describe('invoice workflow logic (time-skipping server, stand-in activities)', () => {
  let env: TestWorkflowEnvironment
  let worker: WorkerGroup
  let running: Promise<void>
  const taskQueue = uniqueName('invoice-logic')
  const transitions: TransitionInput[] = []
  const reminders: string[] = []
  const paymentReminders: { workflowId: string; days: number }[] = []
  const refused: RefusedAction[] = []
  let overrides: Partial<Activities> = {}

  const activities: Activities = {
    loadInvoiceSettings: async () => ({ makerChecker: true, approvalReminderMs: 2 * DAY, didoxPollIntervalMs: 60_000 }),
    recordEvent: async () => {},
    recordTransition: async (input: TransitionInput) => {
      transitions.push(input)
    },
    remindApprovers: async (input: Parameters<Activities['remindApprovers']>[0]) => {
      reminders.push(input.event.workflowId)
    },
    prefillInvoice: async (input: Parameters<Activities['prefillInvoice']>[0]) => (overrides.prefillInvoice ?? (async () => prefilled))(input),
    checkPreviewFreshness: async () => ({ fresh: true, currentFingerprint: preview.sourceFingerprint }),
    finalizeInvoice: async (input: Parameters<Activities['finalizeInvoice']>[0]) => (overrides.finalizeInvoice ?? (async (i: typeof input) => ({ invoiceId: i.invoiceId, number: 'INV-2026-00042', issueDate: '2026-11-01', dueDate: '2026-11-15' })))(input),
    renderInvoicePdf: async (input: Parameters<Activities['renderInvoicePdf']>[0]) => ({ version: input.version, sha256: 'a'.repeat(64), sizeBytes: 1000, templateVersion: 't1', inputHash: 'b'.repeat(64) }),
    syncPlanFact: async (input: Parameters<Activities['syncPlanFact']>[0]) => (overrides.syncPlanFact ?? (async () => ({ externalId: 'op-1', detail: 'booked' })))(input),
    uploadPdfToR2: async () => ({ externalId: 'invoices/2026/INV-2026-00042/v1.pdf', detail: 'stored' }),
    sendInvoiceEmail: async () => ({ externalId: '<m1@example.uz>', detail: 'sent' }),
    createDidoxDraft: async () => ({ externalId: 'didox-1', detail: 'draft' }),
    readDidoxStatus: async () => ({ code: 3, meaning: 'accepted' }),
    // Paid at once unless a test follows the money itself.
    checkPayments: async (input: Parameters<Activities['checkPayments']>[0]) =>
      (overrides.checkPayments ?? (async () => ({ void: false, dueDate: '2026-11-15', total: preview.total, credited: '0.00', paid: preview.total, due: '0.00', newPayments: [], planfactProblem: null })))(input),
    recordManualPayment: async (input: Parameters<Activities['recordManualPayment']>[0]) => overrides.recordManualPayment!(input),
    sendPaymentReminder: async (input: Parameters<Activities['sendPaymentReminder']>[0]) => {
      paymentReminders.push({ workflowId: input.invoiceId, days: input.days })
      return { externalId: `<reminder-${input.days}@example.uz>`, detail: 'sent' }
    },
  } as unknown as Activities

  beforeAll(async () => {
    env = await createTimeSkippingEnvironment()
    worker = await createWorkerGroup({ concerns: CONCERNS, 
      connection: env.nativeConnection,
      namespace: env.namespace ?? 'default',
      taskQueue,
      workflowBundle: await bundleWorkflows(),
      activities,
      sinks: { audit: { refused: { fn: (_info, refusal: RefusedAction) => void refused.push(refusal) } } },
    })
    running = worker.run()
  })
  afterAll(async () => {
    worker?.shutdown()
    await running
    await env?.teardown()
  })
  beforeEach(() => {
    overrides = {}
  })

  const start = () => env.client.workflow.start(invoiceWorkflow, { taskQueue, workflowId: uniqueName('invoice:APP-1:2026-10'), args: [{ dealId: 'APP-1', period: '2026-10', startedBy: 'alice' }] })
  const state = async (h: WorkflowHandle): Promise<InvoiceState> => (await h.query(getInvoiceQuery)).state
  async function until(h: WorkflowHandle, wanted: InvoiceState): Promise<void> {
    for (let i = 0; i < 200 && (await state(h)) !== wanted; i += 1) await new Promise((resolve) => setTimeout(resolve, 25))
    expect(await state(h)).toBe(wanted)
  }

  it('reminds approvers every two days while an approval waits: five days take milliseconds', async () => {
    const h = await start()
    await until(h, 'awaiting_confirmation')
    expect(await act(h, 'confirm', { actor: 'alice', fingerprint: preview.sourceFingerprint })).toMatchObject({ state: 'awaiting_approval', invoiceNumber: 'INV-2026-00042', pdfVersion: 1 })
    const wall = performance.now()
    await env.sleep('5 days')
    expect(reminders.filter((id) => id === h.workflowId)).toHaveLength(2)
    expect(await act(h, 'approve', { actor: 'bob', pdfVersion: 1 })).toMatchObject({ state: 'dispatching' })
    expect((await h.result()).state).toBe('paid')
    expect(performance.now() - wall).toBeLessThan(10_000)
  })

  it('follows the money: partially paid, overdue, reminders after 3 and 10 days (each once), paid; none after payment', async () => {
    // The invoice falls due five days from now, by the test server's clock (the tests before moved it on).
    const dueDate = new Date((await env.currentTimeMs()) + 5 * DAY).toISOString().slice(0, 10)
    let paid = '0.00'
    const recorded = new Map<string, string>()
    const due = () => (Number(preview.total) - Number(paid)).toFixed(2)
    overrides.checkPayments = async (): Promise<PaymentCheck> => ({ void: false, dueDate, total: preview.total, credited: '0.00', paid, due: due(), newPayments: [], planfactProblem: null })
    overrides.recordManualPayment = async (input) => {
      if (recorded.has(input.requestId)) return { recorded: { id: recorded.get(input.requestId)!, source: 'manual', amount: input.amount, paidOn: input.paidOn, confirms: null }, alreadyRecorded: true }
      if (Number(input.amount) > Number(due())) return { refused: `${input.amount} is more than is due (${due()})` }
      paid = (Number(paid) + Number(input.amount)).toFixed(2)
      recorded.set(input.requestId, `p-${recorded.size + 1}`)
      return { recorded: { id: `p-${recorded.size}`, source: 'manual', amount: input.amount, paidOn: input.paidOn, confirms: null }, alreadyRecorded: false }
    }
    const h = await start()
    await until(h, 'awaiting_confirmation')
    await act(h, 'confirm', { actor: 'alice', fingerprint: preview.sourceFingerprint })
    await act(h, 'approve', { actor: 'bob', pdfVersion: 1 })
    await until(h, 'awaiting_payment')
    const before = paymentReminders.length

    const paidOn = new Date(await env.currentTimeMs()).toISOString().slice(0, 10)
    const part = await act(h, 'recordPayment', { actor: 'carol', amount: '10.00', paidOn, requestId: 'bank-1' })
    expect(part).toMatchObject({ action: 'recordPayment', state: 'partially_paid', payment: { status: 'partially_paid', paid: '10.00', due: due() } })
    // The same request again is the same payment; more than is due is refused with why.
    expect((await act(h, 'recordPayment', { actor: 'carol', amount: '10.00', paidOn, requestId: 'bank-1' })).payment).toMatchObject({ paid: '10.00' })
    const tooMuch = await refusalOf(act(h, 'recordPayment', { actor: 'carol', amount: '999999.00', paidOn, requestId: 'bank-2' }))
    expect(tooMuch).toMatchObject({ code: 'PAYMENT_REFUSED', message: expect.stringContaining('more than is due') })

    await env.sleep('7 days')
    await until(h, 'overdue')
    expect(paymentReminders.slice(before).map((r) => r.days)).toEqual([])
    await env.sleep('4 days') // 3 days after the due date: the first reminder
    await env.sleep('7 days') // 10 days after: the second
    expect(paymentReminders.slice(before).map((r) => r.days)).toEqual([3, 10])
    const rest = await act(h, 'recordPayment', { actor: 'carol', amount: due(), paidOn, requestId: 'bank-3' })
    expect(rest).toMatchObject({ state: 'paid', payment: { status: 'paid', due: '0.00' } })
    expect((await h.result()).state).toBe('paid')
    await env.sleep('30 days')
    expect(paymentReminders.slice(before).map((r) => r.days)).toEqual([3, 10])
    expect(await workflowTaskFailures(h)).toBe(0)
  })

  it('a confirmation the work outran before finalize is refused STALE_PREVIEW, the preview refreshed, nothing numbered', async () => {
    let finalizeCalls = 0
    let prefills = 0
    overrides.prefillInvoice = async () => {
      prefills += 1
      return prefilled
    }
    overrides.finalizeInvoice = async (input) => {
      finalizeCalls += 1
      if (finalizeCalls === 1) {
        expect(input.staleAsResult).toBe(true)
        return { stale: true as const, reason: 'another invoice billed some of these worklogs first' }
      }
      return { invoiceId: input.invoiceId, number: 'INV-2026-00044', issueDate: '2026-11-01', dueDate: '2026-11-15' }
    }
    const h = await start()
    await until(h, 'awaiting_confirmation')
    const refused = await refusalOf(act(h, 'confirm', { actor: 'alice', fingerprint: preview.sourceFingerprint }))
    expect(refused).toMatchObject({ code: 'STALE_PREVIEW', message: expect.stringContaining('another invoice billed some of these worklogs first') })
    await until(h, 'awaiting_confirmation')
    expect(prefills).toBe(2)
    expect((await h.query(getInvoiceQuery)).invoiceNumber).toBeNull()
    expect(await act(h, 'confirm', { actor: 'alice', fingerprint: preview.sourceFingerprint })).toMatchObject({ state: 'awaiting_approval', invoiceNumber: 'INV-2026-00044' })
    expect(await workflowTaskFailures(h)).toBe(0)
    await h.terminate('test over')
  })

  it('an invoice of nothing is refused at confirm (every line dropped, or a total of zero), before it takes a number', async () => {
    let finalizeCalls = 0
    overrides.finalizeInvoice = async (input) => {
      finalizeCalls += 1
      return { invoiceId: input.invoiceId, number: 'INV-2026-00045', issueDate: '2026-11-01', dueDate: '2026-11-15' }
    }
    // A real preview (a fixed monthly fee), so the edits apply as they do in production.
    const deal = { ...CATALOG_DEALS.find((d) => d.dealType === 'fixed_monthly')!, version: '1' }
    const customer = { ...CATALOG_CUSTOMERS.find((c) => c.customerId === deal.customerId)!, version: '1' }
    const settings = { minBillableMinutes: 15, roundingIncrementMinutes: 15, defaultVatRate: '12', defaultCategory: 'General' }
    const real = buildPreview({ deal, customer, issues: [], entries: [], period: { from: '2026-10-01', to: '2026-11-01' }, rateRules: [], categoryRules: [], settings, sourceFingerprint: 'sha256:fee' })
    overrides.prefillInvoice = async () => ({ ...prefilled, preview: real })
    const h = await start()
    await until(h, 'awaiting_confirmation')
    const dropLineIds = real.lines.map((l) => l.lineId)
    const none = await refusalOf(act(h, 'confirm', { actor: 'alice', fingerprint: real.sourceFingerprint, edits: { dropLineIds } }))
    expect(none).toMatchObject({ code: 'NOTHING_TO_BILL', message: expect.stringContaining('no lines are left') })
    const free = { description: 'Onboarding session', quantity: '1', unit: 'item', rate: '0.00', reason: 'free of charge as agreed' }
    const zero = await refusalOf(act(h, 'confirm', { actor: 'alice', fingerprint: real.sourceFingerprint, edits: { dropLineIds, addLines: [free] } }))
    expect(zero).toMatchObject({ code: 'NOTHING_TO_BILL', message: expect.stringMatching(/its total is 0(\.0+)? [A-Z]{3}/) })
    expect(finalizeCalls).toBe(0)
    expect(await h.query(getInvoiceQuery)).toMatchObject({ state: 'awaiting_confirmation', invoiceNumber: null })
    expect(await workflowTaskFailures(h)).toBe(0)
    await act(h, 'cancel', { actor: 'alice', reason: 'test over' })
  })

  it('cancel while prefilling abandons the running prefill and ends the run at once', async () => {
    const held = gate()
    overrides.prefillInvoice = async () => {
      await held.wait
      return prefilled
    }
    const h = await start()
    await until(h, 'prefilling')
    expect(await act(h, 'cancel', { actor: 'alice', reason: 'wrong deal' })).toMatchObject({ previousState: 'prefilling', state: 'cancelled', invoiceNumber: null })
    expect(await h.result()).toEqual({ state: 'cancelled', invoiceId: null, invoiceNumber: null })
    held.open()
  })

  it('cancel while finalizing lets the step finish, then voids the numbered invoice; the confirm answers the same end', async () => {
    const held = gate()
    overrides.finalizeInvoice = async (input) => {
      await held.wait
      return { invoiceId: input.invoiceId, number: 'INV-2026-00043', issueDate: '2026-11-01', dueDate: '2026-11-15' }
    }
    const h = await start()
    await until(h, 'awaiting_confirmation')
    const confirming = act(h, 'confirm', { actor: 'alice', fingerprint: preview.sourceFingerprint })
    await until(h, 'finalizing')
    const cancelling = act(h, 'cancel', { actor: 'bob', reason: 'client called' })
    await new Promise((resolve) => setTimeout(resolve, 200))
    held.open()
    expect(await cancelling).toMatchObject({ previousState: 'finalizing', state: 'cancelled', invoiceNumber: 'INV-2026-00043' })
    expect(await confirming).toMatchObject({ state: 'cancelled' })
    const last = transitions.filter((t) => t.event.workflowId === h.workflowId).at(-1)!
    expect(last).toMatchObject({ state: 'cancelled', voidReason: 'client called' })
    expect(await workflowTaskFailures(h)).toBe(0)
  })

  it('a value PostgreSQL refuses is not retried: needs attention, the step may not be skipped, cancel ends it', async () => {
    let attempts = 0
    overrides.finalizeInvoice = async () => {
      attempts += 1
      throw ApplicationFailure.create({ type: 'DatabaseDataError', message: 'PostgreSQL cannot store a value: numeric field overflow (SQLSTATE 22003)', nonRetryable: true })
    }
    const h = await start()
    await until(h, 'awaiting_confirmation')
    const parked = await act(h, 'confirm', { actor: 'alice', fingerprint: preview.sourceFingerprint })
    expect(parked).toMatchObject({ state: 'needs_attention', attention: { step: 'finalize', reason: expect.stringContaining('numeric field overflow') } })
    expect(attempts).toBe(1)
    expect((await refusalOf(act(h, 'skip', { actor: 'ops', reason: 'skip it' }))).code).toBe('NOT_SKIPPABLE')
    expect(await act(h, 'cancel', { actor: 'alice', reason: 'fix the data first' })).toMatchObject({ state: 'cancelled', previousState: 'needs_attention' })
    expect(await h.result()).toMatchObject({ state: 'cancelled' })
  })

  it('a preview with blocking errors cannot be confirmed; the refresh that fixes them answers with the fingerprint to confirm', async () => {
    let calls = 0
    overrides.prefillInvoice = async () => {
      calls += 1
      return calls === 1 ? { ...prefilled, preview: { ...preview, sourceFingerprint: 'sha256:broken', errors: [{ code: 'NO_RATE', message: 'no rate for Development' }] } as unknown as InvoicePreview } : prefilled
    }
    const h = await start()
    await until(h, 'awaiting_confirmation')
    const refused = await refusalOf(act(h, 'confirm', { actor: 'alice', fingerprint: 'sha256:broken' }))
    expect(refused).toMatchObject({ code: 'PREVIEW_HAS_ERRORS', message: expect.stringContaining('NO_RATE') })
    const refreshed = await act(h, 'refresh', { actor: 'alice' })
    expect(refreshed).toMatchObject({ state: 'awaiting_confirmation', fingerprint: preview.sourceFingerprint })
    expect((await act(h, 'confirm', { actor: 'alice', fingerprint: refreshed.fingerprint! })).state).toBe('awaiting_approval')
    await act(h, 'cancel', { actor: 'alice', reason: 'test over' })
  })

  it('an operator retry of a dispatch step is answered once the step ran again', async () => {
    let calls = 0
    const held = gate()
    overrides.syncPlanFact = async () => {
      calls += 1
      if (calls === 1) throw ApplicationFailure.create({ type: 'PlanFactRejected', message: 'PlanFact answered 403: TariffAccessDenied', nonRetryable: true })
      await held.wait
      return { externalId: 'op-7', detail: 'booked' }
    }
    const h = await start()
    await until(h, 'awaiting_confirmation')
    await act(h, 'confirm', { actor: 'alice', fingerprint: preview.sourceFingerprint })
    await act(h, 'approve', { actor: 'bob', pdfVersion: 1 })
    await until(h, 'needs_attention')
    let answered = false
    const retrying = act(h, 'retry', { actor: 'ops' }).then((outcome) => {
      answered = true
      return outcome
    })
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect(answered).toBe(false)
    held.open()
    expect(await retrying).toMatchObject({ previousState: 'needs_attention', state: 'dispatching', attention: null })
    expect((await h.result()).state).toBe('paid')
  })

  it('a preview no invoice column can hold waits for an operator instead of failing the run', async () => {
    overrides.prefillInvoice = async () => ({ ...prefilled, preview: { ...preview, total: '10000000000000000000.00' } as unknown as InvoicePreview })
    const h = await start()
    await until(h, 'needs_attention')
    const view = await h.query(getInvoiceQuery)
    expect(view.attention).toMatchObject({ step: 'prefill', reason: expect.stringContaining('total: 10000000000000000000.00 USD is more than an invoice can hold') })
    expect(view.preview).toBeNull()
    await act(h, 'cancel', { actor: 'alice', reason: 'rate rule typo' })
    expect((await h.result()).state).toBe('cancelled')
  })

  it('a cancellation requested in Temporal (Temporal Web, the CLI) is recorded as a cancel', async () => {
    const h = await start()
    await until(h, 'awaiting_confirmation')
    await act(h, 'confirm', { actor: 'alice', fingerprint: preview.sourceFingerprint })
    await h.cancel()
    expect(await h.result()).toMatchObject({ state: 'cancelled', invoiceNumber: 'INV-2026-00042' })
    const last = transitions.filter((t) => t.event.workflowId === h.workflowId).at(-1)!
    expect(last).toMatchObject({ state: 'cancelled', voidReason: 'the workflow was cancelled in Temporal', event: { actor: 'temporal' } })
    expect(await workflowTaskFailures(h)).toBe(0)
  })

  it('refuses malformed input sent straight to Temporal, records each refusal through the sink, never fails a workflow task', async () => {
    const h = await start()
    await until(h, 'awaiting_confirmation')
    for (const input of [null, 'confirm', { actor: '' }, { actor: 'x', fingerprint: ['a'] }, { actor: 'x', fingerprint: 'f', edits: { dropLineIds: 'all' } }, { actor: 'x', fingerprint: 'f', extra: true }]) {
      expect((await refusalOf(act(h, 'confirm', input as Record<string, unknown>))).code).toBe('INVALID_INPUT')
    }
    expect((await refusalOf(act(h, 'retry', { actor: 'ops' }))).code).toBe('WRONG_STATE')
    expect(await workflowTaskFailures(h)).toBe(0)
    const mine = refused.filter((r) => r.workflowId === h.workflowId)
    expect(mine.map((r) => r.code)).toEqual(['INVALID_INPUT', 'INVALID_INPUT', 'INVALID_INPUT', 'INVALID_INPUT', 'INVALID_INPUT', 'INVALID_INPUT', 'WRONG_STATE'])
    expect(mine.every((r) => r.updateId !== '' && r.state === 'awaiting_confirmation')).toBe(true)
    await act(h, 'cancel', { actor: 'alice', reason: 'test over' })
  })
})
