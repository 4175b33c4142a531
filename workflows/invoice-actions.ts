import { z } from 'zod'

/**
 * The inputs of the invoice's actions, as one set of zod schemas shared by the API (which
 * validates request bodies with them) and the workflow (which validates every Update with them,
 * so an action sent straight to Temporal is refused the same way). Pure and deterministic: no
 * I/O, no clock. Limits follow the PostgreSQL columns the values end up in (docs/api.md).
 */

/**
 * Text PostgreSQL can store: no NUL (text and jsonb refuse it, SQLSTATE 22P05) and no lone
 * UTF-16 surrogate (not valid UTF-8, refused by jsonb).
 */
const UNSTORABLE_TEXT = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/

export function storableText(max: number) {
  return z
    .string()
    .max(max, `must be at most ${max} characters`)
    .refine((value) => !UNSTORABLE_TEXT.test(value), 'must not contain NUL characters or unpaired surrogates')
}

/** Who acts: the API's authenticated user, or `operator:<name>` from the CLI. */
export const ActorSchema = storableText(200).regex(/\S/, 'is required')

/** Why a person cancels, rejects or skips: recorded verbatim in the event history. */
export const ReasonSchema = storableText(2000).trim().min(1, 'is required')

/** Fits invoice_line_items.quantity, numeric(14,4): at most 10 digits before the point. */
export const QuantitySchema = z.string().regex(/^\d{1,10}(\.\d{1,4})?$/, 'must be a non-negative decimal string, at most 10 digits before the point and 4 after')
/** Fits invoice_line_items.rate, numeric(20,4): at most 16 digits before the point. */
export const RateSchema = z.string().regex(/^\d{1,16}(\.\d{1,4})?$/, 'must be a non-negative decimal string, at most 16 digits before the point and 4 after')

const LineIdSchema = storableText(200).min(1)
const DescriptionSchema = storableText(1000).trim().min(1, 'is required')

export const PreviewEditsSchema = z.strictObject({
  dropLineIds: z.array(LineIdSchema).max(500).optional(),
  order: z.array(LineIdSchema).max(500).optional(),
  descriptions: z.array(z.strictObject({ lineId: LineIdSchema, description: DescriptionSchema })).max(500).optional(),
  addLines: z
    .array(
      z.strictObject({
        description: DescriptionSchema,
        quantity: QuantitySchema,
        unit: z.enum(['hour', 'month', 'item']),
        rate: RateSchema,
        reason: ReasonSchema,
        category: storableText(100).trim().min(1).nullable().optional(),
      }),
    )
    .max(100)
    .optional(),
})

/** The preview's fingerprint the person looked at (preview.sourceFingerprint). */
export const FingerprintSchema = z.string().min(1).max(500)
/** The PDF version the approver opened (GET /invoices/{id}/pdf answers it). */
export const PdfVersionSchema = z.number().int().min(1).max(100_000)

/** Money a person types: positive, at most 2 decimals, fits numeric(20,2). */
export const MoneySchema = z.string().regex(/^\d{1,18}(\.\d{1,2})?$/, 'must be a positive decimal string with at most 2 decimals, e.g. "150.00"').refine((v) => Number(v) > 0, 'must be more than 0')
/** A calendar date YYYY-MM-DD. */
export const IsoDateSchema = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD')
  .refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) && new Date(`${d}T00:00:00Z`).toISOString().startsWith(d), 'is not a calendar date')

/** A payment recorded by hand (the bank statement shows it, PlanFact does not yet). */
export const ManualPaymentSchema = z.strictObject({
  amount: MoneySchema,
  // Not in the future (a day of leeway for time zones); the clock is the workflow's in a workflow.
  paidOn: IsoDateSchema.refine((d) => d >= '2000-01-01', 'must be in 2000 or later').refine((d) => d <= new Date(Date.now() + 86_400_000).toISOString().slice(0, 10), 'must not be in the future'),
  /** The bank's reference: the same reference twice is the same payment. */
  reference: storableText(200).trim().min(1).optional(),
  note: storableText(2000).optional(),
})

const actor = { actor: ActorSchema }

/** Each action's input, as the workflow's Update receives it. */
export const ACTION_INPUT_SCHEMAS = {
  refresh: z.strictObject(actor),
  confirm: z.strictObject({ ...actor, fingerprint: FingerprintSchema, edits: PreviewEditsSchema.optional() }),
  approve: z.strictObject({ ...actor, pdfVersion: PdfVersionSchema }),
  reject: z.strictObject({ ...actor, pdfVersion: PdfVersionSchema, reason: ReasonSchema }),
  cancel: z.strictObject({ ...actor, reason: ReasonSchema }),
  retry: z.strictObject(actor),
  skip: z.strictObject({ ...actor, reason: ReasonSchema }),
  /** `requestId` makes a retried request the same payment (the API's update id). */
  recordPayment: ManualPaymentSchema.extend({ ...actor, requestId: storableText(200).min(1) }),
} as const

export type InvoiceActionName = keyof typeof ACTION_INPUT_SCHEMAS
export const INVOICE_ACTIONS = Object.keys(ACTION_INPUT_SCHEMAS) as InvoiceActionName[]
export type ActionInput<A extends InvoiceActionName> = z.infer<(typeof ACTION_INPUT_SCHEMAS)[A]>
export type ConfirmInput = ActionInput<'confirm'>
export type PreviewEditsInput = z.infer<typeof PreviewEditsSchema>

/** `body.edits.addLines.0.rate: must be ...` for each problem, the API's field naming. */
export function describeIssues(error: z.ZodError, prefix: string): { field: string; problem: string }[] {
  return error.issues.map((issue) => ({ field: [prefix, ...issue.path.map(String)].filter(Boolean).join('.'), problem: issue.message }))
}

/** An action's input checked against its schema: the parsed value or the problems. */
export function parseActionInput<A extends InvoiceActionName>(action: A, input: unknown): { ok: true; value: ActionInput<A> } | { ok: false; issues: { field: string; problem: string }[] } {
  const parsed = ACTION_INPUT_SCHEMAS[action].safeParse(input)
  return parsed.success ? { ok: true, value: parsed.data as ActionInput<A> } : { ok: false, issues: describeIssues(parsed.error, 'input') }
}
