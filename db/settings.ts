import { z } from 'zod'
import type { Database } from '../lib/database.js'
import { ERROR_TYPES } from '../lib/error-types.js'
import { PermanentError } from '../lib/permanent-error.js'

/**
 * App settings (table `settings`, one JSON value per key). The schema is the one source of
 * truth for keys, types and defaults; the first migration seeds the same defaults so admins
 * see them, and a key missing from the table falls back to its default here.
 */
const decimalPercent = z.string().regex(/^\d{1,3}(\.\d{1,2})?$/, 'must be a percentage like "12" or "12.5"')

export const sellerSchema = z.object({
  name: z.string().min(1),
  legalName: z.string().min(1),
  tin: z.string(),
  vatRegCode: z.string(),
  address: z.string(),
  bankName: z.string(),
  bankAccount: z.string(),
  mfo: z.string(),
  swift: z.string(),
  director: z.string(),
  accountant: z.string(),
  email: z.string(),
  phone: z.string(),
})

export const settingsSchema = z.object({
  invoiceNumberPrefix: z.string().max(20).default('INV-'),
  minBillableMinutes: z.number().int().min(0).max(1440).default(15),
  roundingIncrementMinutes: z.number().int().min(1).max(1440).default(15),
  defaultVatRate: decimalPercent.default('12'),
  defaultCategory: z.string().min(1).default('General'),
  makerChecker: z.boolean().default(true),
  /** At least 15 minutes: an approver reminded more often than that stops reading reminders. */
  approvalReminderHours: z.number().min(0.25, 'must be at least 0.25 (a reminder every 15 minutes)').max(24 * 365).default(48),
  defaultPaymentTermsDays: z.number().int().min(0).max(365).default(10),
  /** Months before the period in which a prefill looks for unbilled work of invoiced months; 0 turns late work off. */
  lateWorkLookbackMonths: z.number().int().min(0).max(24).default(3),
  /** Per-deal override of lateWorkLookbackMonths, by deal id. */
  lateWorkLookbackMonthsByDeal: z.record(z.string().min(1).max(64), z.number().int().min(0).max(24)).default({}),
  /** The nightly drift report checks the live invoices whose period ended within this many months. */
  driftCheckMonths: z.number().int().min(1).max(24).default(3),
  /** Credit notes are numbered in their own yearly series: CN-2026-00001. */
  creditNoteNumberPrefix: z.string().max(20).default('CN-'),
  /** Days after the due date on which an overdue invoice reminds its billing contacts, each once. */
  paymentReminderDays: z
    .array(z.number().int().min(1).max(365))
    .max(10)
    .refine((days) => new Set(days).size === days.length, 'must not repeat a day')
    .default([3, 10, 30]),
  /** How often a delivered invoice asks PlanFact whether it was paid. */
  paymentCheckHours: z.number().positive().max(24 * 31).default(6),
  seller: sellerSchema.default({
    name: 'Example Software LLC',
    legalName: '"Example Software" LLC',
    tin: '',
    vatRegCode: '',
    address: '',
    bankName: '',
    bankAccount: '',
    mfo: '',
    swift: '',
    director: '',
    accountant: '',
    email: '',
    phone: '',
  }),
})

export type AppSettings = z.infer<typeof settingsSchema>
export type Seller = z.infer<typeof sellerSchema>
export type SettingKey = keyof AppSettings
export const SETTING_KEYS = Object.keys(settingsSchema.shape) as SettingKey[]

/** Reads all settings, validated; unknown keys in the table are ignored. */
export async function readSettings(db: Database): Promise<AppSettings> {
  const rows = await db.setting.findMany({ where: { key: { in: SETTING_KEYS } } })
  const raw = Object.fromEntries(rows.map((r) => [r.key, r.value]))
  const parsed = settingsSchema.safeParse(raw)
  if (!parsed.success) {
    const problem = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')
    throw new PermanentError(ERROR_TYPES.invalidSettings, `settings in the database are invalid: ${problem}`)
  }
  return parsed.data
}
