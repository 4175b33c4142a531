import { log } from '@temporalio/activity'
import { Dec } from '../billing/decimal.js'
import type { ClickHouseClient } from '@clickhouse/client'
import type { EmailTransport } from '../clients/email.js'
import type { PlanFactClient } from '../clients/planfact.js'
import { readDetails } from '../dispatch/external-reference.js'
import { selectBillingRecipients, sendPaymentReminderEmail } from '../dispatch/send-invoice-email.js'
import type { Config } from '../lib/config.js'
import type { Database } from '../lib/database.js'
import { ERROR_TYPES } from '../lib/error-types.js'
import { PermanentError } from '../lib/permanent-error.js'
import { readPlanFactPayments } from '../payments/read-planfact-payments.js'
import { readBalance, recordManualPayment, recordPlanFactPayments, type ManualPaymentResult, type RecordedPayment } from '../payments/record-payments.js'
import { readContacts } from '../sources/read-contacts.js'
import type { DispatchResult } from './dispatch.js'
import { loadDispatchContext } from './dispatch-context.js'
import { failPermanentErrors } from './to-activity-failure.js'

export interface PaymentCheck {
  /** The invoice was voided (a void credit note was approved). */
  void: boolean
  /** YYYY-MM-DD, or null when the invoice has none. */
  dueDate: string | null
  total: string
  credited: string
  paid: string
  due: string
  /** Payments seen for the first time by this check. */
  newPayments: RecordedPayment[]
  /** PlanFact could not be read (down, refusing): what is known from PostgreSQL is answered, and the next check tries again. */
  planfactProblem: string | null
}

export interface PaymentDeps {
  config: Config
  db: Database
  clickhouse: ClickHouseClient
  planfact: PlanFactClient
  email: EmailTransport
}

/** After delivery: what the invoice was paid, payments by hand, and reminders when overdue. */
export function createPaymentActivities(deps: PaymentDeps) {
  const { db } = deps
  return {
    /**
     * Reads the invoice's payments in PlanFact, records those not seen before (each once) and
     * answers what is due. PlanFact being down is not a failure here: the check answers what
     * PostgreSQL knows and names the problem; the workflow asks again later.
     */
    async checkPayments(input: { invoiceId: string }): Promise<PaymentCheck> {
      return failPermanentErrors(async () => {
        const invoice = await db.invoice.findUniqueOrThrow({ where: { id: input.invoiceId } })
        let newPayments: RecordedPayment[] = []
        let planfactProblem: string | null = null
        // Voided or not: a payment made before the void is still money received (a refund is owed).
        try {
          const seen = await recordPlanFactPaymentsOf(db, deps.planfact, invoice)
          if (seen === null) planfactProblem = 'the invoice is not booked in PlanFact (its step was skipped): record its payments by hand'
          else newPayments = seen
        } catch (error) {
          planfactProblem = error instanceof Error ? error.message : String(error)
          log.warn('payments not read from PlanFact', { invoiceId: input.invoiceId, error: planfactProblem })
        }
        const balance = await readBalance(db, input.invoiceId)
        if (newPayments.length > 0) log.info('payments seen in PlanFact', { invoiceId: input.invoiceId, count: newPayments.length, due: balance.due })
        return { void: invoice.voidedAt !== null, dueDate: invoice.dueDate ? invoice.dueDate.toISOString().slice(0, 10) : null, ...balance, newPayments, planfactProblem }
      })
    },

    /** A payment recorded by hand, once (see payments/record-payments.ts). */
    async recordManualPayment(input: { invoiceId: string; amount: string; paidOn: string; reference?: string | undefined; note?: string | undefined; actor: string; requestId: string }): Promise<ManualPaymentResult> {
      return failPermanentErrors(async () => {
        const invoice = await db.invoice.findUniqueOrThrow({ where: { id: input.invoiceId }, select: { currency: true } })
        const result = await recordManualPayment(db, { ...input, currency: invoice.currency })
        log.info('manual payment', { invoiceId: input.invoiceId, ...('refused' in result ? { refused: result.refused } : { paymentId: result.recorded.id, alreadyRecorded: result.alreadyRecorded }) })
        return result
      })
    },

    /** E-mails an overdue invoice's billing contacts, once per reminder day, with the PDF attached; null when nothing is owed any more. */
    async sendPaymentReminder(input: { invoiceId: string; days: number }): Promise<DispatchResult | null> {
      return failPermanentErrors(async () => {
        const invoice = await loadDispatchContext(db, input.invoiceId)
        if (!invoice.dueDate) throw new PermanentError(ERROR_TYPES.invalidInput, `invoice ${invoice.number} has no due date: nothing to remind of`)
        const balance = await readBalance(db, input.invoiceId)
        // Paid or voided since the check (or while this attempt was retried): no reminder.
        const voided = (await db.invoice.findUniqueOrThrow({ where: { id: input.invoiceId }, select: { voidedAt: true } })).voidedAt
        if (voided || new Dec(balance.due).lte(0)) return null
        const contacts = await readContacts(deps.clickhouse, invoice.buyer.customerId)
        const daysOverdue = Math.max(0, Math.round((Date.now() - Date.parse(`${invoice.dueDate}T00:00:00Z`)) / 86_400_000))
        const sent = await sendPaymentReminderEmail({
          db,
          transport: deps.email,
          from: deps.config.smtp.from,
          invoiceId: invoice.invoiceId,
          number: invoice.number,
          customer: { customerId: invoice.buyer.customerId, name: invoice.buyer.name },
          language: invoice.buyer.language,
          recipients: selectBillingRecipients(contacts),
          pdf: invoice.pdf.bytes,
          sellerName: invoice.seller.name,
          days: input.days,
          dueDate: invoice.dueDate,
          outstanding: balance.due,
          currency: invoice.currency,
          daysOverdue,
        })
        log.info('payment reminder', { invoiceId: input.invoiceId, days: input.days, messageId: sent.messageId, alreadySent: sent.alreadySent })
        return { externalId: sent.messageId, detail: `reminder after ${input.days} days to ${sent.accepted.join(', ')}` }
      })
    },
  }
}

/** Reads the invoice's payments in PlanFact and records the new ones; null when it is not booked there. */
export async function recordPlanFactPaymentsOf(db: Database, planfact: PlanFactClient, invoice: { id: string; currency: string; issueDate: Date | null }): Promise<RecordedPayment[] | null> {
  const booking = await findBooking(db, invoice.id, invoice.issueDate)
  if (!booking) return null
  return recordPlanFactPayments(db, { id: invoice.id, currency: invoice.currency }, await readPlanFactPayments(planfact, booking))
}

/** Where the invoice is booked in PlanFact: its planned income (unless a void deleted it) and account. */
async function findBooking(db: Database, invoiceId: string, issueDate: Date | null) {
  const references = await db.externalReference.findMany({ where: { invoiceId, system: 'planfact' } })
  const booked = references.find((r) => r.purpose === 'operation' && r.status === 'done' && r.externalId !== null)
  if (!booked || !issueDate) return null
  const accountId = readDetails(booked).accountId
  if (typeof accountId !== 'number' && typeof accountId !== 'string') return null
  const deleted = references.some((r) => r.purpose.startsWith('credit-note:') && readDetails(r).plannedDeleted === true)
  return {
    invoiceId,
    operationId: deleted ? null : booked.externalId,
    accountId,
    issueDate: issueDate.toISOString().slice(0, 10),
    today: new Date().toISOString().slice(0, 10),
  }
}

export type PaymentActivities = ReturnType<typeof createPaymentActivities>
