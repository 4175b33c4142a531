/**
 * Every ClickHouse database, table and column name the code relies on. The DDL, the readers
 * and the data generator import these, so a rename in the sync is a change in one place.
 */

/** Columns every synced table carries (ReplacingMergeTree bookkeeping). */
export const SYNC_COLUMNS = {
  /** Row version: the row with the highest version per id is the current one. */
  version: '_version',
  /** 1 when the latest version says the row was deleted at the source. */
  deleted: '_deleted',
  /** When the sync wrote this version. */
  syncedAt: '_synced_at',
} as const

export const SOURCE_DATABASES = ['tempo', 'jira', 'cdm'] as const

export const WORKLOGS = {
  table: 'tempo.worklogs_flat',
  worklogId: 'worklog_id',
  issueId: 'issue_id',
  issueKey: 'issue_key',
  projectKey: 'project_key',
  accountKey: 'account_key',
  authorAccountId: 'author_account_id',
  authorName: 'author_name',
  startedAt: 'started_at',
  timeSpentSeconds: 'time_spent_seconds',
  billableSeconds: 'billable_seconds',
  description: 'description',
  ...SYNC_COLUMNS,
} as const

export const ISSUES = {
  table: 'jira.jira_issues',
  issueId: 'issue_id',
  issueKey: 'issue_key',
  projectKey: 'project_key',
  issueType: 'issue_type',
  priority: 'priority',
  status: 'status',
  summary: 'summary',
  labels: 'labels',
  components: 'components',
  ...SYNC_COLUMNS,
} as const

/** Client deals; CDM calls them "applications". */
export const DEALS = {
  table: 'cdm.jira_applications',
  dealId: 'deal_id',
  customerId: 'customer_id',
  title: 'title',
  contractNumber: 'contract_number',
  contractDate: 'contract_date',
  dealType: 'deal_type',
  currency: 'currency',
  hourlyRate: 'hourly_rate',
  monthlyFee: 'monthly_fee',
  includedHours: 'included_hours',
  overageRate: 'overage_rate',
  hoursLimit: 'hours_limit',
  amountLimit: 'amount_limit',
  limitMode: 'limit_mode',
  vatRate: 'vat_rate',
  minBillableMinutes: 'min_billable_minutes',
  roundingIncrementMinutes: 'rounding_increment_minutes',
  billNonBillable: 'bill_non_billable',
  projectKeys: 'project_keys',
  tempoAccounts: 'tempo_accounts',
  status: 'status',
  paymentTermsDays: 'payment_terms_days',
  ...SYNC_COLUMNS,
} as const

export const CUSTOMERS = {
  table: 'cdm.jira_customers',
  customerId: 'customer_id',
  name: 'name',
  legalName: 'legal_name',
  country: 'country',
  tin: 'tin',
  vatRegCode: 'vat_reg_code',
  address: 'address',
  bankName: 'bank_name',
  bankAccount: 'bank_account',
  mfo: 'mfo',
  swift: 'swift',
  director: 'director',
  accountant: 'accountant',
  language: 'language',
  eInvoicing: 'e_invoicing',
  ...SYNC_COLUMNS,
} as const

export const CONTACTS = {
  table: 'cdm.jira_contacts',
  contactId: 'contact_id',
  customerId: 'customer_id',
  name: 'name',
  email: 'email',
  phone: 'phone',
  isBilling: 'is_billing',
  ...SYNC_COLUMNS,
} as const

/** The five source tables, in the order the DDL creates them. */
export const SOURCE_TABLES = [WORKLOGS.table, ISSUES.table, DEALS.table, CUSTOMERS.table, CONTACTS.table] as const
export type SourceTable = (typeof SOURCE_TABLES)[number]
