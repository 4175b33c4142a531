import { z } from '@hono/zod-openapi'
import { INVOICE_STATES } from '../../workflows/invoice-contract.js'
import { CustomerIdSchema, DealIdSchema, LimitSchema, PeriodSchema, ReasonSchema } from '../schemas.js'

/** Request and response schemas of /invoices: they validate and they are the OpenAPI document. */

export const StateSchema = z.enum(INVOICE_STATES).openapi({ example: 'awaiting_confirmation' })

export const StartInvoiceBodySchema = z
  .strictObject({ dealId: DealIdSchema, period: PeriodSchema })
  .openapi('StartInvoice')

export const StartedInvoiceSchema = z
  .object({ id: z.string().openapi({ example: 'invoice:APP-1001:2026-10' }), runId: z.string(), state: StateSchema, href: z.string() })
  .openapi('StartedInvoice')

export const ListInvoicesQuerySchema = z.strictObject({
  state: StateSchema.optional(),
  customerId: CustomerIdSchema.optional(),
  dealId: DealIdSchema.optional(),
  period: PeriodSchema.optional(),
  number: z
    .string()
    .min(1)
    .max(64)
    .regex(/^[^'"\\\s]+$/, 'must not contain quotes, backslashes or spaces')
    .optional()
    .openapi({ example: 'INV-2026-00001' }),
  limit: LimitSchema,
  cursor: z.string().max(4096).optional().openapi({ description: 'nextCursor of the previous page' }),
})

export const InvoiceSummarySchema = z
  .object({
    id: z.string(),
    runId: z.string(),
    workflowStatus: z.string().openapi({ example: 'RUNNING' }),
    state: z.string().nullable(),
    dealId: z.string().nullable(),
    customerId: z.string().nullable(),
    period: z.string().nullable(),
    number: z.string().nullable(),
    startedAt: z.string().nullable(),
    closedAt: z.string().nullable(),
  })
  .openapi('InvoiceSummary')

export const InvoicePageSchema = z.object({ items: z.array(InvoiceSummarySchema), nextCursor: z.string().nullable() }).openapi('InvoicePage')

const RefusalSchema = z
  .object({ signal: z.string(), actor: z.string(), code: z.string(), message: z.string(), state: z.string(), at: z.string() })
  .openapi('Refusal')

export const InvoiceSchema = z
  .object({
    id: z.string().openapi({ description: 'The workflow id' }),
    runId: z.string(),
    workflowId: z.string(),
    workflowStatus: z.string(),
    source: z.enum(['workflow', 'database']).openapi({ description: '`database` when the worker did not answer and the stored state is shown' }),
    notice: z.string().nullable(),
    state: StateSchema,
    allowedSignals: z.array(z.string()),
    dealId: z.string(),
    customerId: z.string().nullable(),
    period: z.string(),
    invoiceId: z.string().nullable(),
    invoiceNumber: z.string().nullable(),
    pdfVersion: z.number().nullable(),
    confirmedBy: z.string().nullable(),
    approvedBy: z.string().nullable(),
    lastRefusal: RefusalSchema.nullable(),
    attention: z.object({ step: z.string(), reason: z.string(), since: z.string() }).nullable(),
    dispatch: z.record(z.string(), z.object({ status: z.string(), externalId: z.string().optional(), detail: z.string().optional() })),
    cancelReason: z.string().nullable(),
    totals: z.object({ currency: z.string(), subtotal: z.string(), vatRate: z.string(), vatAmount: z.string(), total: z.string() }).nullable(),
    warnings: z.array(z.unknown()),
    errors: z.array(z.unknown()),
    preview: z.unknown().openapi({ description: 'The preview (billing/types.ts InvoicePreview): lines, issue details, hours, totals, findings, sourceFingerprint' }),
    pdfs: z.array(z.object({ version: z.number(), sha256: z.string(), sizeBytes: z.number(), templateVersion: z.string(), createdAt: z.string() })),
    externalReferences: z.array(
      z.object({ system: z.string(), purpose: z.string(), status: z.string(), externalId: z.string().nullable(), pdfVersion: z.number().nullable(), details: z.unknown(), updatedAt: z.string() }),
    ),
    pendingSignals: z
      .array(z.object({ id: z.string(), signal: z.string(), actor: z.string(), requestedAt: z.string(), attempts: z.number(), lastError: z.string().nullable() }))
      .openapi({ description: 'Signals accepted with `Prefer: respond-async` and not yet handed to the workflow, oldest first' }),
    startedAt: z.string(),
    closedAt: z.string().nullable(),
  })
  .openapi('Invoice')

const LineIdSchema = z.string().min(1).max(200)
const DecimalSchema = z.string().regex(/^\d{1,14}(\.\d{1,4})?$/, 'must be a non-negative decimal string with at most 4 decimals')

export const PreviewEditsSchema = z
  .strictObject({
    dropLineIds: z.array(LineIdSchema).max(500).optional(),
    order: z.array(LineIdSchema).max(500).optional(),
    descriptions: z.array(z.strictObject({ lineId: LineIdSchema, description: z.string().trim().min(1).max(1000) })).max(500).optional(),
    addLines: z
      .array(
        z.strictObject({
          description: z.string().trim().min(1).max(1000),
          quantity: DecimalSchema,
          unit: z.enum(['hour', 'month', 'item']),
          rate: DecimalSchema,
          reason: ReasonSchema,
          category: z.string().trim().min(1).max(100).nullable().optional(),
        }),
      )
      .max(100)
      .optional(),
  })
  .openapi('PreviewEdits')

export const ConfirmBodySchema = z
  .strictObject({
    fingerprint: z.string().min(1).max(500).openapi({ description: 'preview.sourceFingerprint of the preview the user looked at' }),
    edits: PreviewEditsSchema.optional(),
  })
  .openapi('ConfirmInvoice')

export const ReasonBodySchema = z.strictObject({ reason: ReasonSchema }).openapi('Reason')

export const SignalOutcomeSchema = z
  .object({
    id: z.string(),
    runId: z.string(),
    signal: z.string(),
    outcome: z.enum(['applied', 'sent', 'queued']).openapi({
      description:
        '`applied`: the state moved on within the wait; `sent`: delivered, no visible reaction yet; `queued` (with `Prefer: respond-async`): stored and being handed to the workflow, see `pendingSignals` on the invoice',
    }),
    previousState: StateSchema,
    state: StateSchema,
    signalRequestId: z.string().optional().openapi({ description: 'With `queued`: the id of the stored signal request' }),
  })
  .openapi('SignalOutcome')

export const PdfQuerySchema = z.strictObject({ version: z.coerce.number().int().min(1).max(100_000).optional() })

export const EventsQuerySchema = z.strictObject({
  limit: LimitSchema,
  cursor: z.string().regex(/^\d{1,18}$/, 'must be the nextCursor of the previous page').optional(),
})

export const EventPageSchema = z
  .object({
    items: z.array(z.object({ id: z.string(), runId: z.string(), invoiceId: z.string().nullable(), type: z.string(), actor: z.string(), payload: z.unknown(), at: z.string() })),
    nextCursor: z.string().nullable(),
  })
  .openapi('InvoiceEventPage')
