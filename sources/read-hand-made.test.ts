import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CONTACTS, DEALS, WORKLOGS } from './columns.js'
import { createTestClickHouse, type TestClickHouse } from './create-test-clickhouse.js'
import { toContactRow, toWorklogRow } from './generate/rows.js'
import type { WorklogVersion } from './generate/worklogs.js'
import { readContacts } from './read-contacts.js'
import { readDeal } from './read-deal.js'
import { readDealWorklogs, type ReadDealWorklogsOptions } from './read-deal-worklogs.js'
import { SOURCE_ERROR_TYPES } from './errors.js'
import { applySourceSchema } from './schema.js'

let ch: TestClickHouse

beforeAll(async () => {
  ch = createTestClickHouse('read-hand-made')
  await applySourceSchema(ch.client)
  // Keep every inserted version until a test merges on purpose.
  await ch.client.command({ query: `SYSTEM STOP MERGES ${WORKLOGS.table}` })
})

afterAll(async () => {
  await ch?.dispose()
})

interface Version {
  id: number
  version: number
  project?: string
  account?: string
  startedAt?: string
  spent?: number
  deleted?: boolean
}

/** Writes each version in its own insert, the way successive syncs do. */
async function insertVersions(versions: Version[]): Promise<void> {
  for (const v of versions) {
    const row: WorklogVersion = {
      worklogId: v.id,
      issueId: 77,
      issueKey: `${v.project ?? 'HAND'}-1`,
      projectKey: v.project ?? 'HAND',
      accountKey: v.account ?? '',
      authorAccountId: 'acc-1',
      authorName: 'Test Author',
      startedAtMs: Date.parse(v.startedAt ?? '2026-09-10T06:00:00Z'),
      timeSpentSeconds: v.spent ?? 3600,
      billableSeconds: v.spent ?? 3600,
      description: `hand-made ${v.id}`,
      version: v.version,
      deleted: v.deleted ?? false,
      syncedAtMs: Date.parse('2026-10-01T00:00:00Z') + v.version,
      pass: 1,
    }
    await ch.client.insert({ table: WORKLOGS.table, values: [toWorklogRow(row)], format: 'JSONEachRow' })
  }
}

async function countRows(table: string, where = '1'): Promise<number> {
  const result = await ch.client.query({ query: `SELECT toString(count()) AS n FROM ${table} WHERE ${where}`, format: 'JSONEachRow' })
  const [row] = await result.json<{ n: string }>()
  return Number(row?.n)
}

const september = (deal: ReadDealWorklogsOptions['deal'], timeZone = 'Asia/Tashkent'): ReadDealWorklogsOptions => ({
  deal,
  from: '2026-09-01',
  to: '2026-10-01',
  timeZone,
})

describe('latest state of hand-made versions', () => {
  const deal = { projectKeys: ['HAND'], tempoAccounts: ['HAND-ACC'] }

  beforeAll(async () => {
    await insertVersions([
      { id: 1, version: 1, spent: 3600 },
      { id: 1, version: 2, spent: 7200 }, // updated
      { id: 2, version: 1 },
      { id: 2, version: 2, deleted: true }, // deleted
      { id: 3, version: 1 },
      { id: 3, version: 2, project: 'OTHER' }, // moved out of the deal
      { id: 4, version: 1, project: 'OTHER' },
      { id: 4, version: 2 }, // moved into the deal
      { id: 5, version: 1 },
      { id: 5, version: 2, startedAt: '2026-10-02T06:00:00Z' }, // re-dated into October
      { id: 6, version: 5, spent: 1500 },
      { id: 6, version: 4, spent: 900 }, // an older version arriving late
      { id: 7, version: 1, spent: 600 },
      { id: 7, version: 2, deleted: true },
      { id: 8, version: 1, project: 'OTHER' },
      { id: 8, version: 2, project: 'OTHER', account: 'HAND-ACC' }, // joins by Tempo account
    ])
  })

  const expected = [
    ['1', 7200, '2'],
    ['4', 3600, '2'],
    ['6', 1500, '5'],
    ['8', 3600, '2'],
  ]

  it('returns the highest version per worklog, judged by where it is now, without deleted ones', async () => {
    const rows = await readDealWorklogs(ch.client, september(deal))
    expect(rows.map((w) => [w.worklogId, w.timeSpentSeconds, w.version]).sort()).toEqual(expected)
    // Older versions were still stored: the reader, not a merge, picked the latest.
    expect(await countRows(WORKLOGS.table, 'worklog_id <= 8')).toBe(16)

    // Once merges have dropped the old versions, the answer is the same.
    await ch.client.command({ query: `SYSTEM START MERGES ${WORKLOGS.table}` })
    await ch.client.command({ query: `OPTIMIZE TABLE ${WORKLOGS.table} FINAL` })
    await ch.client.command({ query: `SYSTEM STOP MERGES ${WORKLOGS.table}` })
    expect(await countRows(WORKLOGS.table, 'worklog_id <= 8')).toBeLessThan(16)
    const merged = await readDealWorklogs(ch.client, september(deal))
    expect(merged.map((w) => [w.worklogId, w.timeSpentSeconds, w.version]).sort()).toEqual(expected)
  })

  it('finds the re-dated worklog in October only', async () => {
    const october = await readDealWorklogs(ch.client, { ...september(deal), from: '2026-10-01', to: '2026-11-01' })
    expect(october.map((w) => w.worklogId)).toEqual(['5'])
  })

  it('returns nothing for a deal with no projects and no accounts', async () => {
    expect(await readDealWorklogs(ch.client, september({ projectKeys: [], tempoAccounts: [] }))).toEqual([])
  })

  it('refuses a malformed or empty period', async () => {
    const bad = [
      { from: '2026-09-31', to: '2026-10-01' },
      { from: '2026-9-1', to: '2026-10-01' },
      { from: '2026-10-01', to: '2026-10-01' },
      { from: '2026-10-01', to: '2026-09-01' },
    ]
    for (const period of bad) {
      await expect(readDealWorklogs(ch.client, { ...september(deal), ...period })).rejects.toMatchObject({
        type: SOURCE_ERROR_TYPES.invalidArgument,
      })
    }
  })
})

