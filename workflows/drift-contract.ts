/**
 * Drift's public contract (the API, the CLI and the worker's schedule import this module, never
 * the workflows): one invoice checked on request, and the report over all live invoices.
 */

/** Workflow types, started by name: the API never loads workflow code. */
export const INVOICE_DRIFT_WORKFLOW_TYPE = 'invoiceDriftWorkflow'
export const DRIFT_REPORT_WORKFLOW_TYPE = 'driftReportWorkflow'

/** The Temporal Schedule that starts the nightly report. */
export const DRIFT_REPORT_SCHEDULE_ID = 'drift-report-nightly'

/**
 * Worklogs in one invoice's answer: the answer travels as a Temporal payload (a few MB at most),
 * about 400 bytes a worklog. The totals and lines always count every change; the nightly report
 * stores them all.
 */
export const MAX_DRIFT_CHANGES = 2_000

export interface InvoiceDriftInput {
  /** The invoice row's id (uuid). */
  invoiceId: string
}

export interface DriftReportInput {
  /** `schedule`, or the operator who ran it. */
  requestedBy: string
}

/** Workflow id of an invoice's check: concurrent requests for one invoice share one run. */
export function invoiceDriftWorkflowId(invoiceId: string): string {
  return `drift-check:${invoiceId}`
}
