import { FALLBACK_MINOR_UNIT, formatMoney, getMinorUnit } from '../billing/currency.js'
import { Dec } from '../billing/decimal.js'
import { insertDriftReport } from '../db/drift-reports.js'
import { dateInZone } from '../db/finalize-invoice.js'
import { readDriftCandidates } from '../db/read-drift-candidates.js'
import { readSettings } from '../db/settings.js'
import { PermanentError } from '../lib/permanent-error.js'
import { readInvoiceDrift, type DriftDeps } from './read-invoice-drift.js'
import type { DriftCurrencyTotal, DriftProblem, DriftReportSummary, InvoiceDrift } from './types.js'

export interface RunDriftReportInput {
  /** Chosen by the caller (the workflow), so a retry writes the same report once. */
  reportId: string
  requestedBy: string
  now: Date
  /** Called after each invoice: the activity heartbeats with it. */
  onProgress?: (checked: number, of: number) => void
  /** An invoice that cannot be checked is reported and skipped, not a failure of the report. */
  onProblem?: (problem: DriftProblem) => void
}

/**
 * Checks every live invoice whose period ended within the last `driftCheckMonths` months (in
 * the company time zone) and stores one report: the invoices with drift in full, totals per
 * currency. Changes nothing else.
 */
export async function runDriftReport(deps: DriftDeps, input: RunDriftReportInput): Promise<DriftReportSummary> {
  const settings = await readSettings(deps.db)
  const months = settings.driftCheckMonths
  const periodEndFrom = subtractMonths(dateInZone(input.now.toISOString(), deps.timeZone), months)
  const invoiceIds = await readDriftCandidates(deps.db, periodEndFrom)
  const drifted: InvoiceDrift[] = []
  const problems: DriftProblem[] = []
  let worklogsChecked = 0
  for (const [index, invoiceId] of invoiceIds.entries()) {
    try {
      const drift = await readInvoiceDrift(deps, invoiceId, { settings })
      worklogsChecked += drift.worklogsChecked
      if (drift.totals.worklogs > 0) drifted.push(drift)
    } catch (err) {
      if (!(err instanceof PermanentError)) throw err
      const problem = { invoiceId, number: await numberOf(deps, invoiceId), message: err.message }
      problems.push(problem)
      input.onProblem?.(problem)
    }
    input.onProgress?.(index + 1, invoiceIds.length)
  }
  return insertDriftReport(deps.db, {
    id: input.reportId,
    requestedBy: input.requestedBy,
    months,
    periodEndFrom,
    invoicesChecked: invoiceIds.length - problems.length,
    invoicesWithDrift: drifted.length,
    worklogsChecked,
    totals: sumByCurrency(drifted),
    problems,
    invoices: drifted,
  })
}

/** Totals per currency (amounts never mix currencies), in currency order. */
export function sumByCurrency(invoices: readonly InvoiceDrift[]): DriftCurrencyTotal[] {
  const byCurrency = new Map<string, { invoices: number; worklogs: number; minutesDelta: number; amount: Dec }>()
  for (const invoice of invoices) {
    const sum = byCurrency.get(invoice.currency) ?? { invoices: 0, worklogs: 0, minutesDelta: 0, amount: new Dec(0) }
    sum.invoices += 1
    sum.worklogs += invoice.totals.worklogs
    sum.minutesDelta += invoice.totals.minutesDelta
    sum.amount = sum.amount.plus(invoice.totals.amountDelta)
    byCurrency.set(invoice.currency, sum)
  }
  return [...byCurrency.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([currency, sum]) => ({
      currency,
      invoices: sum.invoices,
      worklogs: sum.worklogs,
      minutesDelta: sum.minutesDelta,
      amountDelta: formatMoney(sum.amount, getMinorUnit(currency) ?? FALLBACK_MINOR_UNIT),
    }))
}

/** The same day `months` months earlier (YYYY-MM-DD), the last day of that month when it has fewer days. */
export function subtractMonths(date: string, months: number): string {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number]
  const index = year * 12 + (month - 1) - months
  const y = Math.floor(index / 12)
  const m = (index % 12) + 1
  const lastDay = new Date(Date.UTC(y, m, 0)).getUTCDate()
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(Math.min(day, lastDay)).padStart(2, '0')}`
}

async function numberOf(deps: DriftDeps, invoiceId: string): Promise<string | null> {
  const row = await deps.db.invoice.findUnique({ where: { id: invoiceId }, select: { number: true } })
  return row?.number ?? null
}