describe('month boundary in the company time zone', () => {
  const deal = { projectKeys: ['MB'], tempoAccounts: [] }

  beforeAll(async () => {
    await insertVersions([
      { id: 101, version: 1, project: 'MB', startedAt: '2026-09-30T19:30:00Z' }, // 00:30 on Oct 1 in Tashkent
      { id: 102, version: 1, project: 'MB', startedAt: '2026-09-30T18:45:00Z' }, // 23:45 on Sep 30 in Tashkent
      { id: 103, version: 1, project: 'MB', startedAt: '2026-08-31T19:30:00Z' }, // 00:30 on Sep 1 in Tashkent
    ])
  })

  const view = (rows: { worklogId: string; startedAt: string; workDate: string }[]) =>
    rows.map((w) => [w.worklogId, w.startedAt, w.workDate])

  it('puts 2026-09-30T19:30Z into October in Asia/Tashkent', async () => {
    expect(view(await readDealWorklogs(ch.client, september(deal)))).toEqual([
      ['103', '2026-08-31T19:30:00.000Z', '2026-09-01'],
      ['102', '2026-09-30T18:45:00.000Z', '2026-09-30'],
    ])
    const october = await readDealWorklogs(ch.client, { ...september(deal), from: '2026-10-01', to: '2026-11-01' })
    expect(view(october)).toEqual([['101', '2026-09-30T19:30:00.000Z', '2026-10-01']])
  })

  it('puts 2026-09-30T19:30Z into September in UTC', async () => {
    expect(view(await readDealWorklogs(ch.client, september(deal, 'UTC')))).toEqual([
      ['102', '2026-09-30T18:45:00.000Z', '2026-09-30'],
      ['101', '2026-09-30T19:30:00.000Z', '2026-09-30'],
    ])
  })
})

describe('user-supplied values are bound, never spliced', () => {
  const evil = "x'; DROP TABLE tempo.worklogs_flat; --"
  const backslash = "a\\' OR 1=1 --"

  it('matches the literal string and drops nothing', async () => {
    await insertVersions([{ id: 201, version: 1, project: evil }])
    const before = await countRows(WORKLOGS.table)

    expect(await readDeal(ch.client, evil)).toBeNull()
    expect(await readContacts(ch.client, evil)).toEqual([])
    const rows = await readDealWorklogs(ch.client, september({ projectKeys: [evil], tempoAccounts: [evil] }))
    expect(rows.map((w) => [w.worklogId, w.projectKey])).toEqual([['201', evil]])
    expect(await readDealWorklogs(ch.client, september({ projectKeys: [backslash], tempoAccounts: [] }))).toEqual([])

    const stamp = { version: 1, deleted: false, syncedAtMs: Date.parse('2026-10-01T00:00:00Z') }
    const contact = { contactId: backslash, customerId: evil, name: "O'Brien", email: 'ob@x.example', phone: '', isBilling: true }
    await ch.client.insert({ table: CONTACTS.table, values: [toContactRow(contact, stamp)], format: 'JSONEachRow' })
    expect(await readContacts(ch.client, evil)).toEqual([{ ...contact, version: '1' }])

    const exists = await ch.client.query({ query: `EXISTS TABLE ${WORKLOGS.table}`, format: 'JSONEachRow' })
    expect(await exists.json()).toEqual([{ result: 1 }])
    expect(await countRows(WORKLOGS.table)).toBe(before)
    expect(await countRows(DEALS.table)).toBe(0)
  })
})
