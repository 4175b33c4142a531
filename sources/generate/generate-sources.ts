import type { ClickHouseClient } from '@clickhouse/client'
import { ISSUES, WORKLOGS, type SourceTable } from '../columns.js'
import { applySourceSchema } from '../schema.js'
import { CATALOG_DEALS, DEAL_WORKLOG_WEIGHTS, DELETED_DEAL } from './catalog.js'
import { generateCdmRows } from './cdm.js'
import { buildEdgeCases, type EdgeCaseWorklog } from './edge-cases.js'
import { generateProjectIssues, planProjects, type ProjectPlan } from './issues.js'
import { createInsertQueue } from './insert-queue.js'
import { toIssueRow, toWorklogRow } from './rows.js'
import { generateStreamWorklogs, MAX_WORKLOGS_PER_STREAM, type WorklogStream } from './worklogs.js'

export interface GenerateOptions {
  /** Same seed, same options: same rows. */
  seed: number
  /** Months to fill (YYYY-MM, ascending); `parseMonths('2026-08..2026-10')` builds the list. */
  months: readonly string[]
  /** Worklogs spread over all deals by their weights, 3% of them on no deal. Default 20 000. */
  worklogs?: number
  /** With `worklogsForDeal`: this deal gets exactly that many worklogs instead of its share. */
  dealId?: string
  worklogsForDeal?: number
  /** Rows per insert. Default 50 000. */
  batchSize?: number
  /** Called after every insert. */
  onProgress?: (progress: GenerateProgress) => void
}

export interface GenerateProgress {
  table: SourceTable
  /** Rows inserted so far into this table (all versions). */
  rowsWritten: number
  /** Worklogs (first versions) generated so far, out of `worklogsPlanned`. */
  worklogsGenerated: number
  worklogsPlanned: number
  elapsedMs: number
}

export interface GenerateSummary {
  seed: number
  months: string[]
  /** Rows inserted per table, every version counted. */
  rowsWritten: Record<SourceTable, number>
  /** Generated worklogs per deal id (first versions, fixtures not included). */
  worklogsByDeal: Record<string, number>
  /** Generated worklogs that belong to no deal. */
  unassignedWorklogs: number
  /** The hand-written fixtures (all in APP-1001), with what reading them must give. */
  edgeCases: EdgeCaseWorklog[]
  elapsedMs: number
}

const DEFAULT_WORKLOGS = 20_000
const DEFAULT_BATCH_SIZE = 50_000
const UNASSIGNED_SHARE = 0.03

/**
 * Creates the source tables if needed and fills them with deterministic data for `months`:
 * the fixed CDM catalog, seeded Jira issues and seeded Tempo worklogs with their edge cases.
 * Rows are inserted in batches, so memory stays bounded whatever the volume. The tables are
 * expected to be empty (see `truncateSourceTables`).
 */
export async function generateSources(client: ClickHouseClient, options: GenerateOptions): Promise<GenerateSummary> {
  const startedAt = performance.now()
  const months = [...options.months]
  if (months.length === 0) throw new Error('months must not be empty')
  const streams = planStreams(options)
  const worklogsPlanned = streams.reduce((sum, s) => sum + s.count, 0)
  let worklogsGenerated = 0

  await applySourceSchema(client)
  const queue = createInsertQueue(client, options.batchSize ?? DEFAULT_BATCH_SIZE, (table, rowsWritten) =>
    options.onProgress?.({ table, rowsWritten, worklogsGenerated, worklogsPlanned, elapsedMs: performance.now() - startedAt }),
  )

  for (const { table, pass, row } of generateCdmRows()) {
    if (queue.add(table, pass, row)) await queue.flushFull()
  }

  const projects = planProjects(options.seed)
  for (const plan of projects) {
    for (const issue of generateProjectIssues(options.seed, plan)) {
      if (queue.add(ISSUES.table, issue.pass, toIssueRow(issue))) await queue.flushFull()
    }
  }

  const edgeCases = buildEdgeCases(months)
  for (const edge of edgeCases) {
    for (const v of edge.versions) queue.add(WORKLOGS.table, v.pass, toWorklogRow(v))
  }

  const projectsByKey = new Map<string, ProjectPlan>(projects.map((p) => [p.projectKey, p]))
  for (const stream of streams) {
    for (const worklog of generateStreamWorklogs(options.seed, stream, months, projectsByKey)) {
      if (worklog.pass === 1) worklogsGenerated += 1
      if (queue.add(WORKLOGS.table, worklog.pass, toWorklogRow(worklog))) await queue.flushFull()
    }
  }
  await queue.flushAll()

  return {
    seed: options.seed,
    months,
    rowsWritten: queue.rowsWritten(),
    worklogsByDeal: Object.fromEntries(streams.filter((s) => s.deal !== null).map((s) => [s.key, s.count])),
    unassignedWorklogs: streams.find((s) => s.deal === null)?.count ?? 0,
    edgeCases,
    elapsedMs: performance.now() - startedAt,
  }
}

/** How many worklogs each deal (and the unassigned stream) gets. */
export function planStreams(options: Pick<GenerateOptions, 'worklogs' | 'dealId' | 'worklogsForDeal'>): WorklogStream[] {
  const total = options.worklogs ?? DEFAULT_WORKLOGS
  assertCount('worklogs', total)
  const deals = [...CATALOG_DEALS, DELETED_DEAL]
  if ((options.dealId === undefined) !== (options.worklogsForDeal === undefined)) {
    throw new Error('dealId and worklogsForDeal go together')
  }
  if (options.dealId !== undefined && !deals.some((d) => d.dealId === options.dealId)) {
    throw new Error(`unknown deal ${options.dealId}; known: ${deals.map((d) => d.dealId).join(', ')}`)
  }
  if (options.worklogsForDeal !== undefined) assertCount('worklogsForDeal', options.worklogsForDeal)

  const unassigned = Math.round(total * UNASSIGNED_SHARE)
  const shared = deals.filter((d) => d.dealId !== options.dealId)
  const shares = splitByWeight(total - unassigned, shared.map((d) => DEAL_WORKLOG_WEIGHTS[d.dealId] ?? 1))
  const streams: WorklogStream[] = deals.map((deal, i) => ({
    key: deal.dealId,
    index: i + 1,
    count: deal.dealId === options.dealId ? (options.worklogsForDeal as number) : (shares[shared.indexOf(deal)] as number),
    deal,
  }))
  streams.push({ key: 'unassigned', index: deals.length + 1, count: unassigned, deal: null })
  return streams
}

/** Largest-remainder split: the parts add up to `total` exactly, the same way every time. */
function splitByWeight(total: number, weights: readonly number[]): number[] {
  const sum = weights.reduce((a, b) => a + b, 0)
  const exact = weights.map((w) => (total * w) / sum)
  const parts = exact.map(Math.floor)
  let left = total - parts.reduce((a, b) => a + b, 0)
  const order = exact.map((x, i) => [x - Math.floor(x), i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1])
  for (const [, i] of order) {
    if (left <= 0) break
    parts[i] = (parts[i] as number) + 1
    left -= 1
  }
  return parts
}

function assertCount(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 0 || value > MAX_WORKLOGS_PER_STREAM) {
    throw new Error(`${name} must be an integer from 0 to ${MAX_WORKLOGS_PER_STREAM}, got ${value}`)
  }
}
