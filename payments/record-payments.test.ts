import { randomUUID } from 'node:crypto'
import { afterAll, describe, expect, it } from 'vitest'
import { createDatabase } from '../lib/database.js'
import { testDatabaseUrl } from '../test-support/env.js'
import { createTestInvoice } from '../test-support/test-invoice.js'
import type { PlanFactPayment } from './read-planfact-payments.js'
import { listPayments, readBalance, recordManualPayment, recordPlanFactPayments, type ManualPaymentInput, type RecordedPayment } from './record-payments.js'

const db = createDatabase(testDatabaseUrl())

afterAll(async () => {
  await db.$disconnect()
})

/** An invoice of 1000.00 USD (no VAT). */
async function newInvoice(): Promise<{ id: string; currency: string }> {
  const row = await createTestInvoice(db, { currency: 'USD', subtotal: '1000.00', vatRate: '0', vatAmount: '0.00', total: '1000.00' })
  return { id: row.invoiceId, currency: 'USD' }
}

function manual(invoice: { id: string; currency: string }, fields: Partial<ManualPaymentInput> & { amount: string; paidOn: string }): ManualPaymentInput {
  return { invoiceId: invoice.id, currency: invoice.currency, actor: 'finance@example.com', requestId: randomUUID(), ...fields }
}

async function recorded(promise: ReturnType<typeof recordManualPayment>): Promise<{ recorded: RecordedPayment; alreadyRecorded: boolean }> {
  const result = await promise
  if ('refused' in result) throw new Error(`refused: ${result.refused}`)
  return result
}

async function refused(promise: ReturnType<typeof recordManualPayment>): Promise<string> {
  const result = await promise
  if (!('refused' in result)) throw new Error(`expected a refusal, recorded ${JSON.stringify(result)}`)
  return result.refused
}

function planfactPayment(amount: string, paidOn: string, operationId = String(Math.floor(Math.random() * 1e9))): PlanFactPayment {
  return { operationId, amount, paidOn }
}

async function paymentRows(invoiceId: string) {
  return db.payment.findMany({ where: { invoiceId }, orderBy: { createdAt: 'asc' } })
}

interface CreditNoteFields {
  seq: number
  total: string
  kind?: 'partial' | 'void'
  state?: string
  number?: string | null
  approvedAt?: Date | null
}

async function insertCreditNote(invoiceId: string, fields: CreditNoteFields) {
  const id = randomUUID()
  return db.creditNote.create({
    data: {
      id,
      invoiceId,
      seq: fields.seq,
      workflowId: `credit-note:${invoiceId}:${fields.seq}:${id}`,
      kind: fields.kind ?? 'partial',
      correction: 'terms',
      reason: 'agreed discount',
      state: fields.state ?? 'awaiting_approval',
      currency: 'USD',
      lines: [{ lineId: null, description: 'Discount', quantity: '1', unit: 'item', rate: fields.total, amount: fields.total }],
      subtotal: fields.total,
      vatRate: '0',
      vatAmount: '0.00',
      total: fields.total,
      number: fields.number === undefined ? null : fields.number,
      issueDate: fields.number ? new Date('2026-11-20T00:00:00Z') : null,
      requestedBy: 'alice',
      approvedBy: fields.approvedAt ? 'bob' : null,
      approvedAt: fields.approvedAt ?? null,
    },
  })
}

const cnNumber = () => `CN-${randomUUID().slice(0, 8).toUpperCase()}`

