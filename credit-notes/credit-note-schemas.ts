import { z } from 'zod'
import { ActorSchema, FingerprintSchema, MoneySchema, PdfVersionSchema, ReasonSchema, storableText } from '../workflows/invoice-actions.js'

/**
 * The inputs of credit notes and payments, one set of zod schemas shared by the API (request
 * bodies) and the workflows (every Update), like workflows/invoice-actions.ts. Pure: no I/O.
 */

/** Hours of a line: fits numeric(14,4). */
export const HoursSchema = z.string().regex(/^\d{1,10}(\.\d{1,4})?$/, 'must be a positive decimal string of hours, at most 4 decimals')
const LineIdSchema = storableText(200).min(1, 'is required')
/** What Didox is told: an error in the invoice (a corrected ESF) or changed terms (an additional ESF). */
export const CorrectionSchema = z.enum(['error', 'terms'])

const CreditLineSchema = z
  .strictObject({ lineId: LineIdSchema, hours: HoursSchema.optional(), amount: MoneySchema.optional() })
  .refine((l) => l.hours === undefined || l.amount === undefined, { message: 'give hours or amount, not both', path: ['hours'] })

/** A partial credit note: whole lines, hours of lines, amounts of lines, or one amount (VAT included). */
export const PartialCreditNoteSchema = z
  .strictObject({
    reason: ReasonSchema,
    correction: CorrectionSchema.default('terms'),
    lines: z.array(CreditLineSchema).min(1, 'must name at least one line').max(500).optional(),
    amount: MoneySchema.optional(),
    /** The description of an amount credit's line (default "Price adjustment" in the invoice's language). */
    description: storableText(1000).trim().min(1).optional(),
  })
  .refine((b) => (b.lines === undefined) !== (b.amount === undefined), { message: 'give either lines or amount', path: ['lines'] })

/** A void: everything left of the invoice is credited and the invoice is marked void. */
export const VoidInvoiceSchema = z.strictObject({ reason: ReasonSchema, correction: CorrectionSchema.default('error') })

export type PartialCreditNoteBody = z.infer<typeof PartialCreditNoteSchema>
export type VoidInvoiceBody = z.infer<typeof VoidInvoiceSchema>
export type CreditNoteRequest = ({ kind: 'partial' } & PartialCreditNoteBody) | ({ kind: 'void' } & VoidInvoiceBody)

const actor = { actor: ActorSchema }

/** Each credit note action's input, as its workflow's Update receives it. */
export const CREDIT_NOTE_ACTION_SCHEMAS = {
  confirm: z.strictObject({ ...actor, fingerprint: FingerprintSchema }),
  approve: z.strictObject({ ...actor, pdfVersion: PdfVersionSchema }),
  reject: z.strictObject({ ...actor, pdfVersion: PdfVersionSchema, reason: ReasonSchema }),
  cancel: z.strictObject({ ...actor, reason: ReasonSchema }),
  retry: z.strictObject(actor),
  skip: z.strictObject({ ...actor, reason: ReasonSchema }),
} as const
export type CreditNoteActionName = keyof typeof CREDIT_NOTE_ACTION_SCHEMAS
export const CREDIT_NOTE_ACTIONS = Object.keys(CREDIT_NOTE_ACTION_SCHEMAS) as CreditNoteActionName[]
export type CreditNoteActionInput<A extends CreditNoteActionName> = z.infer<(typeof CREDIT_NOTE_ACTION_SCHEMAS)[A]>
