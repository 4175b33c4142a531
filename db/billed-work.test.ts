import { randomInt } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { makeDeal } from '../billing/test-builders.js'
import { createDatabase, type Database } from '../lib/database.js'
import { sqlStateOf } from '../lib/database-errors.js'
import { createBilledInvoice, type BilledInvoice } from '../test-support/billed-invoice.js'
import { testDatabaseUrl } from '../test-support/env.js'
import { createTestClickHouse } from '../sources/create-test-clickhouse.js'
import { isBilledElsewhereViolation, writeBilledWork } from './billed-work.js'

/** The ledger's rules, enforced by PostgreSQL itself (migrations 20261201120000 and 20261201122000). */
describe('billed_work: the database protects the rule and the history', () => {
  let db: Database
  let invoice: BilledInvoice
  const deal = makeDeal({ dealId: `T-LEDGER-${randomInt(1e9)}`, projectKeys: ['LDG'] })
  const ids = [randomInt(1e9, 2e9), randomInt(2e9, 3e9)]
  const worklogs = ids.map((id, i) => ({ id, projectKey: 'LDG', startedAt: `2026-10-0${i + 1}T06:00:00Z`, seconds: 3600 }))
  const versions = new Map(ids.map((id) => [id, 1]))
  const row = (worklogId: number) => ({ worklogId: String(worklogId), version: '1', issueId: '7000001', issueKey: 'LDG-1', workDate: '2026-10-01', rawSeconds: 60, billableMinutes: 15, lineKey: 'time:x' })
  const failure = async (work: Promise<unknown>) => work.then(() => null, (err: unknown) => err)

  beforeAll(async () => {
    db = createDatabase(testDatabaseUrl())
    invoice = await createBilledInvoice(db, { deal, month: '2026-10', worklogs, versions, timeZone: 'Asia/Tashkent' })
  })
  afterAll(() => db?.$disconnect())

  it('keeps a worklog on one live invoice: a second live row is refused by the unique index', async () => {
    const err = await failure(db.$transaction((tx) => writeBilledWork(tx, { invoiceId: invoice.invoiceId, dealId: deal.dealId }, [row(ids[0]!), row(ids[0]!)])))
    expect(isBilledElsewhereViolation(err)).toBe(true)
    expect(await db.billedWork.count({ where: { invoiceId: invoice.invoiceId } })).toBe(2)
  })

  it('hashes ids in the ledger as ClickHouse does (the day comparison XORs them on both sides)', async () => {
    const sample = ['1', '2', '3', '4', '5', '9000000018', '18446744073709551615', ...Array.from({ length: 50 }, () => String(randomInt(1, 2 ** 47)))]
    const fromPostgres = await db.$queryRaw<{ h: string }[]>`SELECT ((('x' || left(md5(id), 16))::bit(64))::bigint)::text AS h FROM unnest(${sample}::text[]) WITH ORDINALITY AS t(id, n) ORDER BY n`
    const ch = createTestClickHouse('worklog-hash')
    try {
      const result = await ch.client.query({
        query: 'SELECT toString(reinterpretAsInt64(reverse(substring(MD5(toString(id)), 1, 8)))) AS h FROM (SELECT arrayJoin({ids:Array(UInt64)}) AS id)',
        query_params: { ids: sample.map((id) => BigInt(id)) },
        format: 'JSONEachRow',
      })
      const fromClickHouse = (await result.json<{ h: string }>()).map((r) => r.h)
      expect(fromPostgres.map((r) => r.h)).toEqual(fromClickHouse)
      expect(fromClickHouse.some((h) => h.startsWith('-'))).toBe(true)
      // And the rows written carry it.
      const stored = await db.$queryRaw<{ same: boolean }[]>`
        SELECT bool_and("worklog_hash" = ((('x' || left(md5("worklog_id"::text), 16))::bit(64))::bigint)) AS same FROM "billed_work" WHERE "invoice_id" = ${invoice.invoiceId}::uuid`
      expect(stored[0]!.same).toBe(true)
    } finally {
      await ch.dispose()
    }
  })

  it('refuses rows of an invoice that does not exist', async () => {
    const err = await failure(db.$transaction((tx) => writeBilledWork(tx, { invoiceId: '00000000-0000-4000-8000-000000000000', dealId: deal.dealId }, [row(randomInt(3e9, 4e9))])))
    expect(sqlStateOf(err)).toBe('23503')
  })

  it('changes a row only by releasing it once; a void releases every row and keeps them', async () => {
    const [first] = await db.billedWork.findMany({ where: { invoiceId: invoice.invoiceId }, orderBy: { id: 'asc' } })
    expect(sqlStateOf(await failure(db.billedWork.update({ where: { id: first!.id }, data: { billableMinutes: 1 } })))).toBe('42501')
    expect(sqlStateOf(await failure(db.$executeRaw`TRUNCATE "billed_work"`))).toBe('42501')
    await db.invoice.update({ where: { id: invoice.invoiceId }, data: { voidedAt: new Date(), voidReason: 'wrong contract', state: 'cancelled' } })
    const rows = await db.billedWork.findMany({ where: { invoiceId: invoice.invoiceId } })
    expect(rows.map((r) => [r.releasedAt !== null, r.releasedReason])).toEqual([
      [true, 'void: wrong contract'],
      [true, 'void: wrong contract'],
    ])
    expect(sqlStateOf(await failure(db.billedWork.update({ where: { id: first!.id }, data: { releasedAt: new Date(), releasedReason: 'again' } })))).toBe('42501')
    // Released, the worklogs may be billed again.
    await db.$transaction((tx) => writeBilledWork(tx, { invoiceId: invoice.invoiceId, dealId: deal.dealId }, []))
  })

  it('keeps the rows of an approved invoice, and the invoice itself, from being deleted', async () => {
    const id = randomInt(4e9, 5e9)
    const work = [{ id, projectKey: 'LDG2', startedAt: '2026-09-03T06:00:00Z', seconds: 1800 }]
    const approved = await createBilledInvoice(db, { deal: { ...deal, projectKeys: ['LDG2'] }, month: '2026-09', worklogs: work, versions: new Map([[id, 1]]), timeZone: 'Asia/Tashkent' })
    await db.invoice.update({ where: { id: approved.invoiceId }, data: { approvedAt: new Date(), approvedBy: 'bob' } })
    expect(sqlStateOf(await failure(db.billedWork.deleteMany({ where: { invoiceId: approved.invoiceId } })))).toBe('42501')
    expect(sqlStateOf(await failure(db.$executeRaw`DELETE FROM "invoices" WHERE "id" = ${approved.invoiceId}::uuid`))).toBe('23503')
    expect(await db.billedWork.count({ where: { invoiceId: approved.invoiceId } })).toBe(1)
  })
})
