import { randomInt, randomUUID } from 'node:crypto'
import { afterAll, describe, expect, it } from 'vitest'
import { buildPreview } from '../billing/build-preview.js'
import type { InvoicePreview } from '../billing/types.js'
import { createDatabase } from '../lib/database.js'
import { CATALOG_CUSTOMERS, CATALOG_DEALS } from '../sources/generate/catalog.js'
import type { SourceCustomer, SourceDeal } from '../sources/types.js'
import { testDatabaseUrl } from '../test-support/env.js'
import { finalizeInvoice, type FinalizeInvoiceInput } from './finalize-invoice.js'
import { readSettings } from './settings.js'

const db = createDatabase(testDatabaseUrl())
afterAll(() => db.$disconnect())

const deal: SourceDeal = { ...CATALOG_DEALS.find((d) => d.dealType === 'fixed_monthly')!, version: '1' }
const customer: SourceCustomer = { ...CATALOG_CUSTOMERS.find((c) => c.customerId === deal.customerId)!, version: '1' }

function preview(): InvoicePreview {
  return buildPreview({
    deal,
    customer,
    issues: [],
    entries: [],
    period: { from: '2026-10-01', to: '2026-11-01' },
    rateRules: [],
    categoryRules: [],
    settings: { minBillableMinutes: 15, roundingIncrementMinutes: 15, defaultVatRate: '12', defaultCategory: 'General' },
    sourceFingerprint: 'sha256:test',
  })
}

async function input(year: number): Promise<FinalizeInvoiceInput> {
  const settings = await readSettings(db)
  const runId = randomUUID()
  return {
    invoiceId: randomUUID(),
    workflowId: `test-finalize-${runId}`,
    workflowRunId: runId,
    preview: preview(),
    buyer: customer,
    deal,
    seller: settings.seller,
    numberPrefix: 'TEST-',
    confirmedBy: 'alice',
    // A year no other test uses: the counter is per year and shared by the whole database.
    confirmedAt: `${year}-03-15T10:00:00.000Z`,
    timeZone: 'Asia/Tashkent',
    eventKey: `test-finalize-${runId}:finalized`,
    billedWork: [],
  }
}

describe('finalizeInvoice', () => {
  it('gives invoices finalized concurrently consecutive numbers: no gap, no duplicate', async () => {
    const year = randomInt(2200, 9000)
    const inputs = await Promise.all(Array.from({ length: 12 }, () => input(year)))
    const results = await Promise.all(inputs.map((i) => finalizeInvoice(db, i)))
    const seqs = results.map((r) => Number(r.number.split('-').pop())).sort((a, b) => a - b)
    expect(seqs).toEqual(Array.from({ length: 12 }, (_, i) => i + 1))
    expect(results.every((r) => r.number.startsWith(`TEST-${year}-`))).toBe(true)
  })

  it('is idempotent: a retried finalization returns the same number and writes nothing twice', async () => {
    const year = randomInt(2200, 9000)
    const first = await input(year)
    const a = await finalizeInvoice(db, first)
    const b = await finalizeInvoice(db, first)
    expect(b).toEqual(a)
    expect(await db.invoiceLineItem.count({ where: { invoiceId: first.invoiceId } })).toBe(first.preview.lines.length)
    expect(await db.invoiceEvent.count({ where: { idempotencyKey: first.eventKey } })).toBe(1)
    const next = await finalizeInvoice(db, await input(year))
    expect(Number(next.number.split('-').pop())).toBe(Number(a.number.split('-').pop()) + 1)
  })

  it('keeps the number when a rejected invoice is confirmed again', async () => {
    const year = randomInt(2200, 9000)
    const first = await input(year)
    const a = await finalizeInvoice(db, first)
    const again = await finalizeInvoice(db, { ...first, confirmedBy: 'carol', eventKey: `${first.eventKey}:2` })
    expect(again.number).toBe(a.number)
    const invoice = await db.invoice.findUniqueOrThrow({ where: { id: first.invoiceId } })
    expect(invoice.confirmedBy).toBe('carol')
  })

  it('keeps the first issue date when an invoice numbered on 31 December is confirmed again in January', async () => {
    const year = randomInt(2200, 9000)
    // 31 December 20:00 in Tashkent (15:00 UTC): numbered in that year, issued that day.
    const first = { ...(await input(year)), confirmedAt: `${year}-12-31T15:00:00.000Z` }
    const a = await finalizeInvoice(db, first)
    expect(a).toMatchObject({ number: expect.stringMatching(new RegExp(`^TEST-${year}-\\d{5}$`)), issueDate: `${year}-12-31` })
    const again = await finalizeInvoice(db, { ...first, confirmedAt: `${year + 1}-01-02T09:00:00.000Z`, eventKey: `${first.eventKey}:2` })
    expect(again).toEqual({ ...a, issueDate: `${year}-12-31`, dueDate: a.dueDate })
    const invoice = await db.invoice.findUniqueOrThrow({ where: { id: first.invoiceId } })
    expect(invoice.issueDate?.toISOString().slice(0, 10)).toBe(`${year}-12-31`)
    expect(invoice.confirmedAt?.toISOString()).toBe(`${year + 1}-01-02T09:00:00.000Z`)
  })
})
