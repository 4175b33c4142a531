import { z } from '@hono/zod-openapi'
import { isIsoDate } from '../billing/period.js'
import { BILLING_PERIOD_PATTERN, parseBillingPeriod } from '../prefill/billing-period.js'
import { ReasonSchema as ActionReasonSchema, storableText } from '../workflows/invoice-actions.js'

/**
 * Field schemas several routes share. Ids are restricted to the characters real Jira and CDM
 * ids use: no ':' (it separates the parts of a workflow id), no quotes (they reach Temporal
 * visibility queries), no whitespace.
 */

export const ErrorSchema = z
  .object({
    code: z.string().openapi({ example: 'VALIDATION_FAILED' }),
    message: z.string().openapi({ example: 'body.period: month must be YYYY-MM, got "2026-13"' }),
    requestId: z.string(),
  })
  .catchall(z.unknown())
  .openapi('Error')

const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]*$/

/** A deal (CDM application) id such as APP-1001. */
export const DealIdSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(ID_PATTERN, 'must be letters, digits, ".", "_" or "-"')
  .openapi({ example: 'APP-1001' })

/** A CDM customer id such as CUST-UZ-01. */
export const CustomerIdSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(ID_PATTERN, 'must be letters, digits, ".", "_" or "-"')
  .openapi({ example: 'CUST-UZ-01' })

/**
 * A month `2026-10` or a range `2026-10-03..2026-10-17` (end exclusive), checked as dates by the
 * workflow's own parser; the document states the grammar as a pattern.
 */
export const PeriodSchema = z
  .string()
  .max(40)
  .superRefine((value, ctx) => {
    const parsed = value === value.trim() ? parseBillingPeriod(value) : { problem: 'must not start or end with spaces' }
    if ('problem' in parsed) ctx.addIssue({ code: 'custom', message: parsed.problem })
  })
  .openapi({
    example: '2026-10',
    pattern: BILLING_PERIOD_PATTERN.source,
    description: 'A month YYYY-MM, or a range YYYY-MM-DD..YYYY-MM-DD with the end exclusive; the dates must exist and `from` must be before `to`',
  })

/** A calendar date YYYY-MM-DD that exists. */
export const IsoDateSchema = z
  .string()
  .refine(isIsoDate, 'must be a date YYYY-MM-DD')
  .openapi({ example: '2026-10-01', format: 'date' })

/** Why a person cancels, rejects or skips: recorded verbatim in the event history. */
export const ReasonSchema = ActionReasonSchema.openapi({ example: 'the client asked for a new contract number' })

/** Free text stored as given (no HTML interpretation anywhere in the API). */
export const NoteSchema = storableText(2000).nullable()

/**
 * `schema` or null. `.nullable()` on a named schema makes the named component itself nullable in
 * the OpenAPI document (and every schema extending it), so the null goes beside the reference.
 */
export function orNull<T extends z.ZodType>(schema: T) {
  return z.union([schema, z.null()])
}

/** Page size for lists. */
export const LimitSchema = z.coerce.number().int().min(1).max(100).default(20).openapi({ example: 20 })

/** A page cursor of the read model (GET /invoices): base64url, opaque; pass `nextCursor` back as it is. */
export const ReadModelCursorSchema = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,4096}$/, 'must be the nextCursor of the previous page (base64url)')
  .openapi({ description: '`nextCursor` of the previous page, as it is (base64url: letters, digits, `-`, `_`); another is a 400 naming `query.cursor`' })

/** A cursor of a Temporal list: its page token in base64url, a dot, and 8 characters of the token's SHA-256. */
export const VISIBILITY_CURSOR_PATTERN = /^[A-Za-z0-9_-]{1,4000}\.[A-Za-z0-9_-]{8}$/

/** A page cursor of a Temporal visibility list (GET /billing-runs); checked before Temporal sees it. */
export const VisibilityCursorSchema = z
  .string()
  .regex(VISIBILITY_CURSOR_PATTERN, 'must be the nextCursor of the previous page')
  .openapi({ description: '`nextCursor` of the previous page, as it is (base64url, `.`, an 8-character checksum); another is a 400 naming `query.cursor`, answered without asking Temporal' })

/** A workflow id as the API returns it (`invoice:<dealId>:<period>`); URL-encode it in paths. */
export const InvoiceIdParamsSchema = z.strictObject({
  id: z
    .string()
    .min(1)
    .max(200)
    .openapi({ param: { name: 'id', in: 'path' }, example: 'invoice:APP-1001:2026-10', description: 'The invoice id (its workflow id), URL-encoded' }),
})

export const UuidParamsSchema = z.strictObject({
  id: z.uuid().openapi({ param: { name: 'id', in: 'path' }, example: '0b6f7c3e-2a4d-4a8e-9c1f-3d2e1b0a9f8e' }),
})

/** An empty JSON body for signals that carry nothing but the actor (taken from the token). */
export const EmptyBodySchema = z.strictObject({})
