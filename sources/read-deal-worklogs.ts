import type { ClickHouseClient } from '@clickhouse/client'
import { WORKLOGS as W } from './columns.js'
import { SOURCE_ERROR_TYPES, SourceError } from './errors.js'
import { selectList, selectRows, type SelectFields, toIsoUtc } from './select-rows.js'
import type { SourceDeal, SourceWorklog } from './types.js'

export interface ReadDealWorklogsOptions {
  /** The deal's selectors: a worklog belongs to the deal by project key or by Tempo account. */
  deal: Pick<SourceDeal, 'projectKeys' | 'tempoAccounts'>
  /** First work date of the period, inclusive (YYYY-MM-DD). */
  from: string
  /** Work date after the period, exclusive (YYYY-MM-DD). */
  to: string
  /** IANA zone in which work dates are counted (the company's, e.g. Asia/Tashkent). */
  timeZone: string
}

const WORK_DATE = `toDate(${W.startedAt}, {timeZone:String})`

const WORKLOG_FIELDS = {
  worklogId: `toString(${W.worklogId})`,
  issueId: `toString(${W.issueId})`,
  issueKey: W.issueKey,
  projectKey: W.projectKey,
  accountKey: W.accountKey,
  authorAccountId: W.authorAccountId,
  authorName: W.authorName,
  startedAt: `toString(${W.startedAt})`,
  workDate: `toString(${WORK_DATE})`,
  timeSpentSeconds: W.timeSpentSeconds,
  billableSeconds: W.billableSeconds,
  description: W.description,
  version: `toString(${W.version})`,
} satisfies SelectFields

// None of the filtered columns is the sorting key, so ClickHouse filters after FINAL has picked
// each worklog's latest version: a worklog moved to another project or date is judged by where
// it is now, and a deleted one is gone (a test pins this down).
const WORKLOGS_SQL = `
SELECT
  ${selectList(WORKLOG_FIELDS)}
FROM ${W.table} FINAL
WHERE (${W.projectKey} IN {projectKeys:Array(String)}
    OR (${W.accountKey} != '' AND ${W.accountKey} IN {tempoAccounts:Array(String)}))
  AND ${WORK_DATE} >= {from:Date}
  AND ${WORK_DATE} < {to:Date}
ORDER BY ${W.startedAt}, ${W.worklogId}`

/**
 * The deal's worklogs whose work date (start instant in `timeZone`) falls in [from, to),
 * latest versions only, deleted ones excluded, ordered by start then id. Durations are as
 * synced: zero, negative and non-billable worklogs are returned for the caller to judge.
 */
export async function readDealWorklogs(client: ClickHouseClient, options: ReadDealWorklogsOptions): Promise<SourceWorklog[]> {
  const { deal, from, to, timeZone } = options
  assertDate('from', from)
  assertDate('to', to)
  if (from >= to) throw new SourceError(SOURCE_ERROR_TYPES.invalidArgument, `empty period: from ${from} is not before to ${to}`)
  if (deal.projectKeys.length === 0 && deal.tempoAccounts.length === 0) return []
  const params = { projectKeys: deal.projectKeys, tempoAccounts: deal.tempoAccounts, from, to, timeZone }
  return selectRows(client, WORKLOGS_SQL, params, WORKLOG_FIELDS, mapWorklog)
}

function mapWorklog(row: Record<string, unknown>): SourceWorklog {
  // The DDL fixes every column's type, so a cast per field is enough on this hot path.
  return {
    worklogId: row.worklogId as string,
    issueId: row.issueId as string,
    issueKey: row.issueKey as string,
    projectKey: row.projectKey as string,
    accountKey: row.accountKey as string,
    authorAccountId: row.authorAccountId as string,
    authorName: row.authorName as string,
    startedAt: toIsoUtc(row.startedAt as string),
    workDate: row.workDate as string,
    timeSpentSeconds: row.timeSpentSeconds as number,
    billableSeconds: row.billableSeconds as number,
    description: row.description as string,
    version: row.version as string,
  }
}

function assertDate(name: string, value: string): void {
  const time = Date.parse(`${value}T00:00:00Z`)
  const ok = /^\d{4}-\d{2}-\d{2}$/.test(value) && !Number.isNaN(time) && new Date(time).toISOString().startsWith(value)
  if (!ok) throw new SourceError(SOURCE_ERROR_TYPES.invalidArgument, `${name} must be a date YYYY-MM-DD, got ${JSON.stringify(value)}`)
}
