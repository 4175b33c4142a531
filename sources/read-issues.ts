import type { ClickHouseClient } from '@clickhouse/client'
import { z } from 'zod'
import { ISSUES as I } from './columns.js'
import { SOURCE_ERROR_TYPES, SourceError } from './errors.js'
import { parseRow, uint64String } from './parse-row.js'
import { selectList, selectRows, type SelectFields } from './select-rows.js'
import type { SourceIssue } from './types.js'

const issueSchema = z.object({
  issueId: uint64String,
  issueKey: z.string(),
  projectKey: z.string(),
  issueType: z.string(),
  priority: z.string(),
  status: z.string(),
  summary: z.string(),
  labels: z.array(z.string()),
  components: z.array(z.string()),
  version: uint64String,
}) satisfies z.ZodType<SourceIssue>

const ISSUE_FIELDS = {
  issueId: `toString(${I.issueId})`,
  issueKey: I.issueKey,
  projectKey: I.projectKey,
  issueType: I.issueType,
  priority: I.priority,
  status: I.status,
  summary: I.summary,
  labels: I.labels,
  components: I.components,
  version: `toString(${I.version})`,
} satisfies SelectFields

const ISSUES_SQL = `
SELECT
  ${selectList(ISSUE_FIELDS)}
FROM ${I.table} FINAL
WHERE ${I.issueId} IN {issueIds:Array(UInt64)}
ORDER BY ${I.issueId}`

/**
 * The latest state of the given issues, ordered by id. Ids that are unknown or deleted in Jira
 * are simply absent from the result (worklogs can point at such issues).
 */
export async function readIssues(client: ClickHouseClient, issueIds: readonly string[]): Promise<SourceIssue[]> {
  const unique = [...new Set(issueIds)]
  const invalid = unique.filter((id) => !/^\d{1,20}$/.test(id))
  if (invalid.length > 0) {
    throw new SourceError(SOURCE_ERROR_TYPES.invalidArgument, `issue ids must be unsigned integers, got ${JSON.stringify(invalid.slice(0, 5))}`)
  }
  if (unique.length === 0) return []
  // BigInt: both transports bind it as exact digits, a string would be quoted and refused by Array(UInt64).
  return selectRows(client, ISSUES_SQL, { issueIds: unique.map((id) => BigInt(id)) }, ISSUE_FIELDS, (row) =>
    parseRow(issueSchema, row, `${I.table} row`),
  )
}
