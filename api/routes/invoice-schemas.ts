import { z } from '@hono/zod-openapi'
import { FingerprintSchema, PdfVersionSchema, PreviewEditsSchema as ActionEditsSchema } from '../../workflows/invoice-actions.js'
import { INVOICE_ACTIONS } from '../../workflows/invoice-actions.js'
import { INVOICE_STATES } from '../../workflows/invoice-contract.js'
import { CustomerIdSchema, DealIdSchema, LimitSchema, orNull, PeriodSchema, ReadModelCursorSchema, ReasonSchema } from '../../operations/schemas.js'

/** Request and response schemas of /invoices: they validate and they are the OpenAPI document. */

export const StateSchema = z.enum(INVOICE_STATES).openapi({ example: 'awaiting_confirmation' })

export const StartInvoiceBodySchema = z
  .strictObject({ dealId: DealIdSchema, period: PeriodSchema })
  .openapi('StartInvoice')

export const StartedInvoiceSchema = z
  .object({
    id: z.string().openapi({ example: 'invoice:APP-1001:2026-10' }),
    runId: z.string(),
    state: StateSchema.openapi({ description: '`prefilling` when the prefill had not ended within the wait (202)' }),
    customerId: z.string().nullable(),
    href: z.string(),
    preview: z.unknown().optional().openapi({ description: 'With `Prefer: wait=N`: the preview, when the prefill ended within the wait' }),
  })
  .openapi('StartedInvoice')

export const NextActorSchema = z.enum(['accountant', 'approver', 'operator', 'finance'])

