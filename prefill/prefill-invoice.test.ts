import { Decimal } from 'decimal.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { summarizeWorklogs } from '../billing/summarize-worklogs.js'
import { buildMonthPeriod } from '../billing/period.js'
import { resolveRounding } from '../billing/worklog-minutes.js'
import { readBillingRules } from '../db/read-billing-rules.js'
import { createDatabase, type Database } from '../lib/database.js'
import { ERROR_TYPES } from '../lib/error-types.js'
import { PermanentError } from '../lib/permanent-error.js'
import { WORKLOGS } from '../sources/columns.js'
import { createTestClickHouse, type TestClickHouse } from '../sources/create-test-clickhouse.js'
import { CATALOG_DEALS, SAMPLE_DEALS } from '../sources/generate/catalog.js'
import { generateSources, type GenerateSummary } from '../sources/generate/generate-sources.js'
import { readDealWorklogs } from '../sources/read-deal-worklogs.js'
import { readDeal } from '../sources/read-deal.js'
import { readBillingWorklogs } from '../sources/read-billing-worklogs.js'
import { testDatabaseUrl } from '../test-support/env.js'
import { prefillInvoice, readCurrentFingerprint } from './prefill-invoice.js'

const TZ = 'Asia/Tashkent'
const october = buildMonthPeriod('2026-10')

