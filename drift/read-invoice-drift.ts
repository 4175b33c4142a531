import type { ClickHouseClient } from '@clickhouse/client'
import { z } from 'zod'
import { describeRoundingProblem, resolveRounding } from '../billing/worklog-minutes.js'
import { readLiveBilledWork } from '../db/read-live-billed-work.js'
import { readSettings, type AppSettings } from '../db/settings.js'
import type { Database } from '../lib/database.js'
import { ERROR_TYPES } from '../lib/error-types.js'
import { PermanentError } from '../lib/permanent-error.js'
import { readWorklogsById } from '../sources/read-worklogs-by-id.js'
import { compareBilledWork } from './compare-billed-work.js'
import { priceDrift } from './price-drift.js'
import type { InvoiceDrift } from './types.js'

export interface DriftDeps {
  db: Database
  clickhouse: ClickHouseClient
  /** Company time zone: work dates are taken in it, as the prefill takes them. */
  timeZone: string
}

/** The parts of the deal snapshot (invoices.deal) the comparison relies on. */
const dealSnapshotSchema = z.object({
  projectKeys: z.array(z.string()),
  tempoAccounts: z.array(z.string()),
  billNonBillable: z.boolean(),
  minBillableMinutes: z.number().int().nullable(),
  roundingIncrementMinutes: z.number().int().nullable(),
})

/**
 * Compares an invoice's live ledger rows with the worklogs as ClickHouse has them now: the deal
 * as it was when the invoice was confirmed (its snapshot), the rounding it bills with, the rates
 * of its lines. Reads only; a void invoice has no live rows and so no drift. `maxChanges` cuts
 * the list of worklogs (the totals still count them all), for answers that travel through
 * Temporal. Throws a PermanentError for an invoice that is unknown, not finalized, or finalized
 * before the ledger existed.
 */
export async function readInvoiceDrift(deps: DriftDeps, invoiceId: string, options: { settings?: AppSettings; maxChanges?: number } = {}): Promise<InvoiceDrift> {
  const invoice = await deps.db.invoice.findUnique({
    where: { id: invoiceId },
    select: {
      id: true,
      workflowId: true,
      number: true,
      dealId: true,
      period: true,
      periodFrom: true,
      periodTo: true,
      currency: true,
      deal: true,
      voidedAt: true,
      ledgerRecorded: true,
      lineItems: { select: { lineKey: true, kind: true, rate: true } },
    },
  })
  if (!invoice?.number) throw new PermanentError(ERROR_TYPES.invalidInput, `invoice ${invoiceId} is ${invoice ? 'not finalized' : 'unknown'}: it bills no worklogs to compare`)
  // Without ledger rows "no drift" would be a guess: its worklogs are unknown.
  if (!invoice.ledgerRecorded) throw new PermanentError(ERROR_TYPES.invalidInput, `invoice ${invoice.number} was finalized before the billed-work ledger existed: which worklogs it bills is not recorded, so drift cannot be checked`)
  const parsed = dealSnapshotSchema.safeParse(invoice.deal)
  if (!parsed.success) throw new PermanentError(ERROR_TYPES.invalidInput, `invoice ${invoice.number} has a deal snapshot without ${parsed.error.issues.map((i) => i.path.join('.')).join(', ')}`)
  const deal = parsed.data
  const settings = options.settings ?? (await readSettings(deps.db))
  const rounding = resolveRounding(deal, { minBillableMinutes: settings.minBillableMinutes, roundingIncrementMinutes: settings.roundingIncrementMinutes, defaultVatRate: settings.defaultVatRate, defaultCategory: settings.defaultCategory })
  const roundingProblem = describeRoundingProblem(rounding)
  if (roundingProblem !== null) throw new PermanentError(ERROR_TYPES.invalidSettings, `invoice ${invoice.number}: ${roundingProblem}`)

  const checkedAt = new Date().toISOString()
  const billed = await readLiveBilledWork(deps.db, invoice.id)
  const current = await readWorklogsById(deps.clickhouse, billed.map((row) => row.worklogId), deps.timeZone)
  const period = { from: toDate(invoice.periodFrom), to: toDate(invoice.periodTo) }
  const comparisons = compareBilledWork(billed, current, { deal, period, rounding })
  const billedMinutesByLine = new Map<string, number>()
  for (const row of billed) billedMinutesByLine.set(row.lineKey, (billedMinutesByLine.get(row.lineKey) ?? 0) + row.billableMinutes)
  const priced = priceDrift({
    comparisons,
    billedMinutesByLine,
    lines: invoice.lineItems.map((line) => ({ lineKey: line.lineKey, kind: line.kind, rate: line.rate.toString() })),
    currency: invoice.currency,
  })
  const max = options.maxChanges ?? Number.POSITIVE_INFINITY
  return {
    invoiceId: invoice.id,
    id: invoice.workflowId,
    number: invoice.number,
    dealId: invoice.dealId,
    period: invoice.period,
    currency: invoice.currency,
    voided: invoice.voidedAt !== null,
    worklogsChecked: billed.length,
    totals: priced.totals,
    checkedAt,
    lines: priced.lines,
    changes: priced.changes.slice(0, max),
    truncated: priced.changes.length > max,
  }
}

function toDate(value: Date): string {
  return value.toISOString().slice(0, 10)
}
