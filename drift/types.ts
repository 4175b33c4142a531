/**
 * Drift: what changed in the sources for the worklogs an invoice bills (docs/billing.md,
 * "Drift"). Pure types, shared by the comparison, the activities, the workflows and the API.
 */
import type { BilledWorkRow } from '../db/billed-work.js'

/** How a billed worklog changed. Stable names: reports store them. */
export const DRIFT_KINDS = ['duration', 'issue', 'billable', 'work_date', 'out_of_deal', 'deleted'] as const
export type DriftKind = (typeof DRIFT_KINDS)[number]

/** A worklog as the ledger billed it. */
export type BilledWorklog = BilledWorkRow

/** A worklog as the sources have it now. */
export interface CurrentWorklog {
  version: string
  issueId: string
  issueKey: string
  projectKey: string
  accountKey: string
  workDate: string
  timeSpentSeconds: number
  billableSeconds: number
  /** What it would bill on this invoice now: 0 when it no longer counts here. */
  billableMinutes: number
}

/** One billed worklog that changed, and what it would change on its line. */
export interface WorklogDrift {
  worklogId: string
  kinds: DriftKind[]
  lineKey: string
  billed: Omit<BilledWorklog, 'worklogId' | 'lineKey'>
  /** Null when the worklog is deleted. */
  current: CurrentWorklog | null
  minutesDelta: number
  /** The line's hourly rate; null for a line that is not priced by the hour (a fee). */
  rate: string | null
  /** round(minutesDelta x rate / 60); null with the rate. */
  amountDelta: string | null
}

/** One invoice line whose worklogs changed. */
export interface LineDrift {
  lineKey: string
  /** The line item's kind (time, overage, fee, ...), or null when the invoice has no such line. */
  kind: string | null
  rate: string | null
  /** Minutes the ledger bills on the line. */
  billedMinutes: number
  minutesDelta: number
  worklogs: number
  /**
   * What the line's amount would change: round((billed + delta) x rate / 60) - round(billed x
   * rate / 60), rounded once per line as the invoice is, before any cap. Null with the rate.
   */
  amountDelta: string | null
}

export interface DriftTotals {
  /** Billed worklogs that changed. */
  worklogs: number
  byKind: Record<DriftKind, number>
  minutesDelta: number
  /** Sum of the lines' amountDelta (the lines are what a correction would bill). */
  amountDelta: string
}

/** One invoice's drift without its worklogs: what reports list and billing runs show. */
export interface InvoiceDriftSummary {
  /** The invoice row's id (uuid). */
  invoiceId: string
  /** Its workflow id: the invoice's id in the API. */
  id: string
  number: string
  dealId: string
  period: string
  currency: string
  voided: boolean
  worklogsChecked: number
  totals: DriftTotals
}

/** One invoice's drift: its summary, the lines touched and every changed worklog. */
export interface InvoiceDrift extends InvoiceDriftSummary {
  checkedAt: string
  lines: LineDrift[]
  changes: WorklogDrift[]
  /** True when `changes` was cut to a maximum (the totals and lines still count every change). */
  truncated: boolean
}

/** Money per currency over a report. */
export interface DriftCurrencyTotal {
  currency: string
  invoices: number
  worklogs: number
  minutesDelta: number
  amountDelta: string
}

/** What a report run answers (the stored row has the rest). */
export interface DriftReportSummary {
  id: string
  createdAt: string
  requestedBy: string
  months: number
  /** Invoices whose period's last day is on or after this date were checked. */
  periodEndFrom: string
  invoicesChecked: number
  invoicesWithDrift: number
  worklogsChecked: number
  totals: DriftCurrencyTotal[]
  /** Invoices that could not be checked, and why (they are not counted in invoicesChecked). */
  problems: DriftProblem[]
}

export interface DriftProblem {
  invoiceId: string
  number: string | null
  message: string
}

/** A stored report: the summary, each invoice with drift, and its lines and worklogs. */
export interface DriftReport extends DriftReportSummary {
  invoices: (InvoiceDriftSummary & { lines: LineDrift[]; changes: WorklogDrift[] })[]
}
