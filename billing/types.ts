import type { DealType, LimitMode, SourceCustomer, SourceDeal, SourceIssue } from '../sources/types.js'

/**
 * Inputs and outputs of the billing core. Every decimal (money, rates, hours, percentages) is a
 * string; whole counts of seconds and minutes are numbers. Outputs are plain JSON data.
 */

/** Per-worklog rounding: every worklog bills at least `minBillableMinutes`, in steps of the increment. */
export interface RoundingSettings {
  minBillableMinutes: number
  roundingIncrementMinutes: number
}

/**
 * Worklogs aggregated by (issueId, issueKey, projectKey, accountKey, workDate, billable).
 * The ClickHouse reader computes these sums in SQL; `summarizeWorklogs` is the reference.
 */
export interface WorkEntry {
  issueId: string
  issueKey: string
  projectKey: string
  /** Tempo account key; '' when the worklogs have none. */
  accountKey: string
  /** YYYY-MM-DD in the company time zone. */
  workDate: string
  /** Tempo's flag: billableSeconds > 0. */
  billable: boolean
  /** Worklogs counted in the sums below (positive duration). */
  worklogCount: number
  /** Sum of the positive raw durations. */
  rawSeconds: number
  /** Sum over worklogs of the duration rounded up to the increment, minimum not applied. */
  roundedMinutes: number
  /** Sum over worklogs of the final billable minutes (minimum and increment applied). */
  billableMinutes: number
  /** Worklogs with a zero or negative duration, left out of the sums. */
  skippedCount: number
}

export type RateScope = 'deal+category' | 'deal' | 'customer+category' | 'customer' | 'category' | 'global'

/** An effective-dated hourly rate owned by this app. Null fields do not restrict the rule. */
export interface RateRule {
  id: string
  dealId: string | null
  customerId: string | null
  category: string | null
  /** Hourly rate, decimal string. */
  rate: string
  currency: string
  /** YYYY-MM-DD, inclusive. */
  validFrom: string
  /** YYYY-MM-DD, exclusive; null means open-ended. */
  validTo: string | null
}

/** Maps work to a billing category. Empty lists do not restrict; non-empty lists must all match. */
export interface CategoryRule {
  id: string
  position: number
  category: string
  issueTypes: string[]
  labels: string[]
  components: string[]
  tempoAccounts: string[]
  projectKeys: string[]
}

export interface BillingSettings {
  minBillableMinutes: number
  roundingIncrementMinutes: number
  /** Percent, e.g. "12"; "0" allowed. */
  defaultVatRate: string
  defaultCategory: string
}

/** [from, to) by work date, YYYY-MM-DD. */
export interface BillingPeriod {
  from: string
  to: string
}

export interface PrefillInput {
  deal: SourceDeal
  customer: SourceCustomer
  issues: SourceIssue[]
  entries: WorkEntry[]
  period: BillingPeriod
  rateRules: RateRule[]
  categoryRules: CategoryRule[]
  settings: BillingSettings
  /** Computed by the caller from the rows it read; passed through untouched. */
  sourceFingerprint: string
  /** Work of earlier, invoiced months that no live invoice bills (late work), per month. */
  lateWork?: LateWorkMonth[]
  /** The period's worklogs another live invoice bills, left out of `entries`. */
  billedElsewhere?: BilledElsewhereSummary
}

/** Late work of one earlier month (docs/billing.md, "Late work"). */
export interface LateWorkMonth {
  /** YYYY-MM */
  month: string
  entries: WorkEntry[]
  /** Billable minutes of that month the deal's live invoices already bill (for caps and included hours). */
  billedMinutes: number
}

/** Worklogs of the period left out because other live invoices bill them. */
export interface BilledElsewhereSummary {
  worklogs: number
  billableMinutes: number
  /** Numbers of the invoices that bill them, sorted. */
  invoices: string[]
}

export type LineKind = 'time' | 'fee' | 'overage' | 'cap' | 'manual'
export type LineUnit = 'hour' | 'month' | 'item'

export interface PreviewLine {
  /** Stable id derived from the content, e.g. "time:Development:rule-12". */
  lineId: string
  kind: LineKind
  /** Billing category for time lines and hours caps; null for lines spanning categories. */
  category: string | null
  description: string
  /** Decimal string; hours have 2 to 4 decimals. Negative only on cap lines. */
  quantity: string
  unit: LineUnit
  /** Decimal string, at least the currency's minor-unit decimals. */
  rate: string
  /** Decimal string rounded to the currency's minor unit. */
  amount: string
  /** How the figure was reached, for the accountant. */
  explanation: string
  /** The rate rule the rate came from; null when it came from the deal or a fee. */
  rateRuleId: string | null
  /** For hours-cap lines: the line whose hours they remove. */
  appliesToLineId: string | null
  /** For manual lines: why the accountant added it. */
  reason: string | null
}

/** One row of the PDF appendix: an issue's work on one line. */
export interface IssueDetail {
  issueId: string
  issueKey: string
  /** Null when the issue is missing from the synced Jira issues. */
  summary: string | null
  category: string
  /** The line the hours are billed on; null when the work could not be priced. */
  lineId: string | null
  rawHours: string
  billableHours: string
  /** Uncapped hours x rate for time lines; null for fee-based deals or unpriced work. */
  amount: string | null
}

export type FindingDetailValue = string | number | boolean | string[]

export interface Finding {
  /** Stable UPPER_SNAKE code. */
  code: string
  /** Human sentence naming the issue, category or rule concerned. */
  message: string
  details?: Record<string, FindingDetailValue>
}

export interface PreviewLimits {
  hoursLimit: string | null
  amountLimit: string | null
  mode: LimitMode
}

export interface PreviewPeriod extends BillingPeriod {
  /** "2026-10" for a calendar month, otherwise "2026-10-03..2026-10-17" (end exclusive). */
  label: string
}

export interface PreviewHours {
  /** Raw logged hours of the billed work. */
  raw: string
  /** After the per-worklog minimum and rounding. */
  billable: string
  /** After an hours cap; equals `billable` when nothing was capped. */
  billed: string
}

export interface InvoicePreview {
  dealId: string
  customerId: string
  currency: string
  period: PreviewPeriod
  dealType: DealType
  lines: PreviewLine[]
  issueDetails: IssueDetail[]
  limits: PreviewLimits
  /** Sum of all lines except cap lines: the figure before limits. */
  uncappedSubtotal: string
  subtotal: string
  /** Percent as a decimal string. */
  vatRate: string
  vatAmount: string
  total: string
  hours: PreviewHours
  warnings: Finding[]
  errors: Finding[]
  sourceFingerprint: string
}

export interface ManualLineInput {
  description: string
  /** Non-negative decimal, at most 4 decimals. */
  quantity: string
  unit: LineUnit
  /** Non-negative decimal. */
  rate: string
  reason: string
  category?: string | null
}

export interface PreviewEdits {
  /** Lines to remove; hours-cap lines of a removed line go with it. */
  dropLineIds?: string[]
  /** New order; listed lines first in this order, the others after them in their current order. */
  order?: string[]
  descriptions?: { lineId: string; description: string }[]
  /** Appended as "manual:N", numbered after any manual line already present. */
  addLines?: ManualLineInput[]
}
