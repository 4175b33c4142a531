import { proxyActivitiesByConcern } from './proxy-activities-by-concern.js'
import { log, uuid4 } from '@temporalio/workflow'
import type { DriftActivities } from '../activities/drift.js'
import type { DriftReportSummary, InvoiceDrift } from '../drift/types.js'
import { MAX_DRIFT_CHANGES, type DriftReportInput, type InvoiceDriftInput } from './drift-contract.js'
import { RETRY_POLICY } from './retry-policy.js'

/** One invoice: a few PostgreSQL reads and one ClickHouse query per 10 000 worklogs. */
const checking = proxyActivitiesByConcern<DriftActivities>({ startToCloseTimeout: '5m', retry: RETRY_POLICY })

/** Every live invoice of the last months: as long as it takes, a heartbeat after each invoice. */
const reporting = proxyActivitiesByConcern<DriftActivities>({ startToCloseTimeout: '2h', heartbeatTimeout: '2m', retry: RETRY_POLICY })

/**
 * An invoice's drift on request (GET /invoices/{id}/drift): the worker holds the ClickHouse
 * connection (the embedded engine lives in its process), so the API asks through this workflow.
 */
export async function invoiceDriftWorkflow(input: InvoiceDriftInput): Promise<InvoiceDrift> {
  return checking.checkInvoiceDrift({ invoiceId: input.invoiceId, maxChanges: MAX_DRIFT_CHANGES })
}

/**
 * The drift report (nightly from the Schedule, or run by an operator): checks every live
 * invoice of the last `driftCheckMonths` months and stores one report. The report id is made
 * here, so a retried activity writes it once.
 */
export async function driftReportWorkflow(input: DriftReportInput): Promise<DriftReportSummary> {
  const report = await reporting.writeDriftReport({ reportId: uuid4(), requestedBy: input.requestedBy })
  log.info('drift report done', { reportId: report.id, invoicesChecked: report.invoicesChecked, invoicesWithDrift: report.invoicesWithDrift })
  return report
}
