import type { ClickHouseClient } from '@clickhouse/client'
import { WORKLOGS as W } from './columns.js'
import { selectList, selectRows, type SelectFields } from './select-rows.js'
import type { SourceDeal, SourceWorklog } from './types.js'

/** One worklog as billing needs it: what the ledger records and what entries are summed from. */
export type BillingWorklog = Pick<
  SourceWorklog,
  'worklogId' | 'version' | 'issueId' | 'issueKey' | 'projectKey' | 'accountKey' | 'workDate' | 'timeSpentSeconds' | 'billableSeconds'
>

/** One day of a deal's billable work: how many worklogs and the XOR of their id hashes. */
export interface WorkDaySummary {
  workDate: string
  count: number
  /** XOR of the first 8 bytes of md5(id) over the worklogs, as a signed 64-bit decimal (the ledger's is the same). */
  idXor: string
}

export interface BillingWorklogSelection {
  deal: Pick<SourceDeal, 'projectKeys' | 'tempoAccounts' | 'billNonBillable'>
  timeZone: string
  /** Every worklog of [from, to) by work date (YYYY-MM-DD, end exclusive), billable or not. */
  from: string
  to: string
  /** And the billable worklogs of these other days (late work), YYYY-MM-DD. */
  extraDays: readonly string[]
}

const WORK_DATE = `toDate(${W.startedAt}, {timeZone:String})`
const RAW = `if(${W.billableSeconds} > 0, ${W.billableSeconds}, ${W.timeSpentSeconds})`
const OF_DEAL = `(${W.projectKey} IN {projectKeys:Array(String)}
    OR (${W.accountKey} != '' AND ${W.accountKey} IN {tempoAccounts:Array(String)}))`
// What the billing core would bill (billing/select-entries.ts): a positive duration, and Tempo's
// billable flag unless the deal bills non-billable time. Late work and day summaries use it.
const BILLABLE = `${RAW} > 0 AND (${W.billableSeconds} > 0 OR {billNonBillable:Bool})`

/** One worklog's columns as billing reads them (the work date in {timeZone}). */
export const WORKLOG_FIELDS = {
  worklogId: `toString(${W.worklogId})`,
  version: `toString(${W.version})`,
  issueId: `toString(${W.issueId})`,
  issueKey: W.issueKey,
  projectKey: W.projectKey,
  accountKey: W.accountKey,
  workDate: `toString(${WORK_DATE})`,
  timeSpentSeconds: W.timeSpentSeconds,
  billableSeconds: W.billableSeconds,
} satisfies SelectFields

// Filters apply after FINAL has picked each worklog's latest version (none is a sorting-key
// column), so moved and deleted worklogs are judged by their current state.
const WORKLOGS_SQL = `
SELECT
  ${selectList(WORKLOG_FIELDS)}
FROM ${W.table} FINAL
WHERE ${OF_DEAL}
  AND ((${WORK_DATE} >= {from:Date} AND ${WORK_DATE} < {to:Date})
    OR (has({extraDays:Array(Date)}, ${WORK_DATE}) AND ${BILLABLE}))
SETTINGS max_block_size = 8192`

/**
 * The deal's worklogs one by one (latest versions, deleted ones gone): all of [from, to), and
 * the billable ones of `extraDays`. Unordered; callers sum them into entries.
 */
export async function readBillingWorklogs(client: ClickHouseClient, selection: BillingWorklogSelection): Promise<BillingWorklog[]> {
  if (selection.deal.projectKeys.length === 0 && selection.deal.tempoAccounts.length === 0) return []
  const params = { ...dealParams(selection), from: selection.from, to: selection.to, extraDays: [...selection.extraDays] }
  return selectRows(client, WORKLOGS_SQL, params, WORKLOG_FIELDS, toBillingWorklog)
}

/** A row selected with WORKLOG_FIELDS as a BillingWorklog (the DDL fixes the types: casts suffice). */
export function toBillingWorklog(row: Record<string, unknown>): BillingWorklog {
  return {
    worklogId: row.worklogId as string,
    version: row.version as string,
    issueId: row.issueId as string,
    issueKey: row.issueKey as string,
    projectKey: row.projectKey as string,
    accountKey: row.accountKey as string,
    workDate: row.workDate as string,
    timeSpentSeconds: row.timeSpentSeconds as number,
    billableSeconds: row.billableSeconds as number,
  }
}

const DAY_FIELDS = {
  workDate: `toString(${WORK_DATE})`,
  count: 'toUInt32(count())',
  // XOR of a 64-bit hash of each id, not of the ids: Tempo's ids are sequential, and sets of
  // sequential ids XOR alike ({2, 3} and {4, 5} both give 1). PostgreSQL computes the same hash.
  idXor: `toString(groupBitXor(reinterpretAsInt64(reverse(substring(MD5(toString(${W.worklogId})), 1, 8)))))`,
} satisfies SelectFields

const DAYS_SQL = `
SELECT
  ${selectList(DAY_FIELDS)}
FROM ${W.table} FINAL
WHERE ${OF_DEAL}
  AND ${WORK_DATE} >= {from:Date} AND ${WORK_DATE} < {to:Date}
  AND ${BILLABLE}
GROUP BY ${WORK_DATE}
SETTINGS max_block_size = 8192`

/**
 * Per work day of [from, to), the deal's billable worklogs as a count and an id XOR: compared
 * with the ledger's same figures, a day that matches has nothing unbilled, so only the days
 * that differ are read worklog by worklog.
 */
export async function readWorkDaySummaries(
  client: ClickHouseClient,
  selection: Omit<BillingWorklogSelection, 'extraDays'>,
): Promise<WorkDaySummary[]> {
  if (selection.deal.projectKeys.length === 0 && selection.deal.tempoAccounts.length === 0) return []
  if (selection.from >= selection.to) return []
  const params = { ...dealParams(selection), from: selection.from, to: selection.to }
  return selectRows(client, DAYS_SQL, params, DAY_FIELDS, (row) => ({
    workDate: row.workDate as string,
    count: Number(row.count),
    idXor: row.idXor as string,
  }))
}

function dealParams(selection: Omit<BillingWorklogSelection, 'extraDays' | 'from' | 'to'>) {
  return {
    projectKeys: selection.deal.projectKeys,
    tempoAccounts: selection.deal.tempoAccounts,
    billNonBillable: selection.deal.billNonBillable,
    timeZone: selection.timeZone,
  }
}
