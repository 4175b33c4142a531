import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ISSUES, SOURCE_TABLES, WORKLOGS } from './columns.js'
import { createTestClickHouse, type TestClickHouse } from './create-test-clickhouse.js'
import { CATALOG_CONTACTS, CATALOG_CUSTOMERS, CATALOG_DEALS, SAMPLE_CUSTOMERS, SAMPLE_DEALS } from './generate/catalog.js'
import { generateSources, type GenerateSummary } from './generate/generate-sources.js'
import { readContacts } from './read-contacts.js'
import { readCustomer } from './read-customer.js'
import { readDeal } from './read-deal.js'
import { readDealWorklogs } from './read-deal-worklogs.js'
import { readIssues } from './read-issues.js'
import { SOURCE_ERROR_TYPES } from './errors.js'
import { applySourceSchema } from './schema.js'
import type { SourceDeal } from './types.js'

let ch: TestClickHouse
let summary: GenerateSummary
const TZ = 'Asia/Tashkent'
const TASHKENT_OFFSET_MS = 5 * 3_600_000

beforeAll(async () => {
  ch = createTestClickHouse('read-generated')
  await applySourceSchema(ch.client)
  // Keep every stored version, so the readers (not background merges) must pick the latest.
  for (const table of SOURCE_TABLES) await ch.client.command({ query: `SYSTEM STOP MERGES ${table}` })
  summary = await generateSources(ch.client, { seed: 7, months: ['2026-09', '2026-10'], worklogs: 4000, batchSize: 1500 })
})

afterAll(async () => {
  await ch?.dispose()
})

async function requireDeal(dealId: string): Promise<SourceDeal> {
  const deal = await readDeal(ch.client, dealId)
  if (deal === null) throw new Error(`deal ${dealId} not found`)
  return deal
}

interface RawWorklog {
  id: string
  project: string
  account: string
  startedMs: number
  spent: number
  billable: number
  version: bigint
  deleted: number
}

/** Every stored version of every worklog, read without FINAL. */
async function readRawWorklogs(): Promise<RawWorklog[]> {
  const w = WORKLOGS
  const result = await ch.client.query({
    query: `SELECT toString(${w.worklogId}) AS id, ${w.projectKey} AS project, ${w.accountKey} AS account,
      toUnixTimestamp64Milli(${w.startedAt}) AS startedMs, ${w.timeSpentSeconds} AS spent, ${w.billableSeconds} AS billable,
      toString(${w.version}) AS version, ${w.deleted} AS deleted FROM ${w.table}`,
    format: 'JSONEachRow',
  })
  const rows = await result.json<Omit<RawWorklog, 'version' | 'startedMs'> & { version: string; startedMs: string }>()
  return rows.map((r) => ({ ...r, startedMs: Number(r.startedMs), version: BigInt(r.version) }))
}

/** The "latest state" rule done by hand: highest version per id, deletes dropped, then filtered. */
function latestForDeal(raw: RawWorklog[], deal: SourceDeal, from: string, to: string): Map<string, RawWorklog> {
  const latest = new Map<string, RawWorklog>()
  for (const row of raw) {
    const seen = latest.get(row.id)
    if (seen === undefined || row.version > seen.version) latest.set(row.id, row)
  }
  const out = new Map<string, RawWorklog>()
  for (const [id, row] of latest) {
    if (row.deleted === 1) continue
    const inDeal = deal.projectKeys.includes(row.project) || (row.account !== '' && deal.tempoAccounts.includes(row.account))
    const workDate = new Date(row.startedMs + TASHKENT_OFFSET_MS).toISOString().slice(0, 10)
    if (inDeal && workDate >= from && workDate < to) out.set(id, row)
  }
  return out
}

describe('readDeal', () => {
  it('returns every catalog deal in its latest state', async () => {
    for (const expected of CATALOG_DEALS) {
      expect(await readDeal(ch.client, expected.dealId)).toEqual({ ...expected, version: expect.stringMatching(/^\d+$/) })
    }
  })

  it('reads an updated deal at its second version', async () => {
    const deal = await requireDeal(SAMPLE_DEALS.tmUsdRateUpdated)
    expect(deal.hourlyRate).toBe('75.0000')
    const result = await ch.client.query({
      query: `SELECT count() AS n FROM cdm.jira_applications WHERE deal_id = {id:String}`,
      query_params: { id: SAMPLE_DEALS.tmUsdRateUpdated },
      format: 'JSONEachRow',
    })
    expect(await result.json()).toEqual([{ n: '2' }])
  })

  it('returns null for a deleted deal and for an unknown id', async () => {
    expect(await readDeal(ch.client, SAMPLE_DEALS.deleted)).toBeNull()
    expect(await readDeal(ch.client, 'APP-0000')).toBeNull()
    expect(await readDeal(ch.client, '')).toBeNull()
  })
})

