/**
 * Rows read from the synced ClickHouse sources, in the shape the rest of the code uses.
 * Money, rates and hours are decimal strings (never JS numbers); 64-bit ids are strings.
 * Column names live in `columns.ts`; this file only says what a row means.
 */

export type DealType = 'time_and_materials' | 'fixed_monthly' | 'retainer'
export type LimitMode = 'cap' | 'warn'
export type InvoiceLanguage = 'en' | 'ru' | 'uz'

/** One Tempo worklog, latest version, not deleted. */
export interface SourceWorklog {
  worklogId: string
  issueId: string
  issueKey: string
  projectKey: string
  /** Tempo account key; '' when the worklog has none. */
  accountKey: string
  authorAccountId: string
  authorName: string
  /** Start instant, ISO 8601 UTC. */
  startedAt: string
  /** Work date (YYYY-MM-DD) of `startedAt` in the company time zone. */
  workDate: string
  /** Logged duration; can be zero or negative in bad source data. */
  timeSpentSeconds: number
  /** Tempo's billable duration; 0 marks a non-billable worklog. */
  billableSeconds: number
  description: string
  version: string
}

/** One Jira issue, latest version, not deleted. */
export interface SourceIssue {
  issueId: string
  issueKey: string
  projectKey: string
  issueType: string
  priority: string
  status: string
  summary: string
  labels: string[]
  components: string[]
  version: string
}

/** A client deal (CDM "application"): what is billed, how, in which currency. */
export interface SourceDeal {
  dealId: string
  customerId: string
  title: string
  contractNumber: string
  /** YYYY-MM-DD */
  contractDate: string
  dealType: DealType
  /** ISO 4217 code: USD, EUR, UZS. */
  currency: string
  /** Hourly rate for time & materials (deal default when no rate rule matches). */
  hourlyRate: string | null
  /** Monthly fee for fixed monthly and retainer deals. */
  monthlyFee: string | null
  /** Hours included in a retainer's fee. */
  includedHours: string | null
  /** Rate for retainer hours above `includedHours`. */
  overageRate: string | null
  /** Cap on billable hours per period, if any. */
  hoursLimit: string | null
  /** Cap on the billed amount (before VAT) per period, if any. */
  amountLimit: string | null
  /** cap: bill the capped figure and warn; warn: bill the full figure and warn. */
  limitMode: LimitMode
  /** VAT in percent (e.g. "12"); null means the default from settings. */
  vatRate: string | null
  /** Per-deal overrides of the settings; null means the setting. */
  minBillableMinutes: number | null
  roundingIncrementMinutes: number | null
  /** Bill Tempo's non-billable worklogs too. */
  billNonBillable: boolean
  /** Jira project keys whose worklogs belong to this deal. */
  projectKeys: string[]
  /** Tempo account keys whose worklogs belong to this deal. */
  tempoAccounts: string[]
  status: 'active' | 'closed'
  paymentTermsDays: number
  version: string
}

/** A customer's legal and bank details (CDM). */
export interface SourceCustomer {
  customerId: string
  name: string
  legalName: string
  /** ISO 3166 alpha-2 */
  country: string
  /** Uzbek taxpayer id (9 digits); null for foreign customers. */
  tin: string | null
  vatRegCode: string
  address: string
  bankName: string
  bankAccount: string
  /** Uzbek bank code (MFO), '' for foreign banks. */
  mfo: string
  swift: string
  director: string
  accountant: string
  language: InvoiceLanguage
  /** Deliver through Didox.uz (requires a TIN). */
  eInvoicing: boolean
  version: string
}

/** A customer's contact person. */
export interface SourceContact {
  contactId: string
  customerId: string
  name: string
  email: string
  phone: string
  /** Receives invoices. */
  isBilling: boolean
  version: string
}
