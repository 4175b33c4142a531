import { z } from '@hono/zod-openapi'
import { DRIFT_KINDS } from '../../drift/types.js'
import { LimitSchema } from '../schemas.js'

/** Response schemas of drift (GET /invoices/{id}/drift, /drift-reports): the OpenAPI document. */

const Money = z.string().openapi({ example: '-22.50', description: 'Decimal string in the invoice currency, rounded to its minor unit' })
const Rate = z.string().nullable().openapi({ example: '45.00', description: "The line's hourly rate; null for a fee line (its amount does not depend on the hours)" })

const DriftKindSchema = z.enum(DRIFT_KINDS).openapi({
  description:
    '`duration`: billable minutes differ under the deal rounding; `issue`: another issue (id or key); `billable`: no longer billable on a deal that bills billable work only; `work_date`: moved out of the period it was billed for; `out_of_deal`: project and account no longer the deal\'s; `deleted`: gone from the sources',
})

const TotalsSchema = z
  .object({
    worklogs: z.number().openapi({ description: 'Billed worklogs that changed' }),
    byKind: z.record(z.string(), z.number()).openapi({ example: { duration: 1, deleted: 1 } }),
    minutesDelta: z.number(),
    amountDelta: Money.openapi({ description: 'Sum of the lines\' amountDelta' }),
  })
  .openapi('DriftTotals')

const WorklogDriftSchema = z
  .object({
    worklogId: z.string(),
    kinds: z.array(DriftKindSchema),
    lineKey: z.string().openapi({ description: 'The invoice line it was billed on' }),
    billed: z.object({ version: z.string(), issueId: z.string(), issueKey: z.string(), workDate: z.string(), rawSeconds: z.number(), billableMinutes: z.number() }),
    current: z
      .object({
        version: z.string(),
        issueId: z.string(),
        issueKey: z.string(),
        projectKey: z.string(),
        accountKey: z.string(),
        workDate: z.string(),
        timeSpentSeconds: z.number(),
        billableSeconds: z.number(),
        billableMinutes: z.number().openapi({ description: 'What it would bill on this invoice now (0 when it no longer counts here)' }),
      })
      .nullable()
      .openapi({ description: 'Null when deleted' }),
    minutesDelta: z.number(),
    rate: Rate,
    amountDelta: Money.nullable().openapi({ description: 'round(minutesDelta x rate / 60); null with the rate' }),
  })
  .openapi('WorklogDrift')

const LineDriftSchema = z
  .object({
    lineKey: z.string(),
    kind: z.string().nullable(),
    rate: Rate,
    billedMinutes: z.number(),
    minutesDelta: z.number(),
    worklogs: z.number(),
    amountDelta: Money.nullable().openapi({ description: "Change of the line's amount: round((billed + delta) x rate / 60) - round(billed x rate / 60), before caps" }),
  })
  .openapi('LineDrift')

const InvoiceDriftSummaryShape = {
  invoiceId: z.string().openapi({ description: 'The invoice row id (uuid)' }),
  id: z.string().openapi({ description: 'The invoice id (its workflow id)', example: 'invoice:APP-1001:2026-10' }),
  number: z.string(),
  dealId: z.string(),
  period: z.string(),
  currency: z.string(),
  voided: z.boolean().openapi({ description: 'A void invoice bills nothing any more: no drift' }),
  worklogsChecked: z.number(),
  totals: TotalsSchema,
}

export const InvoiceDriftSchema = z
  .object({
    ...InvoiceDriftSummaryShape,
    checkedAt: z.string(),
    lines: z.array(LineDriftSchema),
    changes: z.array(WorklogDriftSchema),
    truncated: z.boolean().openapi({ description: 'True when `changes` was cut to its maximum (2 000); totals and lines count every change, the drift report stores them all' }),
  })
  .openapi('InvoiceDrift')

const CurrencyTotalSchema = z
  .object({ currency: z.string(), invoices: z.number(), worklogs: z.number(), minutesDelta: z.number(), amountDelta: Money })
  .openapi('DriftCurrencyTotal')

const ReportSummaryShape = {
  id: z.string(),
  createdAt: z.string(),
  requestedBy: z.string().openapi({ example: 'schedule' }),
  months: z.number().openapi({ description: 'driftCheckMonths when it ran' }),
  periodEndFrom: z.string().openapi({ description: "Invoices whose period's last day is on or after this date were checked", example: '2026-09-02' }),
  invoicesChecked: z.number(),
  invoicesWithDrift: z.number(),
  worklogsChecked: z.number(),
  totals: z.array(CurrencyTotalSchema),
  problems: z.array(z.object({ invoiceId: z.string(), number: z.string().nullable(), message: z.string() })).openapi({ description: 'Invoices that could not be checked' }),
  href: z.string(),
}

export const DriftReportSummarySchema = z.object(ReportSummaryShape).openapi('DriftReportSummary')

export const DriftReportPageSchema = z.object({ items: z.array(DriftReportSummarySchema) }).openapi('DriftReportPage')

export const DriftReportSchema = z
  .object({
    ...ReportSummaryShape,
    invoices: z.array(z.object({ ...InvoiceDriftSummaryShape, lines: z.array(LineDriftSchema), changes: z.array(WorklogDriftSchema) })),
  })
  .openapi('DriftReport')

export const ListDriftReportsQuerySchema = z.strictObject({ limit: LimitSchema })
