import type { ClickHouseClient } from '@clickhouse/client'
import { WORKLOGS as W } from './columns.js'
import { SOURCE_ERROR_TYPES, SourceError } from './errors.js'
import { toBillingWorklog, WORKLOG_FIELDS, type BillingWorklog } from './read-billing-worklogs.js'
import { selectList, selectRows } from './select-rows.js'

const FIELDS = WORKLOG_FIELDS

// The id is the sorting key, so the IN list is served by the primary index; FINAL keeps the
// latest version of each and drops those whose latest version says deleted (the engine is
// ReplacingMergeTree(_version, _deleted)).
const SQL = `
SELECT
  ${selectList(FIELDS)}
FROM ${W.table} FINAL
WHERE ${W.worklogId} IN {worklogIds:Array(UInt64)}`

/** Ids per query: bounds the statement's parameters and the rows held at once. */
const BATCH = 10_000

/**
 * The current state of the given worklogs, by id. An id missing from the answer is deleted at
 * the source (or never synced). Work dates are taken in `timeZone`, as the prefill takes them.
 */
export async function readWorklogsById(client: ClickHouseClient, worklogIds: readonly string[], timeZone: string): Promise<Map<string, BillingWorklog>> {
  const unique = [...new Set(worklogIds)]
  const invalid = unique.filter((id) => !/^\d{1,20}$/.test(id))
  if (invalid.length > 0) {
    throw new SourceError(SOURCE_ERROR_TYPES.invalidArgument, `worklog ids must be unsigned integers, got ${JSON.stringify(invalid.slice(0, 5))}`)
  }
  const found = new Map<string, BillingWorklog>()
  for (let start = 0; start < unique.length; start += BATCH) {
    // BigInt: both transports bind it as exact digits, a string would be quoted and refused by Array(UInt64).
    const ids = unique.slice(start, start + BATCH).map((id) => BigInt(id))
    const rows = await selectRows(client, SQL, { worklogIds: ids, timeZone }, FIELDS, toBillingWorklog)
    for (const row of rows) found.set(row.worklogId, row)
  }
  return found
}