describe('readCustomer and readContacts', () => {
  it('returns every catalog customer in its latest state', async () => {
    for (const expected of CATALOG_CUSTOMERS) {
      expect(await readCustomer(ch.client, expected.customerId)).toEqual({ ...expected, version: expect.stringMatching(/^\d+$/) })
    }
    const updated = await readCustomer(ch.client, SAMPLE_CUSTOMERS.uzEmailRu)
    expect(updated?.address).toBe("Farg'ona sh., Al-Farg'oniy ko'chasi, 7-uy, 3-qavat")
    expect(updated?.accountant).toBe('Nazarova Malika Tursunovna')
  })

  it('returns null for a deleted or unknown customer', async () => {
    expect(await readCustomer(ch.client, SAMPLE_CUSTOMERS.deleted)).toBeNull()
    expect(await readCustomer(ch.client, 'CUST-XX-00')).toBeNull()
  })

  it('returns contacts in their latest state without deleted ones', async () => {
    const uz02 = await readContacts(ch.client, SAMPLE_CUSTOMERS.uzEInvoicingUz)
    expect(uz02.map((c) => c.contactId)).toEqual(['CONT-UZ-02-1'])
    const uz01 = await readContacts(ch.client, SAMPLE_CUSTOMERS.uzEInvoicingRu)
    expect(uz01.map((c) => [c.contactId, c.email, c.isBilling])).toEqual([
      ['CONT-UZ-01-1', 'buxgalteriya@toshkent-raqamli.example', true],
      ['CONT-UZ-01-2', 'director@toshkent-raqamli.example', true],
      ['CONT-UZ-01-3', 'pm@toshkent-raqamli.example', false],
    ])
    for (const customer of CATALOG_CUSTOMERS) {
      const expected = CATALOG_CONTACTS.filter((c) => c.customerId === customer.customerId)
      const actual = await readContacts(ch.client, customer.customerId)
      expect(actual.map(({ version: _v, ...c }) => c)).toEqual(expected)
    }
  })
})