describe('recordPlanFactPayments', () => {
  it('records each PlanFact payment once however often it is seen', async () => {
    const invoice = await newInvoice()
    const seen = [planfactPayment('400.00', '2026-11-10', '5001'), planfactPayment('100.00', '2026-11-12', '5002')]

    const first = await recordPlanFactPayments(db, invoice, seen)
    expect(first.map((p) => [p.source, p.amount, p.paidOn, p.confirms])).toEqual([
      ['planfact', '400.00', '2026-11-10', null],
      ['planfact', '100.00', '2026-11-12', null],
    ])
    expect(await recordPlanFactPayments(db, invoice, seen)).toEqual([])
    expect(await recordPlanFactPayments(db, invoice, [seen[1]!])).toEqual([])

    const rows = await paymentRows(invoice.id)
    expect(rows.map((r) => [r.externalKey, r.amount.toFixed(2), r.recordedBy])).toEqual([
      ['planfact:5001', '400.00', 'planfact'],
      ['planfact:5002', '100.00', 'planfact'],
    ])
    expect(await readBalance(db, invoice.id)).toEqual({ total: '1000.00', credited: '0.00', paid: '500.00', due: '500.00' })
  })

  it('records nothing for nothing seen', async () => {
    const invoice = await newInvoice()
    expect(await recordPlanFactPayments(db, invoice, [])).toEqual([])
    expect(await paymentRows(invoice.id)).toEqual([])
  })

  it('makes a PlanFact payment within 7 days of a hand-recorded one of the same amount confirm it, counted once', async () => {
    const invoice = await newInvoice()
    const { recorded: byHand } = await recorded(recordManualPayment(db, manual(invoice, { amount: '1000.00', paidOn: '2026-11-10', reference: 'BANK-7781' })))

    const [seen, ...others] = await recordPlanFactPayments(db, invoice, [planfactPayment('1000.00', '2026-11-17', '6001')])
    expect(others).toEqual([])
    expect(seen).toMatchObject({ source: 'planfact', amount: '1000.00', confirms: byHand.id })
    const rows = await paymentRows(invoice.id)
    expect(rows).toHaveLength(2)
    expect(rows[1]!.confirmsPaymentId).toBe(byHand.id)
    expect(await readBalance(db, invoice.id)).toEqual({ total: '1000.00', credited: '0.00', paid: '1000.00', due: '0.00' })
    expect((await listPayments(db, invoice.id)).map((p) => [p.source, p.reference, p.counted])).toEqual([
      ['manual', 'BANK-7781', true],
      ['planfact', '6001', false],
    ])
  })

  it('counts both when they are more than 7 days apart, and confirms a hand-recorded payment once only', async () => {
    const invoice = await newInvoice()
    const { recorded: byHand } = await recorded(recordManualPayment(db, manual(invoice, { amount: '300.00', paidOn: '2026-11-01', reference: 'BANK-1' })))

    const [late] = await recordPlanFactPayments(db, invoice, [planfactPayment('300.00', '2026-11-09', '7001')])
    expect(late!.confirms).toBeNull()

    const { recorded: second } = await recorded(recordManualPayment(db, manual(invoice, { amount: '200.00', paidOn: '2026-11-20', reference: 'BANK-2' })))
    const twins = await recordPlanFactPayments(db, invoice, [planfactPayment('200.00', '2026-11-21', '7002'), planfactPayment('200.00', '2026-11-22', '7003')])
    expect(twins.map((p) => p.confirms)).toEqual([second.id, null])
    expect(byHand.id).not.toBe(second.id)
    // 300 by hand + 300 PlanFact + 200 by hand (its twin not counted) + 200 PlanFact.
    expect(await readBalance(db, invoice.id)).toEqual({ total: '1000.00', credited: '0.00', paid: '1000.00', due: '0.00' })
  })
})

