import { z } from '@hono/zod-openapi'
import { PartialCreditNoteSchema, VoidInvoiceSchema } from '../../credit-notes/credit-note-schemas.js'
import { ManualPaymentSchema } from '../../workflows/invoice-actions.js'
import { CREDIT_NOTE_STATES } from '../../workflows/credit-note-contract.js'
import { CustomerIdSchema, orNull } from '../../operations/schemas.js'

/** OpenAPI shapes of credit notes, voids, payments and receivables (docs/api.md, "After delivery"). */

export const CreditNoteBodySchema = PartialCreditNoteSchema.openapi('CreditNoteRequest', {
  description: 'Either `lines` (at least one) or `amount`, not both; a line gives `hours` or `amount`, not both (else a 400 naming the field)',
  example: { reason: 'Two hours of bug fixing were billed twice', correction: 'error', lines: [{ lineId: 'time:Bug fixing:rule-1', hours: '2' }] },
})
export const VoidBodySchema = VoidInvoiceSchema.openapi('VoidRequest', { example: { reason: 'Billed to the wrong customer', correction: 'error' } })
export const PaymentBodySchema = ManualPaymentSchema.openapi('ManualPayment', { example: { amount: '1500.00', paidOn: '2026-11-20', reference: 'KAPITAL-0042' } })

const MoneyText = z.string().openapi({ example: '1500.00' })
export const BalanceSchema = z.object({ total: MoneyText, credited: MoneyText, paid: MoneyText, due: MoneyText }).openapi('InvoiceBalance')

const CreditNoteLineSchema = z.object({ lineId: z.string().nullable(), description: z.string(), quantity: z.string(), unit: z.string(), rate: z.string(), amount: z.string() })
export const CreditNoteSummarySchema = z
  .object({
    id: z.string().openapi({ description: 'The credit note workflow id, credit-note:<invoice uuid>:<seq>' }),
    creditNoteId: z.string(),
    invoice: z.object({ id: z.string(), invoiceId: z.string(), number: z.string().nullable() }),
    seq: z.number(),
    number: z.string().nullable(),
    kind: z.string(),
    correction: z.string(),
    reason: z.string(),
    state: z.enum(CREDIT_NOTE_STATES),
    currency: z.string(),
    lines: z.array(CreditNoteLineSchema),
    subtotal: MoneyText,
    vatRate: z.string(),
    vatAmount: MoneyText,
    total: MoneyText,
    remainingAfter: z.string().nullable(),
    issueDate: z.string().nullable(),
    pdfVersion: z.number().nullable(),
    fingerprint: z.string().nullable().openapi({ description: 'Send it with confirm: what you checked' }),
    delivery: z.string().nullable(),
    requestedBy: z.string(),
    confirmedBy: z.string().nullable(),
    approvedBy: z.string().nullable(),
    attention: z.object({ step: z.string(), reason: z.string(), since: z.string() }).nullable(),
    dispatch: z.record(z.string(), z.object({ status: z.string(), externalId: z.string().optional(), detail: z.string().optional() })),
    allowedActions: z.array(z.string()),
    createdAt: z.string(),
    href: z.string(),
  })
  .openapi('CreditNoteSummary')
export const CreditNoteSchema = CreditNoteSummarySchema.extend({
  pdfs: z.array(z.object({ version: z.number(), sha256: z.string(), sizeBytes: z.number(), templateVersion: z.string(), createdAt: z.string() })),
  externalReferences: z.array(z.object({ system: z.string(), purpose: z.string(), status: z.string(), externalId: z.string().nullable(), details: z.unknown(), updatedAt: z.string() })),
}).openapi('CreditNote')
export const StartedCreditNoteSchema = z
  .object({ id: z.string(), runId: z.string(), href: z.string(), creditNote: orNull(CreditNoteSchema).openapi({ description: 'Null when the draft was not written within the wait (202)' }) })
  .openapi('StartedCreditNote')

export const PaymentSchema = z
  .object({
    id: z.string(),
    source: z.enum(['planfact', 'manual']),
    amount: MoneyText,
    currency: z.string(),
    paidOn: z.string(),
    recordedBy: z.string(),
    note: z.string().nullable(),
    reference: z.string(),
    confirms: z.string().nullable().openapi({ description: 'The hand-recorded payment this PlanFact payment confirms (counted once)' }),
    counted: z.boolean(),
    recordedAt: z.string(),
  })
  .openapi('Payment')
export const PaymentsSchema = z.object({ balance: orNull(BalanceSchema), items: z.array(PaymentSchema) }).openapi('Payments')

export const CreditNoteParamsSchema = z.strictObject({ id: z.string().min(1).max(200).regex(/^credit-note:[0-9a-f-]{36}:\d{1,6}$/, 'must be a credit note id, credit-note:<invoice uuid>:<seq>') })

export const ReceivablesQuerySchema = z.strictObject({
  status: z.enum(['open', 'overdue', 'paid', 'all']).default('open').openapi({ description: 'open: something is still due (default); overdue: past the due date; paid; all' }),
  customerId: CustomerIdSchema.optional(),
  currency: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code like USD').optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
})
const ReceivableSchema = z.object({
  id: z.string(),
  invoiceId: z.string(),
  number: z.string(),
  customerId: z.string(),
  dealId: z.string(),
  period: z.string(),
  currency: z.string(),
  issueDate: z.string().nullable(),
  dueDate: z.string().nullable(),
  daysOverdue: z.number(),
  paymentStatus: z.string().nullable(),
  total: MoneyText,
  credited: MoneyText,
  paid: MoneyText,
  due: MoneyText,
  href: z.string(),
})
export const ReceivablesSchema = z
  .object({
    items: z.array(ReceivableSchema),
    totals: z.array(z.object({ currency: z.string(), invoices: z.number(), total: MoneyText, credited: MoneyText, paid: MoneyText, due: MoneyText, overdue: MoneyText })),
  })
  .openapi('Receivables')
