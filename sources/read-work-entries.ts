import type { ClickHouseClient } from '@clickhouse/client'
import type { RoundingSettings, WorkEntry } from '../billing/types.js'
import { ISSUES as I, WORKLOGS as W } from './columns.js'
import { selectList, selectRows, type SelectFields } from './select-rows.js'
import type { SourceDeal } from './types.js'

/** Which worklogs belong to an invoice: the deal's selectors and [from, to) by work date. */
export interface WorkSelection {
  deal: Pick<SourceDeal, 'projectKeys' | 'tempoAccounts'>
  /** YYYY-MM-DD, inclusive. */
  from: string
  /** YYYY-MM-DD, exclusive. */
  to: string
  /** IANA zone in which work dates are counted. */
  timeZone: string
}

const WORK_DATE = `toDate(${W.startedAt}, {timeZone:String})`
const RAW = `if(${W.billableSeconds} > 0, ${W.billableSeconds}, ${W.timeSpentSeconds})`
const STEP = '({inc:UInt32} * 60)'

// Filters apply after FINAL has picked each worklog's latest version (none is a sorting-key
// column), so moved and deleted worklogs are judged by their current state.
const SELECTED_WORKLOGS = `
FROM ${W.table} FINAL
WHERE (${W.projectKey} IN {projectKeys:Array(String)}
    OR (${W.accountKey} != '' AND ${W.accountKey} IN {tempoAccounts:Array(String)}))
  AND ${WORK_DATE} >= {from:Date}
  AND ${WORK_DATE} < {to:Date}`

// The per-worklog rule of billing/worklog-minutes.ts, summed per group in ClickHouse so that a
// million worklogs arrive as a few thousand entries. Integer arithmetic only, like the TS side.
const ENTRY_FIELDS = {
  issueId: `toString(${W.issueId})`,
  issueKey: W.issueKey,
  projectKey: W.projectKey,
  accountKey: W.accountKey,
  workDate: `toString(${WORK_DATE})`,
  billable: `${W.billableSeconds} > 0`,
  worklogCount: `toUInt32(countIf(raw > 0))`,
  rawSeconds: `toInt64(sumIf(raw, raw > 0))`,
  roundedMinutes: `toInt64(sumIf({inc:UInt32} * intDiv(raw + ${STEP} - 1, ${STEP}), raw > 0))`,
  billableMinutes: `toInt64(sumIf({inc:UInt32} * intDiv(greatest(raw, {min:UInt32} * 60) + ${STEP} - 1, ${STEP}), raw > 0))`,
  skippedCount: `toUInt32(countIf(raw <= 0))`,
} satisfies SelectFields

// max_block_size: FINAL merges the parts holding a block of each, so smaller blocks lower the
// engine's peak memory for a big deal (docs/sources.md, Performance); no slower measured.
const ENTRIES_SQL = `
WITH ${RAW} AS raw
SELECT
  ${selectList(ENTRY_FIELDS)}
${SELECTED_WORKLOGS}
GROUP BY ${W.issueId}, ${W.issueKey}, ${W.projectKey}, ${W.accountKey}, ${WORK_DATE}, ${W.billableSeconds} > 0
ORDER BY workDate, projectKey, issueKey, issueId, accountKey, billable
SETTINGS output_format_json_quote_64bit_integers = 0, max_block_size = 8192`

/**
 * The deal's work in the period as billing entries (see billing/types.ts WorkEntry), with the
 * minimum billable time and rounding applied per worklog inside ClickHouse.
 */
export async function readWorkEntries(
  client: ClickHouseClient,
  selection: WorkSelection,
  rounding: RoundingSettings,
): Promise<WorkEntry[]> {
  if (selection.deal.projectKeys.length === 0 && selection.deal.tempoAccounts.length === 0) return []
  const params = {
    ...selectionParams(selection),
    min: rounding.minBillableMinutes,
    inc: rounding.roundingIncrementMinutes,
  }
  return selectRows(client, ENTRIES_SQL, params, ENTRY_FIELDS, (row) => ({
    issueId: row.issueId as string,
    issueKey: row.issueKey as string,
    projectKey: row.projectKey as string,
    accountKey: row.accountKey as string,
    workDate: row.workDate as string,
    billable: row.billable === true || row.billable === 1,
    worklogCount: Number(row.worklogCount),
    rawSeconds: Number(row.rawSeconds),
    roundedMinutes: Number(row.roundedMinutes),
    billableMinutes: Number(row.billableMinutes),
    skippedCount: Number(row.skippedCount),
  }))
}

/** What was read, summarized: any sync that changes the rows changes one of these figures. */
export interface WorkFingerprint {
  worklogs: { count: string; maxVersion: string; hash: string }
  issues: { count: string; maxVersion: string; hash: string }
}

// Count, newest version and an order-independent hash of (id, version) of the selected
// worklogs and of the issues they point at: an update raises a version, a delete lowers the
// count, and the hash catches a delete and an insert that would cancel out.
// The worklogs are scanned once: one scalar subquery gives their three figures and the set of
// issue ids, which the outer query reads from the issues. (Referring to a CTE several times
// would run it once per reference: four scans of the worklogs with FINAL.)
const FINGERPRINT_SQL = `
WITH (
  SELECT tuple(count(), max(version), groupBitXor(cityHash64(id, version)), groupUniqArray(issue_id))
  FROM (
    SELECT ${W.worklogId} AS id, ${W.issueId} AS issue_id, ${W.version} AS version
    ${SELECTED_WORKLOGS}
  )
) AS worklogs
SELECT
  toString(tupleElement(worklogs, 1)) AS worklogCount,
  toString(tupleElement(worklogs, 2)) AS worklogMaxVersion,
  toString(tupleElement(worklogs, 3)) AS worklogHash,
  toString(count()) AS issueCount,
  toString(max(${I.version})) AS issueMaxVersion,
  toString(groupBitXor(cityHash64(${I.issueId}, ${I.version}))) AS issueHash
FROM ${I.table} FINAL
WHERE has(tupleElement(worklogs, 4), ${I.issueId})`

/** Fingerprint of the worklogs and issues a prefill of `selection` reads. */
export async function readWorkFingerprint(client: ClickHouseClient, selection: WorkSelection): Promise<WorkFingerprint> {
  const result = await client.query({ query: FINGERPRINT_SQL, query_params: selectionParams(selection), format: 'JSONEachRow' })
  const [row] = await result.json<Record<string, string>>()
  if (!row) throw new Error('fingerprint query returned no row')
  return {
    worklogs: { count: row.worklogCount!, maxVersion: row.worklogMaxVersion!, hash: row.worklogHash! },
    issues: { count: row.issueCount!, maxVersion: row.issueMaxVersion!, hash: row.issueHash! },
  }
}

function selectionParams(selection: WorkSelection) {
  return {
    projectKeys: selection.deal.projectKeys,
    tempoAccounts: selection.deal.tempoAccounts,
    from: selection.from,
    to: selection.to,
    timeZone: selection.timeZone,
  }
}
