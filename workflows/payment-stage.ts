import { ActivityFailure, setHandler } from '@temporalio/workflow'
import type { PaymentCheck } from '../activities/payments.js'
import { Dec } from '../billing/decimal.js'
import { addDays } from '../pdf/date-only.js'
import { checkPayments, recordManualPayment, sendPaymentReminder } from './invoice-activities.js'
import { creditNoteChangedSignal, type InvoiceState, type PaymentStatus, type PaymentView } from './invoice-contract.js'
import type { InvoiceRun, TakenAction } from './invoice-run.js'
import type { StepRunner } from './run-step.js'

export interface PaymentPlan {
  /** How often PlanFact is asked (a durable timer; a credit note or a payment recorded by hand asks at once). */
  checkIntervalMs: number
  /** Days after the due date on which an overdue invoice reminds its billing contacts. */
  reminderDays: readonly number[]
  /** Before each wait: continues the run as new once its history is long (continue-as-new.ts). */
  continueIfLong?: () => Promise<void>
}

const STATE_OF: Record<PaymentStatus, InvoiceState> = {
  unpaid: 'awaiting_payment',
  partially_paid: 'partially_paid',
  overdue: 'overdue',
  paid: 'paid',
  void: 'void',
}

/**
 * After delivery the invoice waits for its money: it asks PlanFact on a durable timer (and at
 * once when a credit note changed what is due or someone records a payment by hand), records
 * each payment once, and moves awaiting_payment -> partially_paid -> paid, or overdue after the
 * due date; overdue, it reminds the billing contacts on the days of the settings, each once.
 * Ends paid (payments and credit notes cover the total) or void.
 */
export async function followPayment(run: InvoiceRun, step: StepRunner, plan: PaymentPlan): Promise<'paid' | 'void'> {
  const invoiceId = run.view.invoiceId!
  let woken = false
  setHandler(creditNoteChangedSignal, () => {
    woken = true
  })
  const reminded = new Set<number>(run.view.payment?.remindersSent ?? [])
  for (;;) {
    woken = false
    const check = await checkPayments({ invoiceId })
    const status = statusOf(check, today())
    const before = run.view.payment
    run.view.payment = { status, dueDate: check.dueDate, total: check.total, credited: check.credited, paid: check.paid, due: check.due, remindersSent: [...reminded].sort((a, b) => a - b), checkedAt: new Date().toISOString(), planfactProblem: check.planfactProblem }
    const payload = { status, total: check.total, credited: check.credited, paid: check.paid, due: check.due, payments: check.newPayments }
    if (STATE_OF[status] !== run.state) await run.moveTo(STATE_OF[status], 'system', { payload })
    else if (check.newPayments.length > 0 || before?.credited !== check.credited || before?.paid !== check.paid) await run.recordWithView('payment_checked', 'system', payload)
    run.settle()
    if (status === 'paid' || status === 'void') return status

    if (status === 'overdue') {
      for (const days of remindersDue(plan.reminderDays, check.dueDate!, today(), reminded)) {
        // A reminder that cannot be sent (no billing contact, the server refuses) is recorded and
        // not tried again; it never parks the invoice, which keeps following its money.
        let sent: Awaited<ReturnType<typeof sendPaymentReminder>> | null = null
        let failure: string | null = null
        try {
          sent = await sendPaymentReminder({ invoiceId, days })
        } catch (err) {
          if (!(err instanceof ActivityFailure)) throw err
          failure = err.cause?.message ?? err.message
        }
        reminded.add(days)
        run.view.payment.remindersSent = [...reminded].sort((a, b) => a - b)
        const type = failure ? 'payment_reminder_failed' : sent ? 'payment_reminder_sent' : 'payment_reminder_skipped'
        await run.recordWithView(type, 'system', { days, due: check.due, ...(sent ? { externalId: sent.externalId, detail: sent.detail } : {}), ...(failure ? { reason: failure } : {}) })
      }
    }

    await plan.continueIfLong?.()
    const action = await run.next(['recordPayment'], msUntilNextLook(plan, check.dueDate, reminded), () => woken)
    if (action) await recordByHand(run, action as TakenAction<'recordPayment'>)
  }
}

/** A payment recorded by hand: refused with why, or recorded (the next check answers it). */
async function recordByHand(run: InvoiceRun, action: TakenAction<'recordPayment'>): Promise<void> {
  const { actor, requestId, amount, paidOn, reference, note } = action.input
  let result
  try {
    result = await recordManualPayment({ invoiceId: run.view.invoiceId!, amount, paidOn, reference, note, actor, requestId })
  } catch (err) {
    // A value the database refuses is this action's problem, not the invoice's: refuse it, go on.
    if (!(err instanceof ActivityFailure)) throw err
    run.refuse(action, { code: 'PAYMENT_REFUSED', message: `the payment could not be recorded: ${err.cause?.message ?? err.message}` })
    return
  }
  if ('refused' in result) {
    run.refuse(action, { code: 'PAYMENT_REFUSED', message: result.refused })
    return
  }
  if (!result.alreadyRecorded) run.queueEvent('payment_recorded', actor, { paymentId: result.recorded.id, amount, paidOn, reference: reference ?? null, source: 'manual' })
}

/** Paid once payments and credit notes cover the total; overdue the day after the due date. */
export function statusOf(check: Pick<PaymentCheck, 'void' | 'due' | 'paid' | 'dueDate'>, todayIso: string): PaymentStatus {
  if (check.void) return 'void'
  if (new Dec(check.due).lte(0)) return 'paid'
  if (check.dueDate !== null && todayIso > check.dueDate) return 'overdue'
  return new Dec(check.paid).gt(0) ? 'partially_paid' : 'unpaid'
}

/** The reminders whose day has come and that were not sent. */
export function remindersDue(days: readonly number[], dueDate: string, todayIso: string, sent: ReadonlySet<number>): number[] {
  return [...days].sort((a, b) => a - b).filter((d) => !sent.has(d) && todayIso >= addDays(dueDate, d))
}

/** The next check: after the interval, or at the start of the day the invoice falls due or a reminder is due, whichever is first. */
function msUntilNextLook(plan: PaymentPlan, dueDate: string | null, reminded: ReadonlySet<number>): number {
  const now = Date.now()
  const boundaries = dueDate === null ? [] : [addDays(dueDate, 1), ...plan.reminderDays.filter((d) => !reminded.has(d)).map((d) => addDays(dueDate, d))]
  const next = boundaries.map((d) => Date.parse(`${d}T00:00:00Z`)).filter((t) => t > now)
  return Math.max(1_000, Math.min(plan.checkIntervalMs, ...next.map((t) => t - now)))
}

function today(): string {
  return new Date().toISOString().slice(0, 10)
}


export type { PaymentView }
