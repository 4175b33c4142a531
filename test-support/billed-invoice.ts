import { randomUUID } from 'node:crypto'
import { buildPreview } from '../billing/build-preview.js'
import { buildMonthPeriod } from '../billing/period.js'
import { summarizeWorklogs } from '../billing/summarize-worklogs.js'
import { makeCustomer, makeWorklog } from '../billing/test-builders.js'
import type { InvoicePreview } from '../billing/types.js'
import { computeBillableMinutes, computeRawSeconds, resolveRounding } from '../billing/worklog-minutes.js'
import { finalizeInvoice } from '../db/finalize-invoice.js'
import { readSettings } from '../db/settings.js'
import type { Database } from '../lib/database.js'
import type { SourceDeal } from '../sources/types.js'
import { testIssueId, type TestWorklog } from './source-rows.js'

/**
 * Test support for drift: worklogs written to an embedded ClickHouse version by version, and a
 * finalized invoice of them with its billed-work ledger, without running a workflow.
 */

export { syncWorklogs as syncWorklogVersions, type TestWorklog as WorklogFixture } from './source-rows.js'

export interface BilledInvoice {
  invoiceId: string
  workflowId: string
  number: string
  preview: InvoicePreview
}

/**
 * Finalizes an invoice of `deal` for `month` billing `worklogs` (all billable, on the deal's time
 * line at its hourly rate), with a ledger row per worklog at the given `versions`, as the
 * workflow's finalization writes them.
 */
export async function createBilledInvoice(
  db: Database,
  options: { deal: SourceDeal; month: string; worklogs: readonly TestWorklog[]; versions: ReadonlyMap<number, number>; timeZone: string },
): Promise<BilledInvoice> {
  const { deal, timeZone } = options
  const settings = await readSettings(db)
  const billing = { minBillableMinutes: settings.minBillableMinutes, roundingIncrementMinutes: settings.roundingIncrementMinutes, defaultVatRate: settings.defaultVatRate, defaultCategory: settings.defaultCategory }
  const rounding = resolveRounding(deal, billing)
  const sourceWorklogs = options.worklogs.map((w) =>
    makeWorklog({
      worklogId: String(w.id),
      issueId: String(testIssueId(w.issue)),
      issueKey: `${w.projectKey}-${w.issue ?? 1}`,
      projectKey: w.projectKey,
      accountKey: w.accountKey ?? '',
      startedAt: w.startedAt,
      workDate: new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(w.startedAt)),
      timeSpentSeconds: w.seconds,
      billableSeconds: w.billable === false ? 0 : w.seconds,
      version: String(options.versions.get(w.id)),
    }),
  )
  const customer = makeCustomer({ customerId: deal.customerId })
  const preview = buildPreview({
    deal,
    customer,
    issues: [],
    entries: summarizeWorklogs(sourceWorklogs, rounding),
    period: buildMonthPeriod(options.month),
    rateRules: [],
    categoryRules: [],
    settings: billing,
    sourceFingerprint: 'sha256:drift-test',
  })
  const timeLine = preview.lines.find((line) => line.kind === 'time')
  if (!timeLine) throw new Error(`the test invoice has no time line: ${JSON.stringify(preview.errors)}`)
  const invoiceId = randomUUID()
  const runId = randomUUID()
  const workflowId = `invoice:${deal.dealId}:${options.month}`
  const finalized = await finalizeInvoice(db, {
    invoiceId,
    workflowId,
    workflowRunId: runId,
    preview,
    buyer: customer,
    deal,
    seller: settings.seller,
    numberPrefix: 'DRIFT-',
    confirmedBy: 'alice',
    confirmedAt: new Date().toISOString(),
    timeZone,
    eventKey: `${runId}:finalized:1`,
    billedWork: sourceWorklogs.map((w) => {
      const raw = computeRawSeconds(w)
      return { worklogId: w.worklogId, version: w.version, issueId: w.issueId, issueKey: w.issueKey, workDate: w.workDate, rawSeconds: raw, billableMinutes: computeBillableMinutes(raw, rounding), lineKey: timeLine.lineId }
    }),
  })
  return { invoiceId, workflowId, number: finalized.number, preview }
}

/** YYYY-MM of the month before `now` (UTC): a period that ended within the report's months. */
export function previousMonth(now = new Date()): string {
  const date = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1))
  return date.toISOString().slice(0, 7)
}