describe('prefill against the embedded ClickHouse and PostgreSQL', () => {
  let ch: TestClickHouse
  let db: Database
  let generated: GenerateSummary
  const deps = () => ({ db, clickhouse: ch.client, timeZone: TZ })

  beforeAll(async () => {
    ch = createTestClickHouse('prefill')
    db = createDatabase(testDatabaseUrl())
    generated = await generateSources(ch.client, { seed: 7, months: ['2026-09', '2026-10', '2026-11'], worklogs: 6000 })
  })
  afterAll(async () => {
    await ch?.dispose()
    await db?.$disconnect()
  })

  it('reads, worklog by worklog, exactly the worklogs the reference reader selects, for every deal', async () => {
    const rules = await readBillingRules(db, { dealId: 'none', customerId: 'none' })
    let compared = 0
    for (const catalogDeal of CATALOG_DEALS) {
      const deal = await readDeal(ch.client, catalogDeal.dealId)
      if (!deal) continue
      const rounding = resolveRounding(deal, rules.settings)
      const selection = { deal, from: october.from, to: october.to, timeZone: TZ }
      const fromSql = summarizeWorklogs(await readBillingWorklogs(ch.client, { ...selection, deal, extraDays: [] }), rounding)
      const reference = summarizeWorklogs(await readDealWorklogs(ch.client, selection), rounding)
      const byKey = (e: { issueId: string; accountKey: string; workDate: string; billable: boolean }) => `${e.workDate}|${e.issueId}|${e.accountKey}|${e.billable}`
      expect(new Map(fromSql.map((e) => [byKey(e), e]))).toEqual(new Map(reference.map((e) => [byKey(e), e])))
      compared += fromSql.length
    }
    expect(compared).toBeGreaterThan(500)
  })

  it('counts a worklog at 19:30 UTC on Sep 30 in October in Tashkent, and in September in UTC', async () => {
    const edge = generated.edgeCases.find(
      (e) => e.kind === 'month-end-next-day' && new Date(e.versions[0]!.startedAtMs).toISOString() === '2026-09-30T19:30:00.000Z',
    )
    expect(edge, 'the generator writes a worklog at 2026-09-30T19:30Z').toBeDefined()
    const deal = (await readDeal(ch.client, edge!.dealId))!
    const rounding = { minBillableMinutes: 15, roundingIncrementMinutes: 15 }
    const utcDate = '2026-09-30'
    const tashkentDate = '2026-10-01'
    expect(utcDate).not.toBe(tashkentDate)
    for (const [zone, date] of [[TZ, tashkentDate], ['UTC', utcDate]] as const) {
      const period = { from: date, to: new Date(Date.parse(`${date}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10) }
      const entries = summarizeWorklogs(await readBillingWorklogs(ch.client, { deal, ...period, timeZone: zone, extraDays: [] }), rounding)
      const worklogs = await readDealWorklogs(ch.client, { deal, ...period, timeZone: zone })
      expect(worklogs.map((w) => w.worklogId)).toContain(edge!.worklogId)
      expect(entries.every((e) => e.workDate === date)).toBe(true)
    }
  })

  it('builds a time & materials preview whose total is subtotal plus VAT, in decimal', async () => {
    const { preview, deal } = await prefillInvoice(deps(), { dealId: SAMPLE_DEALS.tmUsdUzEInvoicing, period: october })
    expect(preview.currency).toBe('USD')
    expect(preview.errors).toEqual([])
    expect(preview.lines.filter((l) => l.kind === 'time').length).toBeGreaterThan(0)
    const sum = preview.lines.reduce((acc, l) => acc.plus(l.amount), new Decimal(0))
    expect(sum.toFixed(2)).toBe(new Decimal(preview.subtotal).toFixed(2))
    const vat = new Decimal(preview.subtotal).times(deal.vatRate ?? '12').dividedBy(100).toDecimalPlaces(2, Decimal.ROUND_HALF_UP)
    expect(new Decimal(preview.vatAmount).equals(vat)).toBe(true)
    expect(new Decimal(preview.total).equals(vat.plus(preview.subtotal))).toBe(true)
    expect(preview.sourceFingerprint).toMatch(/^sha256:[0-9a-f]{64}$/)
  })

  it.each([
    ['fixed monthly, UZS', SAMPLE_DEALS.fixedMonthlyUzs, 'UZS'],
    ['retainer, UZS', SAMPLE_DEALS.retainerUzs, 'UZS'],
    ['retainer, EUR', SAMPLE_DEALS.retainerEurForeignDe, 'EUR'],
    ['time & materials, EUR', SAMPLE_DEALS.tmEurForeignDe, 'EUR'],
  ])('builds a %s preview without errors', async (_name, dealId, currency) => {
    const { preview, deal } = await prefillInvoice(deps(), { dealId, period: october })
    expect(preview.currency).toBe(currency)
    expect(preview.errors).toEqual([])
    if (deal.dealType !== 'time_and_materials') {
      const fee = preview.lines.find((l) => l.kind === 'fee')
      expect(fee?.amount).toBe(new Decimal(deal.monthlyFee!).toFixed(2))
    }
  })

  it('gives the same preview, byte for byte, for the same sources and rules', async () => {
    const a = await prefillInvoice(deps(), { dealId: SAMPLE_DEALS.tmUzsHoursCap, period: october })
    const b = await prefillInvoice(deps(), { dealId: SAMPLE_DEALS.tmUzsHoursCap, period: october })
    expect(JSON.stringify(b.preview)).toBe(JSON.stringify(a.preview))
  })

  it('refuses an unknown deal as a permanent failure', async () => {
    const failure = prefillInvoice(deps(), { dealId: 'APP-0000', period: october })
    await expect(failure).rejects.toBeInstanceOf(PermanentError)
    await expect(failure).rejects.toMatchObject({ type: ERROR_TYPES.unknownDeal, message: expect.stringContaining('APP-0000') })
  })

  it('changes the fingerprint when the sync updates a worklog of the period', async () => {
    const request = { dealId: SAMPLE_DEALS.tmUsdProjectAndAccount, period: october }
    const before = await prefillInvoice(deps(), request)
    expect(await readCurrentFingerprint(deps(), request)).toBe(before.preview.sourceFingerprint)

    const deal = (await readDeal(ch.client, request.dealId))!
    const [worklog] = await readDealWorklogs(ch.client, { deal, from: october.from, to: october.to, timeZone: TZ })
    await ch.client.insert({
      table: WORKLOGS.table,
      format: 'JSONEachRow',
      values: [
        {
          [WORKLOGS.worklogId]: worklog!.worklogId,
          [WORKLOGS.issueId]: worklog!.issueId,
          [WORKLOGS.issueKey]: worklog!.issueKey,
          [WORKLOGS.projectKey]: worklog!.projectKey,
          [WORKLOGS.accountKey]: worklog!.accountKey,
          [WORKLOGS.authorAccountId]: worklog!.authorAccountId,
          [WORKLOGS.authorName]: worklog!.authorName,
          [WORKLOGS.startedAt]: worklog!.startedAt.replace('T', ' ').replace('Z', ''),
          [WORKLOGS.timeSpentSeconds]: worklog!.timeSpentSeconds + 3600,
          [WORKLOGS.billableSeconds]: worklog!.billableSeconds > 0 ? worklog!.billableSeconds + 3600 : 0,
          [WORKLOGS.description]: worklog!.description,
          [WORKLOGS.version]: (BigInt(worklog!.version) + 1000n).toString(),
          [WORKLOGS.deleted]: 0,
        },
      ],
    })
    const current = await readCurrentFingerprint(deps(), request)
    expect(current).not.toBe(before.preview.sourceFingerprint)
    const after = await prefillInvoice(deps(), request)
    expect(after.preview.sourceFingerprint).toBe(current)
  })
})
