import { Context } from '@temporalio/activity'
import type { ClickHouseClient } from '@clickhouse/client'
import { readInvoiceDrift } from '../drift/read-invoice-drift.js'
import { runDriftReport } from '../drift/run-drift-report.js'
import type { DriftReportSummary, InvoiceDrift } from '../drift/types.js'
import type { Database } from '../lib/database.js'
import { failPermanentErrors } from './to-activity-failure.js'

export interface CheckInvoiceDriftInput {
  /** The invoice row's id (uuid). */
  invoiceId: string
  /** At most this many worklogs in the answer (Temporal payloads are limited to a few MB). */
  maxChanges: number
}

export interface WriteDriftReportInput {
  reportId: string
  requestedBy: string
}

/** Drift: one invoice's billed worklogs against the sources now, and the report over all live invoices. */
export function createDriftActivities(deps: { db: Database; clickhouse: ClickHouseClient; timeZone: string }) {
  return {
    /** One invoice's drift (reads only). */
    async checkInvoiceDrift(input: CheckInvoiceDriftInput): Promise<InvoiceDrift> {
      return failPermanentErrors(async () => {
        const started = Date.now()
        const drift = await readInvoiceDrift(deps, input.invoiceId, { maxChanges: input.maxChanges })
        Context.current().log.info('drift checked', { invoiceId: input.invoiceId, number: drift.number, worklogs: drift.worklogsChecked, changed: drift.totals.worklogs, ms: Date.now() - started })
        return drift
      })
    },

    /**
     * Checks every live invoice of the last `driftCheckMonths` months and stores the report
     * (once per report id). Heartbeats after each invoice, so a worker that died is noticed
     * within the heartbeat timeout; a retry checks again from the start.
     */
    async writeDriftReport(input: WriteDriftReportInput): Promise<DriftReportSummary> {
      return failPermanentErrors(async () => {
        const context = Context.current()
        const started = Date.now()
        const report = await runDriftReport(deps, {
          ...input,
          now: new Date(),
          onProgress: (checked, of) => context.heartbeat({ checked, of }),
          onProblem: (problem) => context.log.warn('drift: invoice not checked', { ...problem }),
        })
        context.log.info('drift report written', {
          reportId: report.id,
          invoicesChecked: report.invoicesChecked,
          invoicesWithDrift: report.invoicesWithDrift,
          worklogsChecked: report.worklogsChecked,
          problems: report.problems.length,
          ms: Date.now() - started,
        })
        return report
      })
    },
  }
}

export type DriftActivities = ReturnType<typeof createDriftActivities>