describe('recordManualPayment', () => {
  it('answers the payment already recorded for the same reference', async () => {
    const invoice = await newInvoice()
    const first = await recorded(recordManualPayment(db, manual(invoice, { amount: '250.00', paidOn: '2026-11-10', reference: 'BANK-42', note: 'wire' })))
    expect(first.alreadyRecorded).toBe(false)
    expect(first.recorded).toMatchObject({ source: 'manual', amount: '250.00', paidOn: '2026-11-10', confirms: null })

    const again = await recorded(recordManualPayment(db, manual(invoice, { amount: '250.00', paidOn: '2026-11-10', reference: 'BANK-42' })))
    expect(again).toEqual({ recorded: first.recorded, alreadyRecorded: true })
    expect(await paymentRows(invoice.id)).toHaveLength(1)
    expect(await readBalance(db, invoice.id)).toMatchObject({ paid: '250.00', due: '750.00' })
  })

  it('makes a retried request without a reference the same payment', async () => {
    const invoice = await newInvoice()
    const request = manual(invoice, { amount: '10.00', paidOn: '2026-11-10' })
    const first = await recorded(recordManualPayment(db, request))
    expect(await recorded(recordManualPayment(db, request))).toEqual({ recorded: first.recorded, alreadyRecorded: true })
    // Without a bank reference the amount and the date are the key (a retried request carries a new request id).
    expect((await paymentRows(invoice.id)).map((r) => r.externalKey)).toEqual(['manual:2026-11-10:10.00'])
    expect(await recorded(recordManualPayment(db, { ...request, requestId: 'another-request' }))).toEqual({ recorded: first.recorded, alreadyRecorded: true })
  })

  it('refuses the same reference with another amount or date', async () => {
    const invoice = await newInvoice()
    await recorded(recordManualPayment(db, manual(invoice, { amount: '250.00', paidOn: '2026-11-10', reference: 'BANK-43' })))

    expect(await refused(recordManualPayment(db, manual(invoice, { amount: '260.00', paidOn: '2026-11-10', reference: 'BANK-43' })))).toBe(
      'the payment with reference "BANK-43" was recorded already, as 250.00 on 2026-11-10',
    )
    expect(await refused(recordManualPayment(db, manual(invoice, { amount: '250.00', paidOn: '2026-11-11', reference: 'BANK-43' })))).toContain('was recorded already')
    expect(await paymentRows(invoice.id)).toHaveLength(1)
  })

  it('refuses more than is due, counting approved credit notes and earlier payments', async () => {
    const invoice = await newInvoice()
    expect(await refused(recordManualPayment(db, manual(invoice, { amount: '1000.01', paidOn: '2026-11-10' })))).toBe(
      '1000.01 is more than is due (1000.00 of 1000.00, 0.00 credited, 0.00 paid): record at most what is due',
    )
    await insertCreditNote(invoice.id, { seq: 1, total: '100.00', number: cnNumber(), state: 'completed', approvedAt: new Date() })
    await recorded(recordManualPayment(db, manual(invoice, { amount: '500.00', paidOn: '2026-11-10', reference: 'A' })))

    expect(await refused(recordManualPayment(db, manual(invoice, { amount: '400.01', paidOn: '2026-11-12', reference: 'B' })))).toBe(
      '400.01 is more than is due (400.00 of 1000.00, 100.00 credited, 500.00 paid): record at most what is due',
    )
    await recorded(recordManualPayment(db, manual(invoice, { amount: '400.00', paidOn: '2026-11-12', reference: 'B' })))
    expect(await readBalance(db, invoice.id)).toEqual({ total: '1000.00', credited: '100.00', paid: '900.00', due: '0.00' })
  })

  it('refuses a payment PlanFact already shows within 7 days, with the same amount', async () => {
    const invoice = await newInvoice()
    await recordPlanFactPayments(db, invoice, [planfactPayment('600.00', '2026-11-15', '8001')])

    const reason = await refused(recordManualPayment(db, manual(invoice, { amount: '600.00', paidOn: '2026-11-20', reference: 'BANK-9' })))
    expect(reason).toBe('PlanFact already shows this payment (600.00 on 2026-11-15, PlanFact operation 8001): it is counted once')
    expect(await paymentRows(invoice.id)).toHaveLength(1)

    // Another amount, or the same amount more than a week away, is another payment.
    await recorded(recordManualPayment(db, manual(invoice, { amount: '100.00', paidOn: '2026-11-20', reference: 'BANK-10' })))
    await recorded(recordManualPayment(db, manual(invoice, { amount: '300.00', paidOn: '2026-11-23', reference: 'BANK-11' })))
    expect(await readBalance(db, invoice.id)).toMatchObject({ paid: '1000.00', due: '0.00' })
  })

  it('fails for an invoice that does not exist', async () => {
    await expect(recordManualPayment(db, manual({ id: randomUUID(), currency: 'USD' }, { amount: '1.00', paidOn: '2026-11-10' }))).rejects.toThrow(/does not exist/)
  })
})

describe('the payments table', () => {
  it('is append-only: updates and deletes are refused', async () => {
    const invoice = await newInvoice()
    const { recorded: payment } = await recorded(recordManualPayment(db, manual(invoice, { amount: '100.00', paidOn: '2026-11-10' })))

    await expect(db.$executeRaw`UPDATE payments SET amount = 1 WHERE id = ${payment.id}::uuid`).rejects.toThrow(/append-only: UPDATE refused/)
    await expect(db.$executeRaw`DELETE FROM payments WHERE id = ${payment.id}::uuid`).rejects.toThrow(/append-only: DELETE refused/)
    await expect(db.payment.update({ where: { id: payment.id }, data: { note: 'changed' } })).rejects.toThrow(/append-only/)
    expect((await paymentRows(invoice.id)).map((r) => [r.amount.toFixed(2), r.note])).toEqual([['100.00', null]])
  })
})

describe('invoice_balances', () => {
  it('counts approved credit notes that are not cancelled, and payments that confirm none', async () => {
    const invoice = await newInvoice()
    await insertCreditNote(invoice.id, { seq: 1, total: '100.00', number: cnNumber(), state: 'completed', approvedAt: new Date() })
    await insertCreditNote(invoice.id, { seq: 2, total: '50.00', number: cnNumber(), state: 'awaiting_approval' })
    await insertCreditNote(invoice.id, { seq: 3, total: '30.00', number: cnNumber(), state: 'cancelled', approvedAt: new Date() })
    await insertCreditNote(invoice.id, { seq: 4, total: '20.00', state: 'drafting' })
    const { recorded: byHand } = await recorded(recordManualPayment(db, manual(invoice, { amount: '200.00', paidOn: '2026-11-10' })))
    await recordPlanFactPayments(db, invoice, [planfactPayment('200.00', '2026-11-11')])
    expect((await paymentRows(invoice.id))[1]!.confirmsPaymentId).toBe(byHand.id)

    expect(await readBalance(db, invoice.id)).toEqual({ total: '1000.00', credited: '100.00', paid: '200.00', due: '700.00' })
  })

  it('never shows a negative amount due', async () => {
    const invoice = await newInvoice()
    await insertCreditNote(invoice.id, { seq: 1, total: '900.00', number: cnNumber(), state: 'completed', approvedAt: new Date() })
    await recordPlanFactPayments(db, invoice, [planfactPayment('1000.00', '2026-11-10')])
    expect(await readBalance(db, invoice.id)).toEqual({ total: '1000.00', credited: '900.00', paid: '1000.00', due: '0.00' })
  })
})

