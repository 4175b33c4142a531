import type { DriftReport as DriftReportRow } from '../generated/prisma/client.js'
import type { DriftCurrencyTotal, DriftProblem, DriftReport, DriftReportSummary, InvoiceDrift, InvoiceDriftSummary, LineDrift, WorklogDrift } from '../drift/types.js'
import type { Database } from '../lib/database.js'

/** A report to store: the summary and each invoice with drift, in full. */
export interface NewDriftReport extends Omit<DriftReportSummary, 'createdAt'> {
  invoices: InvoiceDrift[]
}

type StoredChanges = Record<string, { lines: LineDrift[]; changes: WorklogDrift[] }>

const SUMMARY_COLUMNS = {
  id: true,
  createdAt: true,
  requestedBy: true,
  months: true,
  periodEndFrom: true,
  invoicesChecked: true,
  invoicesWithDrift: true,
  worklogsChecked: true,
  totals: true,
  problems: true,
} as const

/**
 * Writes a report once: the id comes from the workflow, so a retried activity finds its first
 * attempt's row instead of adding a second one. The invoices' summaries and their worklogs go
 * to separate columns, so lists and billing runs never read the worklogs.
 */
export async function insertDriftReport(db: Database, report: NewDriftReport): Promise<DriftReportSummary> {
  const changes: StoredChanges = Object.fromEntries(report.invoices.map((invoice) => [invoice.invoiceId, { lines: invoice.lines, changes: invoice.changes }]))
  await db.driftReport.createMany({
    data: [
      {
        id: report.id,
        requestedBy: report.requestedBy,
        months: report.months,
        periodEndFrom: new Date(`${report.periodEndFrom}T00:00:00Z`),
        invoicesChecked: report.invoicesChecked,
        invoicesWithDrift: report.invoicesWithDrift,
        worklogsChecked: report.worklogsChecked,
        invoices: report.invoices.map(summarize) as object[],
        changes: changes as object,
        totals: report.totals as object[],
        problems: report.problems as object[],
      },
    ],
    skipDuplicates: true,
  })
  const stored = await db.driftReport.findUniqueOrThrow({ where: { id: report.id }, select: SUMMARY_COLUMNS })
  return toSummary(stored)
}

/** The latest reports first, without their invoices. */
export async function listDriftReports(db: Database, limit: number): Promise<DriftReportSummary[]> {
  const rows = await db.driftReport.findMany({ select: SUMMARY_COLUMNS, orderBy: { createdAt: 'desc' }, take: limit })
  return rows.map(toSummary)
}

/** One report with every invoice that drifted, its lines and worklogs; null for an unknown id. */
export async function findDriftReport(db: Database, id: string): Promise<DriftReport | null> {
  const row = await db.driftReport.findUnique({ where: { id } })
  if (!row) return null
  const changes = row.changes as unknown as StoredChanges
  const invoices = (row.invoices as unknown as InvoiceDriftSummary[]).map((invoice) => ({ ...invoice, lines: changes[invoice.invoiceId]?.lines ?? [], changes: changes[invoice.invoiceId]?.changes ?? [] }))
  return { ...toSummary(row), invoices }
}

/** The latest report's invoices with drift (summaries only), or null before the first report. */
export async function readLatestDriftInvoices(db: Database): Promise<{ reportId: string; createdAt: string; invoices: InvoiceDriftSummary[] } | null> {
  const row = await db.driftReport.findFirst({ select: { id: true, createdAt: true, invoices: true }, orderBy: { createdAt: 'desc' } })
  if (!row) return null
  return { reportId: row.id, createdAt: row.createdAt.toISOString(), invoices: row.invoices as unknown as InvoiceDriftSummary[] }
}

function summarize(invoice: InvoiceDrift): InvoiceDriftSummary {
  const { invoiceId, id, number, dealId, period, currency, voided, worklogsChecked, totals } = invoice
  return { invoiceId, id, number, dealId, period, currency, voided, worklogsChecked, totals }
}

function toSummary(row: Pick<DriftReportRow, keyof typeof SUMMARY_COLUMNS>): DriftReportSummary {
  return {
    id: row.id,
    createdAt: row.createdAt.toISOString(),
    requestedBy: row.requestedBy,
    months: row.months,
    periodEndFrom: row.periodEndFrom.toISOString().slice(0, 10),
    invoicesChecked: row.invoicesChecked,
    invoicesWithDrift: row.invoicesWithDrift,
    worklogsChecked: row.worklogsChecked,
    totals: row.totals as unknown as DriftCurrencyTotal[],
    problems: row.problems as unknown as DriftProblem[],
  }
}
