import { randomInt, randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { makeDeal } from '../billing/test-builders.js'
import { createDatabase, type Database } from '../lib/database.js'
import { sqlStateOf } from '../lib/database-errors.js'
import { createBilledInvoice, type BilledInvoice } from '../test-support/billed-invoice.js'
import { testDatabaseOwnerUrl, testDatabaseUrl } from '../test-support/env.js'
import { writeBilledWork } from './billed-work.js'

/**
 * PDFs, payments and the ledger are records: the database refuses what the product rules do not
 * allow (migration 20261201201000_records_protected), whoever asks, the owner included.
 */
describe('records the database keeps as they were', () => {
  let db: Database
  let owner: Database
  let invoice: BilledInvoice
  const deal = makeDeal({ dealId: `T-RECORDS-${randomInt(1e9)}`, projectKeys: ['REC'] })
  const worklogId = randomInt(1e9, 2e9)
  const failure = async (work: Promise<unknown>) => work.then(() => null, (err: unknown) => err as Error)
  const refused = async (work: Promise<unknown>, message: RegExp) => {
    const err = await failure(work)
    expect(sqlStateOf(err), String(err)).toBe('42501')
    expect(err?.message).toMatch(message)
  }
  const row = (id: number) => ({ worklogId: String(id), version: '1', issueId: '7000001', issueKey: 'REC-1', workDate: '2026-10-01', rawSeconds: 60, billableMinutes: 15, lineKey: 'time:x' })

  beforeAll(async () => {
    db = createDatabase(testDatabaseUrl())
    owner = createDatabase(testDatabaseOwnerUrl())
    invoice = await createBilledInvoice(db, {
      deal,
      month: '2026-10',
      worklogs: [{ id: worklogId, projectKey: 'REC', startedAt: '2026-10-01T06:00:00Z', seconds: 3600 }],
      versions: new Map([[worklogId, 1]]),
      timeZone: 'Asia/Tashkent',
    })
    await db.invoicePdf.create({ data: { invoiceId: invoice.invoiceId, version: 1, pdfData: Buffer.from('%PDF-1.7'), sha256: 'a'.repeat(64), sizeBytes: 8, templateVersion: 'test', inputHash: 'b'.repeat(64) } })
  })
  afterAll(async () => {
    await db?.$disconnect()
    await owner?.$disconnect()
  })

  it('keeps invoice PDFs as rendered: UPDATE, DELETE and TRUNCATE are refused', async () => {
    const where = { invoiceId_version: { invoiceId: invoice.invoiceId, version: 1 } }
    await refused(db.invoicePdf.update({ where, data: { sha256: 'c'.repeat(64) } }), /invoice_pdfs is append-only: UPDATE refused/)
    await refused(db.invoicePdf.delete({ where }), /invoice_pdfs is append-only: DELETE refused/)
    await refused(owner.$executeRaw`TRUNCATE "invoice_pdfs"`, /invoice_pdfs is append-only: TRUNCATE refused/)
    await refused(owner.$executeRaw`TRUNCATE "credit_note_pdfs"`, /credit_note_pdfs is append-only: TRUNCATE refused/)
    expect((await db.invoicePdf.findUniqueOrThrow({ where })).sha256).toBe('a'.repeat(64))
  })

  it('keeps payments as recorded, naming the table in the refusal', async () => {
    const payment = await db.payment.create({
      data: { id: randomUUID(), invoiceId: invoice.invoiceId, source: 'manual', externalKey: `manual:${randomUUID()}`, amount: '10.00', currency: 'USD', paidOn: new Date('2026-11-02'), recordedBy: 'alice' },
    })
    await refused(db.payment.update({ where: { id: payment.id }, data: { amount: '1.00' } }), /payments is append-only: UPDATE refused/)
    await refused(db.payment.delete({ where: { id: payment.id } }), /payments is append-only: DELETE refused/)
    await refused(owner.$executeRaw`TRUNCATE "payments"`, /payments is append-only: TRUNCATE refused/)
  })

  it('releases ledger rows only by voiding their invoice', async () => {
    await refused(db.billedWork.updateMany({ where: { invoiceId: invoice.invoiceId }, data: { releasedAt: new Date(), releasedReason: 'by hand' } }), /released by voiding their invoice/)
  })

  it('writes ledger rows at finalization only: none for an approved invoice, whose rows are never deleted', async () => {
    const id = randomInt(2e9, 3e9)
    const approved = await createBilledInvoice(db, {
      deal: { ...deal, projectKeys: ['REC2'] },
      month: '2026-09',
      worklogs: [{ id, projectKey: 'REC2', startedAt: '2026-09-02T06:00:00Z', seconds: 1800 }],
      versions: new Map([[id, 1]]),
      timeZone: 'Asia/Tashkent',
    })
    await db.invoice.update({ where: { id: approved.invoiceId }, data: { approvedAt: new Date(), approvedBy: 'bob' } })
    await refused(db.$transaction((tx) => writeBilledWork(tx, { invoiceId: approved.invoiceId, dealId: deal.dealId }, [row(randomInt(3e9, 4e9))])), /approved or void invoice is history: delete refused/)
    await refused(db.$executeRaw`INSERT INTO "billed_work" ("invoice_id", "deal_id", "worklog_id", "worklog_version", "issue_id", "issue_key", "work_date", "raw_seconds", "billable_minutes", "line_key", "worklog_hash")
      VALUES (${approved.invoiceId}::uuid, ${deal.dealId}, ${randomInt(3e9, 4e9)}, 1, 1, 'REC2-1', '2026-09-03', 60, 15, 'time:x', 0)`, /insert refused for an approved or void invoice/)
    // The approval cannot be taken back to reopen the rows.
    await refused(db.invoice.update({ where: { id: approved.invoiceId }, data: { approvedAt: null, approvedBy: null } }), /its approval cannot be removed/)
    expect(await db.billedWork.count({ where: { invoiceId: approved.invoiceId } })).toBe(1)
  })

  it('keeps released rows of a void invoice, and the void itself', async () => {
    await db.invoice.update({ where: { id: invoice.invoiceId }, data: { voidedAt: new Date(), voidReason: 'test', state: 'cancelled' } })
    const [released] = await db.billedWork.findMany({ where: { invoiceId: invoice.invoiceId } })
    expect(released?.releasedReason).toBe('void: test')
    await refused(db.billedWork.delete({ where: { id: released!.id } }), /released are history: delete refused/)
    await refused(db.invoice.update({ where: { id: invoice.invoiceId }, data: { voidedAt: null } }), /a void cannot be undone/)
    // A re-finalization's replace leaves released rows alone (it deletes live rows only).
    await db.$transaction((tx) => writeBilledWork(tx, { invoiceId: invoice.invoiceId, dealId: deal.dealId }, []))
    expect(await db.billedWork.count({ where: { invoiceId: invoice.invoiceId } })).toBe(1)
  })

  it('lets a re-finalization replace the live rows of an invoice nobody approved', async () => {
    const id = randomInt(4e9, 5e9)
    const open = await createBilledInvoice(db, {
      deal: { ...deal, projectKeys: ['REC3'] },
      month: '2026-08',
      worklogs: [{ id, projectKey: 'REC3', startedAt: '2026-08-04T06:00:00Z', seconds: 1800 }],
      versions: new Map([[id, 1]]),
      timeZone: 'Asia/Tashkent',
    })
    const other = randomInt(5e9, 6e9)
    await db.$transaction((tx) => writeBilledWork(tx, { invoiceId: open.invoiceId, dealId: deal.dealId }, [row(other)]))
    expect((await db.billedWork.findMany({ where: { invoiceId: open.invoiceId } })).map((r) => r.worklogId.toString())).toEqual([String(other)])
  })
})
