import { randomBytes } from 'node:crypto'
import type { ClickHouseClient } from '@clickhouse/client'
import { DEALS, WORKLOGS } from '../sources/columns.js'
import { CATALOG_DEALS, type CatalogDeal } from '../sources/generate/catalog.js'
import { toDealRow, toWorklogRow } from '../sources/generate/rows.js'

// Versions are sync times in ms: later than the generated data's, and growing within a process.
let nextVersion = Math.max(Date.now(), Date.parse('2027-01-01T00:00:00Z'))

/**
 * A deal of its own for one test: a copy of a catalog deal under a fresh id and project key, so
 * its invoices' workflow ids are new in the shared Temporal namespace and no other test's work
 * or invoices touch it. Returns the deal id and project key.
 */
export async function insertTestDeal(client: ClickHouseClient, like: string, changes: Partial<CatalogDeal> = {}): Promise<{ dealId: string; projectKey: string }> {
  const base = CATALOG_DEALS.find((d) => d.dealId === like)
  if (!base) throw new Error(`no catalog deal ${like}`)
  const suffix = randomBytes(3).toString('hex').toUpperCase()
  const deal: CatalogDeal = { ...base, dealId: `T-${suffix}`, projectKeys: [`P${suffix}`], tempoAccounts: [], ...changes }
  nextVersion += 1
  await client.insert({ table: DEALS.table, values: [toDealRow(deal, { version: nextVersion, deleted: false, syncedAtMs: nextVersion })], format: 'JSONEachRow' })
  return { dealId: deal.dealId, projectKey: deal.projectKeys[0]! }
}

/** A copy of a catalog deal under a fresh id that bills the same projects and accounts (the generated work). */
export async function copyTestDeal(client: ClickHouseClient, like: string): Promise<string> {
  const base = CATALOG_DEALS.find((d) => d.dealId === like)
  if (!base) throw new Error(`no catalog deal ${like}`)
  return (await insertTestDeal(client, like, { projectKeys: base.projectKeys, tempoAccounts: base.tempoAccounts })).dealId
}

export interface TestWorklog {
  id: number
  projectKey: string
  /** ISO instant the work started (its work date is taken in the company time zone). */
  startedAt: string
  seconds: number
  /** Tempo's billable flag (default true). */
  billable?: boolean
  issue?: number
  accountKey?: string
  deleted?: boolean
}

/** The issue id a test worklog's `issue` number stands for. */
export function testIssueId(issue = 1): number {
  return 7_000_000 + issue
}

/**
 * Writes a version of each worklog, newer than any written before (an edit or a delete when the
 * id exists); returns the version written, by id.
 */
export async function syncWorklogs(client: ClickHouseClient, worklogs: readonly TestWorklog[]): Promise<Map<number, number>> {
  const versions = new Map<number, number>()
  const values = worklogs.map((w) => {
    nextVersion += 1
    versions.set(w.id, nextVersion)
    const issue = w.issue ?? 1
    return toWorklogRow({
      worklogId: w.id,
      issueId: testIssueId(issue),
      issueKey: `${w.projectKey}-${issue}`,
      projectKey: w.projectKey,
      accountKey: w.accountKey ?? '',
      authorAccountId: 'acc-test',
      authorName: 'Test Author',
      startedAtMs: Date.parse(w.startedAt),
      timeSpentSeconds: w.seconds,
      billableSeconds: w.billable === false ? 0 : w.seconds,
      description: `test worklog ${w.id}`,
      version: nextVersion,
      deleted: w.deleted ?? false,
      syncedAtMs: nextVersion,
      pass: 1,
    })
  })
  await client.insert({ table: WORKLOGS.table, values, format: 'JSONEachRow' })
  return versions
}

/** Worklog ids no generated worklog uses. */
export function testWorklogId(): number {
  return 5_000_000_000 + Math.floor(Math.random() * 1_000_000_000)
}
