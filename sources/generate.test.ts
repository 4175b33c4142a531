import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CONTACTS, CUSTOMERS, DEALS, ISSUES, SOURCE_TABLES, WORKLOGS } from './columns.js'
import { createTestClickHouse, type TestClickHouse } from './create-test-clickhouse.js'
import { generateSources, planStreams, type GenerateOptions } from './generate/generate-sources.js'
import { parseMonths } from './generate/months.js'
import { ID_RANGE } from './generate/worklogs.js'
import { applySourceSchema, truncateSourceTables } from './schema.js'

type Checksums = Record<string, { rows: string; xor: string; sum: string }>

let ch: TestClickHouse

beforeAll(async () => {
  ch = createTestClickHouse('generate')
  await applySourceSchema(ch.client)
  // Background merges would drop older versions at random moments and change the raw rows.
  for (const table of SOURCE_TABLES) await ch.client.command({ query: `SYSTEM STOP MERGES ${table}` })
})

afterAll(async () => {
  await ch?.dispose()
})

const small: GenerateOptions = { seed: 42, months: parseMonths('2026-08..2026-10'), worklogs: 3000, batchSize: 1000 }

/** Every stored row of every table, all versions, hashed. */
async function checksumTables(): Promise<Checksums> {
  const out: Checksums = {}
  for (const table of SOURCE_TABLES) {
    const result = await ch.client.query({
      query: `SELECT toString(count()) AS rows, toString(groupBitXor(cityHash64(*))) AS xor, toString(sum(cityHash64(*))) AS sum FROM ${table}`,
      format: 'JSONEachRow',
    })
    const [row] = await result.json<{ rows: string; xor: string; sum: string }>()
    if (row === undefined) throw new Error(`no checksum for ${table}`)
    out[table] = row
  }
  return out
}

async function generateFresh(options: GenerateOptions): Promise<{ sums: Checksums; rowsWritten: Record<string, number> }> {
  await truncateSourceTables(ch.client)
  const summary = await generateSources(ch.client, options)
  return { sums: await checksumTables(), rowsWritten: summary.rowsWritten }
}

async function scalar(query: string): Promise<number> {
  const result = await ch.client.query({ query: `SELECT toString((${query})) AS v`, format: 'JSONEachRow' })
  const [row] = await result.json<{ v: string }>()
  return Number(row?.v)
}

describe('generateSources', () => {
  it('writes the same rows for the same seed, whatever the batch size, and other rows for another seed', async () => {
    const first = await generateFresh(small)
    const again = await generateFresh(small)
    const bigBatches = await generateFresh({ ...small, batchSize: 50_000 })
    const otherSeed = await generateFresh({ ...small, seed: 43 })

    expect(Number(first.sums[WORKLOGS.table]?.rows)).toBeGreaterThan(3000)
    expect(again.sums).toEqual(first.sums)
    expect(bigBatches.sums).toEqual(first.sums)
    // Jira and Tempo depend on the seed; the CDM catalog is the same for every seed.
    expect(otherSeed.sums[WORKLOGS.table]).not.toEqual(first.sums[WORKLOGS.table])
    expect(otherSeed.sums[ISSUES.table]).not.toEqual(first.sums[ISSUES.table])
    for (const table of [DEALS.table, CUSTOMERS.table, CONTACTS.table]) {
      expect(otherSeed.sums[table]).toEqual(first.sums[table])
    }
  })

  it('reports the rows it inserted', async () => {
    const { sums, rowsWritten } = await generateFresh(small)
    for (const table of SOURCE_TABLES) expect(String(rowsWritten[table])).toBe(sums[table]?.rows)
  })

  it('writes the edge cases a sync produces', async () => {
    await generateFresh(small)
    const w = WORKLOGS
    expect(await scalar(`SELECT countIf(${w.timeSpentSeconds} = 60) FROM ${w.table}`)).toBeGreaterThan(0)
    expect(await scalar(`SELECT countIf(${w.billableSeconds} = 0 AND ${w.timeSpentSeconds} > 0) FROM ${w.table}`)).toBeGreaterThan(0)
    expect(await scalar(`SELECT countIf(${w.timeSpentSeconds} = 0) FROM ${w.table}`)).toBeGreaterThan(0)
    expect(await scalar(`SELECT countIf(${w.timeSpentSeconds} < 0) FROM ${w.table}`)).toBeGreaterThan(0)
    expect(await scalar(`SELECT countIf(${w.deleted} = 1) FROM ${w.table}`)).toBeGreaterThan(0)
    // Updated rows: more stored versions than worklog ids, beyond the deletes.
    const extraVersions = await scalar(`SELECT count() - uniqExact(${w.worklogId}) FROM ${w.table}`)
    const deletes = await scalar(`SELECT countIf(${w.deleted} = 1) FROM ${w.table}`)
    expect(extraVersions).toBeGreaterThan(deletes)
    // Worklogs on issues missing from Jira.
    const missing = await scalar(
      `SELECT count() FROM ${w.table} WHERE ${w.issueId} NOT IN (SELECT ${ISSUES.issueId} FROM ${ISSUES.table})`,
    )
    expect(missing).toBeGreaterThan(0)
    // Near midnight in Tashkent: started 19:00-23:59 UTC is the next calendar day there.
    expect(await scalar(`SELECT countIf(toHour(${w.startedAt}) >= 19) FROM ${w.table}`)).toBeGreaterThan(0)
    expect(await scalar(`SELECT countIf(${w.startedAt} = toDateTime64('2026-09-30 19:30:00', 3, 'UTC')) FROM ${w.table}`)).toBeGreaterThan(0)
  })

  it('gives the chosen deal exactly the requested number of worklogs', async () => {
    const streams = planStreams({ worklogs: 2000, dealId: 'APP-1003', worklogsForDeal: 1234 })
    const stream = streams.find((s) => s.key === 'APP-1003')
    expect(stream?.count).toBe(1234)
    expect(streams.filter((s) => s.key !== 'APP-1003').reduce((n, s) => n + s.count, 0)).toBe(2000)

    await truncateSourceTables(ch.client)
    await generateSources(ch.client, { ...small, worklogs: 2000, dealId: 'APP-1003', worklogsForDeal: 1234 })
    const lo = (stream?.index ?? 0) * ID_RANGE
    const ids = await scalar(
      `SELECT uniqExact(${WORKLOGS.worklogId}) FROM ${WORKLOGS.table} WHERE ${WORKLOGS.worklogId} > ${lo} AND ${WORKLOGS.worklogId} < ${lo + ID_RANGE}`,
    )
    expect(ids).toBe(1234)
  })

  it('refuses an unknown deal and a half-given override', () => {
    expect(() => planStreams({ dealId: 'APP-9999', worklogsForDeal: 10 })).toThrow(/unknown deal/)
    expect(() => planStreams({ dealId: 'APP-1001' })).toThrow(/go together/)
  })
})
