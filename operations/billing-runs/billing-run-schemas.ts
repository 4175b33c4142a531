import { z } from '@hono/zod-openapi'
import { MAX_BILLING_RUN_CONCURRENCY } from '../../workflows/billing-run-contract.js'
import { DealIdSchema, LimitSchema, PeriodSchema, VisibilityCursorSchema } from '../schemas.js'
import { INVOICE_STATES } from '../../workflows/invoice-contract.js'

const StateSchema = z.enum(INVOICE_STATES)

/** Request and response schemas of /billing-runs: they validate and they are the OpenAPI document. */

export const StartBillingRunBodySchema = z
  .strictObject({
    period: PeriodSchema,
    dealIds: z
      .array(DealIdSchema)
      .min(1)
      .max(500)
      .refine((ids) => new Set(ids).size === ids.length, 'must not repeat a deal')
      .optional()
      .openapi({ description: 'Only these deals (each must be active); all active deals when absent', example: ['APP-1001', 'APP-1002'] }),
    concurrency: z
      .number()
      .int()
      .min(1)
      .max(MAX_BILLING_RUN_CONCURRENCY)
      .optional()
      .openapi({ description: 'How many invoices may be prefilling at once (default 4)', example: 4 }),
  })
  .openapi('StartBillingRun')

export const StartedBillingRunSchema = z
  .object({ id: z.string().openapi({ example: 'billing-run:2026-10' }), runId: z.string(), period: z.string().openapi({ example: '2026-10' }), href: z.string() })
  .openapi('StartedBillingRun')

export const BillingRunIdParamsSchema = z.strictObject({
  id: z
    .string()
    .min(1)
    .max(200)
    .openapi({ param: { name: 'id', in: 'path' }, example: 'billing-run:2026-10', description: 'The run id (its workflow id, URL-encoded), or its period (`2026-10`)' }),
})

export const ListBillingRunsQuerySchema = z.strictObject({
  period: PeriodSchema.optional(),
  limit: LimitSchema,
  cursor: VisibilityCursorSchema.optional(),
})

const BillingRunStatusSchema = z.string().openapi({ example: 'running', description: "Temporal's status of the run, lower case: running, completed, failed, terminated, cancelled, timed_out" })

export const BillingRunDealSchema = z
  .object({
    dealId: z.string(),
    invoiceId: z.string().openapi({ example: 'invoice:APP-1001:2026-10' }),
    start: z.enum(['pending', 'started', 'existing', 'failed']).openapi({ description: '`existing`: an invoice for the deal and period was already there' }),
    state: StateSchema.nullable().openapi({ description: "The invoice's state, read live from Temporal visibility" }),
    message: z.string().nullable(),
    lateWork: z
      .object({
        lines: z.number().openapi({ description: 'Preview lines billing work of earlier periods (lineId `earlier:...`)' }),
        amount: z.string().openapi({ example: '22.50' }),
        currency: z.string(),
        warnings: z.array(z.unknown()).openapi({ description: 'The LATE_WORK warnings of the preview' }),
      })
      .nullable()
      .openapi({ description: "Late work on the deal's invoice (its latest preview); null before it has one" }),
    drift: z
      .object({
        reportId: z.string(),
        reportedAt: z.string(),
        invoices: z.array(z.object({ id: z.string(), number: z.string(), period: z.string(), currency: z.string(), worklogs: z.number(), amountDelta: z.string() })),
      })
      .nullable()
      .openapi({ description: "The deal's invoices with drift in the latest drift report (empty: none); null before the first report" }),
  })
  .openapi('BillingRunDeal')

export const BillingRunCountsSchema = z
  .object({
    deals: z.number(),
    pending: z.number(),
    started: z.number(),
    existing: z.number(),
    failed: z.number(),
    byState: z.record(z.string(), z.number()).openapi({ description: 'Invoices per state', example: { awaiting_confirmation: 12 } }),
  })
  .openapi('BillingRunCounts')

export const BillingRunSchema = z
  .object({
    id: z.string().openapi({ description: 'The workflow id', example: 'billing-run:2026-10' }),
    runId: z.string(),
    status: BillingRunStatusSchema,
    period: z.string(),
    startedBy: z.string().nullable(),
    concurrency: z.number().nullable(),
    state: z
      .enum(['listing_deals', 'starting_invoices', 'done'])
      .nullable()
      .openapi({ description: '`done`: every invoice started and past prefilling; null when no worker answered' }),
    startedAt: z.string(),
    closedAt: z.string().nullable(),
    counts: BillingRunCountsSchema,
    deals: z.array(BillingRunDealSchema),
    notice: z.string().nullable().openapi({ description: 'Set when no worker answered: deals and progress are then unknown' }),
    failure: z.string().nullable().openapi({ description: 'Why the run ended other than completed' }),
    href: z.string(),
  })
  .openapi('BillingRun')

export const BillingRunSummarySchema = z
  .object({
    id: z.string(),
    runId: z.string(),
    status: BillingRunStatusSchema,
    period: z.string().nullable(),
    startedBy: z.string().nullable(),
    startedAt: z.string().nullable(),
    closedAt: z.string().nullable(),
    href: z.string(),
  })
  .openapi('BillingRunSummary')

export const BillingRunPageSchema = z.object({ items: z.array(BillingRunSummarySchema), nextCursor: z.string().nullable() }).openapi('BillingRunPage')
