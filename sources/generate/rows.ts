import { CONTACTS, CUSTOMERS, DEALS, ISSUES, WORKLOGS } from '../columns.js'
import type { CatalogContact, CatalogCustomer, CatalogDeal } from './catalog.js'
import type { IssueVersion } from './issues.js'
import type { WorklogVersion } from './worklogs.js'

/** A row keyed by ClickHouse column name, ready for JSONEachRow. */
export type ColumnRow = Record<string, unknown>

/** Sync bookkeeping of one version of a row. */
export interface SyncStamp {
  version: number
  deleted: boolean
  syncedAtMs: number
}

/** DateTime64(3) text as ClickHouse parses it; the columns are UTC, so no zone is written. */
export function formatDateTime64(ms: number): string {
  return new Date(ms).toISOString().slice(0, 23).replace('T', ' ')
}

/** One worklog version as a tempo.worklogs_flat row. */
export function toWorklogRow(w: WorklogVersion): ColumnRow {
  return {
    [WORKLOGS.worklogId]: w.worklogId,
    [WORKLOGS.issueId]: w.issueId,
    [WORKLOGS.issueKey]: w.issueKey,
    [WORKLOGS.projectKey]: w.projectKey,
    [WORKLOGS.accountKey]: w.accountKey,
    [WORKLOGS.authorAccountId]: w.authorAccountId,
    [WORKLOGS.authorName]: w.authorName,
    [WORKLOGS.startedAt]: formatDateTime64(w.startedAtMs),
    [WORKLOGS.timeSpentSeconds]: w.timeSpentSeconds,
    [WORKLOGS.billableSeconds]: w.billableSeconds,
    [WORKLOGS.description]: w.description,
    ...syncColumns(WORKLOGS, w),
  }
}

/** One issue version as a jira.jira_issues row. */
export function toIssueRow(i: IssueVersion): ColumnRow {
  return {
    [ISSUES.issueId]: i.issueId,
    [ISSUES.issueKey]: i.issueKey,
    [ISSUES.projectKey]: i.projectKey,
    [ISSUES.issueType]: i.issueType,
    [ISSUES.priority]: i.priority,
    [ISSUES.status]: i.status,
    [ISSUES.summary]: i.summary,
    [ISSUES.labels]: i.labels,
    [ISSUES.components]: i.components,
    ...syncColumns(ISSUES, i),
  }
}

/** One deal version as a cdm.jira_applications row. */
export function toDealRow(d: CatalogDeal, stamp: SyncStamp): ColumnRow {
  return {
    [DEALS.dealId]: d.dealId,
    [DEALS.customerId]: d.customerId,
    [DEALS.title]: d.title,
    [DEALS.contractNumber]: d.contractNumber,
    [DEALS.contractDate]: d.contractDate,
    [DEALS.dealType]: d.dealType,
    [DEALS.currency]: d.currency,
    [DEALS.hourlyRate]: d.hourlyRate,
    [DEALS.monthlyFee]: d.monthlyFee,
    [DEALS.includedHours]: d.includedHours,
    [DEALS.overageRate]: d.overageRate,
    [DEALS.hoursLimit]: d.hoursLimit,
    [DEALS.amountLimit]: d.amountLimit,
    [DEALS.limitMode]: d.limitMode,
    [DEALS.vatRate]: d.vatRate,
    [DEALS.minBillableMinutes]: d.minBillableMinutes,
    [DEALS.roundingIncrementMinutes]: d.roundingIncrementMinutes,
    [DEALS.billNonBillable]: d.billNonBillable,
    [DEALS.projectKeys]: d.projectKeys,
    [DEALS.tempoAccounts]: d.tempoAccounts,
    [DEALS.status]: d.status,
    [DEALS.paymentTermsDays]: d.paymentTermsDays,
    ...syncColumns(DEALS, stamp),
  }
}

/** One customer version as a cdm.jira_customers row. */
export function toCustomerRow(c: CatalogCustomer, stamp: SyncStamp): ColumnRow {
  return {
    [CUSTOMERS.customerId]: c.customerId,
    [CUSTOMERS.name]: c.name,
    [CUSTOMERS.legalName]: c.legalName,
    [CUSTOMERS.country]: c.country,
    [CUSTOMERS.tin]: c.tin,
    [CUSTOMERS.vatRegCode]: c.vatRegCode,
    [CUSTOMERS.address]: c.address,
    [CUSTOMERS.bankName]: c.bankName,
    [CUSTOMERS.bankAccount]: c.bankAccount,
    [CUSTOMERS.mfo]: c.mfo,
    [CUSTOMERS.swift]: c.swift,
    [CUSTOMERS.director]: c.director,
    [CUSTOMERS.accountant]: c.accountant,
    [CUSTOMERS.language]: c.language,
    [CUSTOMERS.eInvoicing]: c.eInvoicing,
    ...syncColumns(CUSTOMERS, stamp),
  }
}

/** One contact version as a cdm.jira_contacts row. */
export function toContactRow(c: CatalogContact, stamp: SyncStamp): ColumnRow {
  return {
    [CONTACTS.contactId]: c.contactId,
    [CONTACTS.customerId]: c.customerId,
    [CONTACTS.name]: c.name,
    [CONTACTS.email]: c.email,
    [CONTACTS.phone]: c.phone,
    [CONTACTS.isBilling]: c.isBilling,
    ...syncColumns(CONTACTS, stamp),
  }
}

function syncColumns(names: { version: string; deleted: string; syncedAt: string }, stamp: SyncStamp): ColumnRow {
  return {
    [names.version]: stamp.version,
    [names.deleted]: stamp.deleted ? 1 : 0,
    [names.syncedAt]: formatDateTime64(stamp.syncedAtMs),
  }
}
