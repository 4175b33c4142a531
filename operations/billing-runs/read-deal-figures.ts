import { LATE_LINE_PREFIX } from '../../billing/build-late-work-lines.js'
import { FALLBACK_MINOR_UNIT, formatMoney, getMinorUnit } from '../../billing/currency.js'
import { Dec } from '../../billing/decimal.js'
import { WARNING_CODES } from '../../billing/finding-codes.js'
import type { Finding } from '../../billing/types.js'
import { readLatestDriftInvoices } from '../../db/drift-reports.js'
import type { Database } from '../../lib/database.js'

/** Late work on the deal's invoice of the run: lines billing earlier periods, and their warnings. */
export interface DealLateWork {
  lines: number
  amount: string
  currency: string
  warnings: Finding[]
}

/** Drift of the deal's invoices in the latest drift report. */
export interface DealDrift {
  reportId: string
  reportedAt: string
  invoices: { id: string; number: string; period: string; currency: string; worklogs: number; amountDelta: string }[]
}

export interface DealFigures {
  /** Null until the invoice has a preview. */
  lateWork: DealLateWork | null
  /** Null before the first drift report. */
  drift: DealDrift | null
}

interface LateRow {
  workflowId: string
  currency: string | null
  amounts: string[] | null
  warnings: Finding[] | null
}

/**
 * Per deal of a billing run, from PostgreSQL only (two queries, whatever the number of deals):
 * the late work on its invoice (the latest run's preview; only its late lines and LATE_WORK
 * warnings leave the database) and the drift of the deal's invoices in the latest report (its
 * small summary column, never the worklogs).
 */
export async function readDealFigures(db: Database, deals: readonly { dealId: string; invoiceId: string }[]): Promise<Map<string, DealFigures>> {
  const out = new Map<string, DealFigures>()
  if (deals.length === 0) return out
  const [late, report] = await Promise.all([readLateWork(db, deals.map((deal) => deal.invoiceId)), readLatestDriftInvoices(db)])
  for (const deal of deals) {
    const drift: DealDrift | null = report && {
      reportId: report.reportId,
      reportedAt: report.createdAt,
      invoices: report.invoices
        .filter((invoice) => invoice.dealId === deal.dealId)
        .map((invoice) => ({ id: invoice.id, number: invoice.number, period: invoice.period, currency: invoice.currency, worklogs: invoice.totals.worklogs, amountDelta: invoice.totals.amountDelta })),
    }
    out.set(deal.dealId, { lateWork: late.get(deal.invoiceId) ?? null, drift })
  }
  return out
}

async function readLateWork(db: Database, workflowIds: readonly string[]): Promise<Map<string, DealLateWork>> {
  const rows = await db.$queryRaw<LateRow[]>`
    SELECT DISTINCT ON (r."workflow_id") r."workflow_id" AS "workflowId", r."preview"->>'currency' AS "currency",
           (SELECT array_agg(l->>'amount') FROM jsonb_array_elements(r."preview"->'lines') l WHERE starts_with(l->>'lineId', ${LATE_LINE_PREFIX})) AS "amounts",
           (SELECT jsonb_agg(w) FROM jsonb_array_elements(r."preview"->'warnings') w WHERE w->>'code' = ${WARNING_CODES.LATE_WORK}) AS "warnings"
      FROM "invoice_runs" r
     WHERE r."workflow_id" = ANY(${[...workflowIds]}::text[])
     ORDER BY r."workflow_id", r."started_at" DESC`
  const out = new Map<string, DealLateWork>()
  for (const row of rows) {
    // The latest run has no preview yet (prefilling): no late work to show.
    if (row.currency === null) continue
    const currency = row.currency
    const amounts = row.amounts ?? []
    const sum = amounts.reduce((acc, amount) => acc.plus(amount), new Dec(0))
    out.set(row.workflowId, { lines: amounts.length, amount: formatMoney(sum, getMinorUnit(currency) ?? FALLBACK_MINOR_UNIT), currency, warnings: row.warnings ?? [] })
  }
  return out
}
