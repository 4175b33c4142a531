import type { ClickHouseClient } from '@clickhouse/client'
import { CONTACTS, CUSTOMERS, DEALS, ISSUES, SOURCE_DATABASES, SOURCE_TABLES, SYNC_COLUMNS, WORKLOGS } from './columns.js'

/**
 * Dev/test DDL of the synced source tables, shaped the way the sync writes them. Production
 * tables are created by the sync; this file is the only place where this project creates them.
 * Every statement is idempotent (IF NOT EXISTS).
 */

/** A ClickHouse type for every column of a table map from `columns.ts` (the compiler checks none is missing). */
type ColumnTypes<T> = { [K in Exclude<keyof T, 'table'>]: string }

const SYNC_TYPES = {
  version: 'UInt64',
  deleted: 'UInt8',
  syncedAt: "DateTime64(3, 'UTC')",
} as const satisfies ColumnTypes<typeof SYNC_COLUMNS>

const RATE = 'Decimal(18, 4)'
const MONEY = 'Decimal(18, 2)'
const HOURS = 'Decimal(18, 2)'

const WORKLOG_TYPES = {
  worklogId: 'UInt64',
  issueId: 'UInt64',
  issueKey: 'String',
  projectKey: 'LowCardinality(String)',
  /** '' when the worklog has no Tempo account. */
  accountKey: 'LowCardinality(String)',
  authorAccountId: 'String',
  authorName: 'String',
  startedAt: "DateTime64(3, 'UTC')",
  /** Can be zero or negative in bad source data. */
  timeSpentSeconds: 'Int32',
  /** 0 marks a non-billable worklog in Tempo. */
  billableSeconds: 'Int32',
  description: 'String',
  ...SYNC_TYPES,
} satisfies ColumnTypes<typeof WORKLOGS>

const ISSUE_TYPES = {
  issueId: 'UInt64',
  issueKey: 'String',
  projectKey: 'LowCardinality(String)',
  issueType: 'LowCardinality(String)',
  priority: 'LowCardinality(String)',
  status: 'LowCardinality(String)',
  summary: 'String',
  labels: 'Array(String)',
  components: 'Array(String)',
  ...SYNC_TYPES,
} satisfies ColumnTypes<typeof ISSUES>

const DEAL_TYPES = {
  dealId: 'String',
  customerId: 'String',
  title: 'String',
  contractNumber: 'String',
  contractDate: 'Date',
  dealType: 'LowCardinality(String)',
  currency: 'LowCardinality(String)',
  hourlyRate: `Nullable(${RATE})`,
  monthlyFee: `Nullable(${MONEY})`,
  includedHours: `Nullable(${HOURS})`,
  overageRate: `Nullable(${RATE})`,
  hoursLimit: `Nullable(${HOURS})`,
  amountLimit: `Nullable(${MONEY})`,
  limitMode: 'LowCardinality(String)',
  vatRate: 'Nullable(Decimal(5, 2))',
  minBillableMinutes: 'Nullable(Int32)',
  roundingIncrementMinutes: 'Nullable(Int32)',
  billNonBillable: 'Bool',
  projectKeys: 'Array(String)',
  tempoAccounts: 'Array(String)',
  status: 'LowCardinality(String)',
  paymentTermsDays: 'Int32',
  ...SYNC_TYPES,
} satisfies ColumnTypes<typeof DEALS>

const CUSTOMER_TYPES = {
  customerId: 'String',
  name: 'String',
  legalName: 'String',
  country: 'LowCardinality(String)',
  tin: 'Nullable(String)',
  vatRegCode: 'String',
  address: 'String',
  bankName: 'String',
  bankAccount: 'String',
  mfo: 'String',
  swift: 'String',
  director: 'String',
  accountant: 'String',
  language: 'LowCardinality(String)',
  eInvoicing: 'Bool',
  ...SYNC_TYPES,
} satisfies ColumnTypes<typeof CUSTOMERS>

const CONTACT_TYPES = {
  contactId: 'String',
  customerId: 'String',
  name: 'String',
  email: 'String',
  phone: 'String',
  isBilling: 'Bool',
  ...SYNC_TYPES,
} satisfies ColumnTypes<typeof CONTACTS>

function createTableSql<T extends { table: string } & typeof SYNC_COLUMNS>(
  names: T,
  types: ColumnTypes<T>,
  orderBy: string,
): string {
  const columns = (Object.keys(types) as (keyof typeof types)[]).map(
    (key) => `  ${String(names[key as keyof T])} ${types[key]}`,
  )
  return [
    `CREATE TABLE IF NOT EXISTS ${names.table} (`,
    columns.join(',\n'),
    ')',
    `ENGINE = ReplacingMergeTree(${names.version}, ${names.deleted})`,
    `ORDER BY ${orderBy}`,
  ].join('\n')
}

/** The DDL statements, in order: databases first, then the five tables. */
export const SOURCE_SCHEMA_SQL: readonly string[] = [
  ...SOURCE_DATABASES.map((db) => `CREATE DATABASE IF NOT EXISTS ${db}`),
  createTableSql(WORKLOGS, WORKLOG_TYPES, WORKLOGS.worklogId),
  createTableSql(ISSUES, ISSUE_TYPES, ISSUES.issueId),
  createTableSql(DEALS, DEAL_TYPES, DEALS.dealId),
  createTableSql(CUSTOMERS, CUSTOMER_TYPES, CUSTOMERS.customerId),
  createTableSql(CONTACTS, CONTACT_TYPES, CONTACTS.contactId),
]

/** Creates the source databases and tables if missing (dev and test only; production tables belong to the sync). */
export async function applySourceSchema(client: ClickHouseClient): Promise<void> {
  for (const query of SOURCE_SCHEMA_SQL) await client.command({ query })
}

/** Empties the five source tables (dev and test only: the generator's --reset). */
export async function truncateSourceTables(client: ClickHouseClient): Promise<void> {
  for (const table of SOURCE_TABLES) await client.command({ query: `TRUNCATE TABLE IF EXISTS ${table}` })
}