describe('readDealWorklogs on generated data', () => {
  it.each([
    [SAMPLE_DEALS.tmUsdUzEInvoicing, '2026-09-01', '2026-10-01'],
    [SAMPLE_DEALS.tmUsdProjectAndAccount, '2026-09-01', '2026-10-01'],
    [SAMPLE_DEALS.retainerUzsAccountOnly, '2026-10-01', '2026-11-01'],
    [SAMPLE_DEALS.tmEurBillsNonBillable, '2026-09-01', '2026-11-01'],
  ])('agrees with the latest state computed from all stored versions (%s, %s..%s)', async (dealId, from, to) => {
    const deal = await requireDeal(dealId)
    const raw = await readRawWorklogs()
    const expected = latestForDeal(raw, deal, from, to)
    const actual = await readDealWorklogs(ch.client, { deal, from, to, timeZone: TZ })

    expect(actual.length).toBeGreaterThan(0)
    expect(actual.map((w) => w.worklogId).sort()).toEqual([...expected.keys()].sort())
    for (const w of actual) {
      const row = expected.get(w.worklogId) as RawWorklog
      expect([w.timeSpentSeconds, w.billableSeconds, w.version, Date.parse(w.startedAt)]).toEqual([
        row.spent,
        row.billable,
        String(row.version),
        row.startedMs,
      ])
    }
    // The deal's stored rows really hold older versions and deletes, so the rule was exercised.
    const ids = new Set(raw.filter((r) => deal.projectKeys.includes(r.project) || deal.tempoAccounts.includes(r.account)).map((r) => r.id))
    const versions = raw.filter((r) => ids.has(r.id)).length
    expect(versions).toBeGreaterThan(ids.size)
  })

  it('returns each edge-case fixture in its latest state, or not at all', async () => {
    const deal = await requireDeal(SAMPLE_DEALS.tmUsdUzEInvoicing)
    const all = await readDealWorklogs(ch.client, { deal, from: '2026-08-01', to: '2026-12-01', timeZone: TZ })
    const byId = new Map(all.map((w) => [w.worklogId, w]))
    expect(summary.edgeCases.length).toBeGreaterThan(10)
    for (const edge of summary.edgeCases) {
      const found = byId.get(edge.worklogId)
      if (edge.expected === null) {
        expect(found, `${edge.kind} ${edge.worklogId}`).toBeUndefined()
      } else {
        expect(found, `${edge.kind} ${edge.worklogId}`).toMatchObject(edge.expected)
      }
    }
  })

  it('reads the hand-written fixtures as their definitions say', async () => {
    const deal = await requireDeal(SAMPLE_DEALS.tmUsdUzEInvoicing)
    const september = await readDealWorklogs(ch.client, { deal, from: '2026-09-01', to: '2026-10-01', timeZone: TZ })
    const kinds = new Map(summary.edgeCases.map((e) => [e.worklogId, e.kind]))
    const found = (kind: string) => september.filter((w) => kinds.get(w.worklogId) === kind)
    expect(found('updated').map((w) => w.timeSpentSeconds)).toEqual([5400])
    expect(found('updated-out-of-order').map((w) => w.timeSpentSeconds)).toEqual([4500])
    expect(found('one-minute').map((w) => w.timeSpentSeconds)).toEqual([60])
    expect(found('non-billable').map((w) => w.billableSeconds)).toEqual([0])
    expect(found('negative-duration').map((w) => w.timeSpentSeconds)).toEqual([-1800])
    expect(found('deleted')).toEqual([])
    expect(found('moved-out')).toEqual([])
    expect(found('moved-in')).toHaveLength(1)
    expect(found('redated')).toEqual([]) // moved to August
    expect(found('month-end-same-day').map((w) => [w.startedAt, w.workDate])).toEqual([['2026-09-30T18:45:00.000Z', '2026-09-30']])
    expect(found('month-end-next-day')).toEqual([])

    const october = await readDealWorklogs(ch.client, { deal, from: '2026-10-01', to: '2026-11-01', timeZone: TZ })
    const nextDay = october.filter((w) => kinds.get(w.worklogId) === 'month-end-next-day')
    expect(nextDay.map((w) => [w.startedAt, w.workDate])).toEqual([['2026-09-30T19:30:00.000Z', '2026-10-01']])
  })
})

describe('readIssues', () => {
  it('returns the latest state of known issues and skips missing ones', async () => {
    const deal = await requireDeal(SAMPLE_DEALS.tmUsdUzEInvoicing)
    const worklogs = await readDealWorklogs(ch.client, { deal, from: '2026-09-01', to: '2026-11-01', timeZone: TZ })
    const ids = [...new Set(worklogs.map((w) => w.issueId))]
    const issues = await readIssues(ch.client, ids)

    const result = await ch.client.query({
      query: `SELECT toString(${ISSUES.issueId}) AS id, argMax(${ISSUES.status}, ${ISSUES.version}) AS status,
        argMax(${ISSUES.deleted}, ${ISSUES.version}) AS deleted FROM ${ISSUES.table} GROUP BY ${ISSUES.issueId}`,
      format: 'JSONEachRow',
    })
    const latest = new Map((await result.json<{ id: string; status: string; deleted: number }>()).map((r) => [r.id, r]))
    const expectedIds = ids.filter((id) => latest.get(id)?.deleted === 0).sort((a, b) => Number(a) - Number(b))

    expect(issues.map((i) => i.issueId)).toEqual(expectedIds)
    expect(expectedIds.length).toBeLessThan(ids.length) // the fixture on TRY-9999 at least
    for (const issue of issues) expect(issue.status).toBe(latest.get(issue.issueId)?.status)
  })

  it('returns nothing for no ids and refuses ids that are not numbers', async () => {
    expect(await readIssues(ch.client, [])).toEqual([])
    await expect(readIssues(ch.client, ['10001', "1' OR '1'='1"])).rejects.toMatchObject({ type: SOURCE_ERROR_TYPES.invalidArgument })
  })
})