export const ListInvoicesQuerySchema = z.strictObject({
  state: StateSchema.optional(),
  customerId: CustomerIdSchema.optional(),
  dealId: DealIdSchema.optional(),
  period: PeriodSchema.optional(),
  number: z
    .string()
    .min(1)
    .max(64)
    .regex(/^[^'"\\\s\u0000-\u001f\u007f]+$/, 'must not contain quotes, backslashes, spaces or control characters')
    .optional()
    .openapi({ example: 'INV-2026-00001' }),
  nextActor: NextActorSchema.optional().openapi({ description: 'Who must act next: the "waiting for me" views' }),
  limit: LimitSchema,
  cursor: ReadModelCursorSchema.optional(),
})

export const GetInvoiceQuerySchema = z.strictObject({
  live: z.enum(['true', 'false']).optional().openapi({ description: '`true`: the live workflow view (a query to the worker) instead of the read model' }),
})

export const InvoiceSummarySchema = z
  .object({
    id: z.string(),
    runId: z.string(),
    workflowStatus: z.string().openapi({ example: 'RUNNING' }),
    state: z.string(),
    dealId: z.string(),
    customerId: z.string().nullable(),
    period: z.string(),
    number: z.string().nullable(),
    currency: z.string().nullable(),
    total: z.string().nullable(),
    nextActor: z.string().nullable(),
    startedAt: z.string(),
    closedAt: z.string().nullable(),
  })
  .openapi('InvoiceSummary')

export const InvoicePageSchema = z.object({ items: z.array(InvoiceSummarySchema), nextCursor: z.string().nullable() }).openapi('InvoicePage')

const AttentionSchema = z.object({ step: z.string(), reason: z.string(), since: z.string() }).openapi('Attention')

export const InvoiceSchema = z
  .object({
    id: z.string().openapi({ description: 'The workflow id' }),
    runId: z.string(),
    workflowId: z.string(),
    workflowStatus: z.string(),
    source: z.enum(['workflow', 'database']).openapi({ description: '`database`: the read model in PostgreSQL (default); `workflow`: the live view (`?live=true`)' }),
    notice: z.string().nullable(),
    state: StateSchema,
    nextActor: z.string().nullable(),
    allowedActions: z.array(z.string()),
    dealId: z.string(),
    customerId: z.string().nullable(),
    period: z.string(),
    invoiceId: z.string().nullable(),
    invoiceNumber: z.string().nullable(),
    pdfVersion: z.number().nullable(),
    startedBy: z.string(),
    confirmedBy: z.string().nullable(),
    approvedBy: z.string().nullable(),
    attention: orNull(AttentionSchema),
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
    payment: z
      .object({ status: z.string(), dueDate: z.string().nullable(), total: z.string(), credited: z.string(), paid: z.string(), due: z.string(), remindersSent: z.array(z.number()), checkedAt: z.string(), planfactProblem: z.string().nullable() })
      .nullable()
      .optional()
      .openapi({ description: 'Once delivered: the payment check as the workflow last saw it' }),
    balance: z.object({ total: z.string(), credited: z.string(), paid: z.string(), due: z.string() }).nullable().openapi({ description: 'Once numbered: total, approved credit notes, counted payments, what is still due' }),
    creditNotes: z.array(z.unknown()).openapi({ description: 'Its credit notes (CreditNoteSummary), oldest first' }),
    payments: z.array(z.unknown()).openapi({ description: 'Its payments (Payment), oldest first' }),
    voidedAt: z.string().nullable(),
    stepsInFlight: z
      .array(z.object({ activity: z.string(), attempt: z.number(), lastFailure: z.string().nullable(), lastStartedAt: z.string().nullable(), nextAttemptAt: z.string().nullable() }))
      .openapi({ description: 'While it prefills, finalizes or dispatches: the activities at work (Temporal), with their attempt, last failure and next attempt; empty otherwise or when Temporal does not answer in time' }),
    startedAt: z.string(),
    closedAt: z.string().nullable(),
  })
  .openapi('Invoice')

export const PreviewEditsSchema = ActionEditsSchema.openapi('PreviewEdits')

export const ConfirmBodySchema = z
  .strictObject({
    fingerprint: FingerprintSchema.openapi({ description: 'preview.sourceFingerprint of the preview the user looked at' }),
    edits: PreviewEditsSchema.optional(),
  })
  .openapi('ConfirmInvoice')

export const ReasonBodySchema = z.strictObject({ reason: ReasonSchema }).openapi('Reason')

const OpenedPdfSchema = PdfVersionSchema.openapi({ description: 'The PDF version the approver opened (`pdfVersion` of the invoice); another one is refused STALE_PDF', example: 1 })
export const ApproveBodySchema = z.strictObject({ pdfVersion: OpenedPdfSchema }).openapi('ApproveInvoice')
export const RejectBodySchema = z.strictObject({ pdfVersion: OpenedPdfSchema, reason: ReasonSchema }).openapi('RejectInvoice')

export const ActionOutcomeSchema = z
  .object({
    id: z.string(),
    updateId: z.string().openapi({ description: 'The action id (Temporal Update id); derived from `Idempotency-Key` when one is sent' }),
    runId: z.string().nullable().optional().openapi({ description: 'The workflow run that took the action' }),
    action: z.enum(INVOICE_ACTIONS as [string, ...string[]]).optional(),
    outcome: z.enum(['applied', 'accepted', 'sent']).openapi({
      description: '`applied` (200): the workflow acted, the fields say what changed; `accepted` (202): validated and accepted, the outcome was not known within the wait (read `Location`); `sent` (202): a run started before actions were Updates took it as a signal',
    }),
    previousState: StateSchema.optional(),
    state: StateSchema.nullable(),
    invoiceId: z.string().nullable().optional(),
    invoiceNumber: z.string().nullable().optional(),
    pdfVersion: z.number().nullable().optional(),
    fingerprint: z.string().nullable().optional().openapi({ description: "The current preview's fingerprint (after a refresh: the one to confirm)" }),
    total: z.string().nullable().optional(),
    currency: z.string().nullable().optional(),
    attention: orNull(AttentionSchema).optional(),
    payment: z.unknown().optional().openapi({ description: 'Once delivered: status, total, credited, paid, due (a recorded payment answers it)' }),
    creditNoteId: z.string().optional().openapi({ description: 'Credit note actions: the credit note acted on' }),
    creditNoteNumber: z.string().nullable().optional(),
    creditNoteState: z.string().optional(),
  })
  .openapi('ActionOutcome')

/** A Temporal run id (a UUID): anything else made Temporal refuse the poll, a 500. */
export const ActionQuerySchema = z.strictObject({
  runId: z
    .string()
    .regex(/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/, 'must be a run id this API returned (a UUID)')
    .optional(),
})

export const ActionParamsSchema = z.strictObject({
  id: z.string().min(1).max(200).openapi({ param: { name: 'id', in: 'path' }, example: 'invoice:APP-1001:2026-10' }),
  updateId: z
    .string()
    .regex(/^[A-Za-z0-9._:-]{1,100}$/, 'must be an action id this API returned')
    .openapi({ param: { name: 'updateId', in: 'path' } }),
})

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