describe('the credit notes table', () => {
  it('refuses numbered credit notes that together exceed the invoice', async () => {
    const invoice = await newInvoice()
    await insertCreditNote(invoice.id, { seq: 1, total: '600.00', number: cnNumber() })
    await expect(insertCreditNote(invoice.id, { seq: 2, total: '400.01', number: cnNumber() })).rejects.toThrow(/exceeds what is left of invoice/)

    // A draft (no number) may be of any size up to the invoice; numbering it is checked.
    const draft = await insertCreditNote(invoice.id, { seq: 3, total: '500.00' })
    await expect(db.creditNote.update({ where: { id: draft.id }, data: { number: cnNumber() } })).rejects.toThrow(/exceeds what is left of invoice/)

    // A cancelled one does not count, and cannot come back when there is no room for it.
    const cancelled = await insertCreditNote(invoice.id, { seq: 4, total: '500.00', number: cnNumber(), state: 'cancelled' })
    await expect(db.creditNote.update({ where: { id: cancelled.id }, data: { state: 'completed' } })).rejects.toThrow(/exceeds what is left of invoice/)

    await insertCreditNote(invoice.id, { seq: 5, total: '400.00', number: cnNumber() })
    const numbered = await db.creditNote.findMany({ where: { invoiceId: invoice.id, number: { not: null }, state: { not: 'cancelled' } } })
    expect(numbered.map((c) => c.total.toFixed(2)).sort()).toEqual(['400.00', '600.00'])
  })

  it('allows one void per invoice unless the earlier one was cancelled', async () => {
    const invoice = await newInvoice()
    const first = await insertCreditNote(invoice.id, { seq: 1, kind: 'void', total: '1000.00' })
    await expect(insertCreditNote(invoice.id, { seq: 2, kind: 'void', total: '1000.00' })).rejects.toThrow(/[Uu]nique constraint/)

    await db.creditNote.update({ where: { id: first.id }, data: { state: 'cancelled' } })
    await insertCreditNote(invoice.id, { seq: 3, kind: 'void', total: '1000.00' })
    expect(await db.creditNote.count({ where: { invoiceId: invoice.id, kind: 'void' } })).toBe(2)
  })

  it("fixes a numbered credit note's number, lines and figures; its state may still move; it is never deleted", async () => {
    const invoice = await newInvoice()
    const note = await insertCreditNote(invoice.id, { seq: 1, total: '100.00', number: cnNumber() })
    const refusal = /is numbered .*: its number, lines and figures cannot change/

    await expect(db.creditNote.update({ where: { id: note.id }, data: { total: '90.00', subtotal: '90.00' } })).rejects.toThrow(refusal)
    await expect(db.creditNote.update({ where: { id: note.id }, data: { vatAmount: '1.00', total: '101.00' } })).rejects.toThrow(refusal)
    await expect(db.creditNote.update({ where: { id: note.id }, data: { lines: [] } })).rejects.toThrow(refusal)
    await expect(db.creditNote.update({ where: { id: note.id }, data: { number: cnNumber() } })).rejects.toThrow(refusal)
    await expect(db.creditNote.update({ where: { id: note.id }, data: { number: null } })).rejects.toThrow(refusal)

    const approved = await db.creditNote.update({ where: { id: note.id }, data: { state: 'completed', approvedBy: 'bob', approvedAt: new Date() } })
    expect(approved).toMatchObject({ state: 'completed', number: note.number })
    expect(approved.total.toFixed(2)).toBe('100.00')
    await expect(db.creditNote.delete({ where: { id: note.id } })).rejects.toThrow(/append-only: DELETE refused/)

    // Before it is numbered, a draft's figures may change.
    const draft = await insertCreditNote(invoice.id, { seq: 2, total: '50.00' })
    const changed = await db.creditNote.update({ where: { id: draft.id }, data: { total: '40.00', subtotal: '40.00' } })
    expect(changed.total.toFixed(2)).toBe('40.00')
  })
})
