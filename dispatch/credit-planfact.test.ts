import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createPlanFactClient, PlanFactUnavailableError, type PlanFactClient } from '../clients/planfact.js'
import { startPlanFactFake, type PlanFactFake } from '../fakes/planfact-server.js'
import { createDatabase } from '../lib/database.js'
import { PermanentError } from '../lib/permanent-error.js'
import { testDatabaseUrl } from '../test-support/env.js'
import { createTestInvoice } from '../test-support/test-invoice.js'
import { bookCreditNoteInPlanFact, planCorrection, type PlanFactCreditNote } from './credit-planfact.js'
import { syncInvoiceToPlanFact, type PlanFactInvoice } from './sync-planfact.js'

const API_KEY = `test-key-${randomUUID()}`
const db = createDatabase(testDatabaseUrl())

let fake: PlanFactFake
let planfact: PlanFactClient

beforeAll(async () => {
  fake = await startPlanFactFake({ apiKey: API_KEY })
})
afterAll(async () => {
  await fake.close()
  await db.$disconnect()
})
beforeEach(() => {
  fake.reset()
  fake.setBehavior({ writeDelayMs: { min: 5, max: 10 } })
  planfact = createPlanFactClient({ url: fake.url, apiKey: API_KEY, timeoutMs: 2_000, rateLimitBackoff: { retries: 3, minDelayMs: 200, maxDelayMs: 400 } })
})

const PUT = 'PUT /api/v1/operations/income/{id}'
const DELETE = 'DELETE /api/v1/operations/{id}'
const OUTCOME = 'POST /api/v1/operations/outcome'
const REFUNDS_CATEGORY = 24

interface Booked {
  invoice: PlanFactInvoice
  operationId: number
}

/** A USD invoice of 1000.00 booked in PlanFact as a planned income. */
async function bookedInvoice(): Promise<Booked> {
  const row = await createTestInvoice(db, { currency: 'USD', subtotal: '1000.00', vatRate: '0', vatAmount: '0.00', total: '1000.00', customerId: 'CUST-UZ-01' })
  const invoice: PlanFactInvoice = {
    invoiceId: row.invoiceId,
    number: row.number,
    issueDate: row.issueDate,
    currency: 'USD',
    total: '1000.00',
    customerId: 'CUST-UZ-01',
    buyer: { name: 'Trystan', legalName: '"Trystan Logistics" LLC', tin: '305112847' },
    periodLabel: '2026-10',
  }
  const result = await syncInvoiceToPlanFact({ db, planfact, invoice })
  expect(operation(Number(result.operationId))).toMatchObject({ value: 1000, isCommitted: false })
  // From here on only the credit note's requests count.
  fake.state.requests = {}
  return { invoice, operationId: Number(result.operationId) }
}

function creditNote(booked: Booked, total: string): PlanFactCreditNote {
  return { creditNoteId: randomUUID(), number: `CN-${randomUUID().slice(0, 6).toUpperCase()}`, issueDate: '2026-11-20', total, invoice: { invoiceId: booked.invoice.invoiceId, number: booked.invoice.number } }
}

function operation(operationId: number) {
  return fake.state.operations.find((o) => o.operationId === operationId)
}

function outcomes() {
  return fake.state.operations.filter((o) => o.operationType === 'Outcome')
}

async function referenceOf(note: PlanFactCreditNote) {
  return db.externalReference.findUnique({ where: { invoiceId_system_purpose: { invoiceId: note.invoice.invoiceId, system: 'planfact', purpose: `credit-note:${note.creditNoteId}` } } })
}

async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a failure')
    },
    (e: unknown) => e,
  )
}

describe('bookCreditNoteInPlanFact', () => {
  it('lowers the planned income of an unpaid invoice by the credit, with no outcome; a second call writes nothing', async () => {
    const booked = await bookedInvoice()
    const note = creditNote(booked, '100.00')

    const result = await bookCreditNoteInPlanFact({ db, planfact, creditNote: note })

    expect(result.externalId).toBe(String(booked.operationId))
    expect(result.detail).toBe(`${note.number}: planned income ${booked.operationId} lowered from 1000.00 to 900.00`)
    expect(fake.state.requests[PUT]).toBe(1)
    expect(fake.state.requests[DELETE]).toBeUndefined()
    expect(fake.state.requests[OUTCOME]).toBeUndefined()
    expect(outcomes()).toEqual([])
    expect(operation(booked.operationId)).toMatchObject({
      operationType: 'Income',
      operationDate: '2026-11-03',
      isCommitted: false,
      value: 900,
      externalId: booked.invoice.invoiceId,
      comment: `Invoice ${booked.invoice.number} for 2026-10 [invoice ${booked.invoice.invoiceId}]`,
    })
    expect(operation(booked.operationId)!.parts).toEqual([expect.objectContaining({ value: 900, operationCategoryId: 21, isCalculationCommitted: true })])
    expect(await referenceOf(note)).toMatchObject({
      status: 'done',
      externalId: String(booked.operationId),
      details: { operationId: booked.operationId, plannedBefore: '1000.00', plannedAfter: '900.00', refund: '0.00' },
    })

    const requestsBefore = { ...fake.state.requests }
    expect(await bookCreditNoteInPlanFact({ db, planfact, creditNote: note })).toEqual(result)
    expect(fake.state.requests).toEqual(requestsBefore)
    expect(operation(booked.operationId)!.value).toBe(900)
  })

  it('deletes the planned income of an unpaid invoice that is voided', async () => {
    const booked = await bookedInvoice()
    const note = creditNote(booked, '1000.00')

    const result = await bookCreditNoteInPlanFact({ db, planfact, creditNote: note })

    expect(operation(booked.operationId)).toBeUndefined()
    expect(fake.state.operations).toEqual([])
    expect(fake.state.requests[DELETE]).toBe(1)
    expect(fake.state.requests[PUT]).toBeUndefined()
    expect(fake.state.requests[OUTCOME]).toBeUndefined()
    expect(result).toEqual({ externalId: String(booked.operationId), detail: `${note.number}: planned income ${booked.operationId} of 1000.00 deleted` })
    expect(await referenceOf(note)).toMatchObject({
      status: 'done',
      details: { plannedBefore: '1000.00', plannedAfter: '0.00', refund: '0.00', plannedDeleted: true },
    })
  })

  it('books a refund of a paid invoice as one outcome in "Refunds to customers" carrying the credit note id', async () => {
    const booked = await bookedInvoice()
    fake.payOperation(booked.operationId, { date: '2026-11-10' })
    const note = creditNote(booked, '100.00')

    const result = await bookCreditNoteInPlanFact({ db, planfact, creditNote: note })

    expect(fake.state.requests[PUT]).toBeUndefined()
    expect(fake.state.requests[DELETE]).toBeUndefined()
    expect(fake.state.requests[OUTCOME]).toBe(1)
    const [refund, ...others] = outcomes()
    expect(others).toEqual([])
    expect(refund).toMatchObject({
      operationId: Number(result.externalId),
      operationDate: '2026-11-20',
      accountId: 12,
      contrAgentId: operation(booked.operationId)!.contrAgentId,
      value: 100,
      externalId: note.creditNoteId,
    })
    expect(refund!.comment).toContain(note.creditNoteId)
    expect(refund!.comment).toContain(note.number)
    expect(refund!.parts).toEqual([expect.objectContaining({ operationCategoryId: REFUNDS_CATEGORY, value: 100 })])
    // The paid income is left as the bank made it.
    expect(operation(booked.operationId)).toMatchObject({ isCommitted: true, value: 1000 })
    expect(result.detail).toBe(`${note.number}: refund 100.00 booked as outcome ${result.externalId}`)
  })

  it('lowers what is still planned of a partly paid invoice to nothing (deleted) and refunds the rest', async () => {
    const booked = await bookedInvoice()
    const paid = fake.payOperation(booked.operationId, { date: '2026-11-10', amount: 600 })
    expect(operation(booked.operationId)).toMatchObject({ isCommitted: false, value: 400 })
    const note = creditNote(booked, '500.00')

    const result = await bookCreditNoteInPlanFact({ db, planfact, creditNote: note })

    expect(operation(booked.operationId)).toBeUndefined()
    expect(operation(paid.operationId)).toMatchObject({ isCommitted: true, value: 600 })
    expect(fake.state.requests[DELETE]).toBe(1)
    expect(fake.state.requests[PUT]).toBeUndefined()
    expect(fake.state.requests[OUTCOME]).toBe(1)
    expect(outcomes().map((o) => [o.value, o.externalId, o.parts[0]!.operationCategoryId])).toEqual([[100, note.creditNoteId, REFUNDS_CATEGORY]])
    expect(result.externalId).toBe(String(outcomes()[0]!.operationId))
    expect(await referenceOf(note)).toMatchObject({
      status: 'done',
      externalId: result.externalId,
      details: { plannedBefore: '400.00', plannedAfter: '0.00', refund: '100.00', plannedDeleted: true, refundOperationId: outcomes()[0]!.operationId },
    })
  })

  it('books one outcome when the answer to its create was lost and the step is retried', async () => {
    const booked = await bookedInvoice()
    fake.payOperation(booked.operationId, { date: '2026-11-10' })
    const note = creditNote(booked, '100.00')
    fake.setBehavior({ dropResponsesAfterWrite: 1 })

    const lost = await failure(bookCreditNoteInPlanFact({ db, planfact, creditNote: note }))
    expect(lost).toBeInstanceOf(PlanFactUnavailableError)
    expect(outcomes()).toHaveLength(1)
    expect(await referenceOf(note)).toMatchObject({ status: 'pending', externalId: null })

    const result = await bookCreditNoteInPlanFact({ db, planfact, creditNote: note })
    expect(outcomes().map((o) => [o.operationId, o.value])).toEqual([[Number(result.externalId), 100]])
    expect(fake.state.requests[OUTCOME]).toBe(1)
    expect(await referenceOf(note)).toMatchObject({ status: 'done', externalId: result.externalId })
  })

  it('finishes a void whose delete went through but whose answer was lost', async () => {
    const booked = await bookedInvoice()
    const note = creditNote(booked, '1000.00')
    fake.setBehavior({ dropResponsesAfterWrite: 1 })

    expect(await failure(bookCreditNoteInPlanFact({ db, planfact, creditNote: note }))).toBeInstanceOf(PlanFactUnavailableError)
    expect(operation(booked.operationId)).toBeUndefined()

    const result = await bookCreditNoteInPlanFact({ db, planfact, creditNote: note })
    expect(result.externalId).toBe(String(booked.operationId))
    expect(fake.state.operations).toEqual([])
    expect(fake.state.requests[OUTCOME]).toBeUndefined()
    expect(await referenceOf(note)).toMatchObject({ status: 'done', details: { plannedAfter: '0.00', refund: '0.00', plannedDeleted: true } })
  })

  it('repeats the stored plan on a retry instead of lowering the income twice', async () => {
    const booked = await bookedInvoice()
    const note = creditNote(booked, '100.00')
    fake.setBehavior({ dropResponsesAfterWrite: 1 })

    expect(await failure(bookCreditNoteInPlanFact({ db, planfact, creditNote: note }))).toBeInstanceOf(PlanFactUnavailableError)
    expect(operation(booked.operationId)!.value).toBe(900)

    await bookCreditNoteInPlanFact({ db, planfact, creditNote: note })
    expect(operation(booked.operationId)!.value).toBe(900)
    expect(fake.state.requests[PUT]).toBe(2)
  })

  it('a retry does not write its old plan over a payment made in between: it is refused for a person', async () => {
    const booked = await bookedInvoice()
    const note = creditNote(booked, '100.00')
    fake.setBehavior({ dropResponsesAfterWrite: 1 })
    expect(await failure(bookCreditNoteInPlanFact({ db, planfact, creditNote: note }))).toBeInstanceOf(PlanFactUnavailableError)
    fake.payOperation(booked.operationId, { date: '2026-11-12' }) // the customer paid the lowered 900 in full meanwhile

    const refused = await failure(bookCreditNoteInPlanFact({ db, planfact, creditNote: note }))
    expect(refused).toBeInstanceOf(PermanentError)
    expect((refused as Error).message).toContain('changed in PlanFact since this correction was planned (it is now paid)')
    expect(operation(booked.operationId)).toMatchObject({ isCommitted: true, value: 900 })
    expect(fake.state.requests[PUT]).toBe(1)
  })

  it('refuses a credit note of an invoice that was never booked in PlanFact', async () => {
    const row = await createTestInvoice(db, { currency: 'USD' })
    const note: PlanFactCreditNote = { creditNoteId: randomUUID(), number: 'CN-X', issueDate: '2026-11-20', total: '10.00', invoice: { invoiceId: row.invoiceId, number: row.number } }
    const error = await failure(bookCreditNoteInPlanFact({ db, planfact, creditNote: note }))
    expect(error).toBeInstanceOf(PermanentError)
    expect((error as Error).message).toContain('is not booked in PlanFact')
    expect(fake.state.requests).toEqual({})
  })
})

describe('planCorrection', () => {
  it('lowers an unpaid income by a partial credit and refunds nothing', () => {
    expect(planCorrection({ operationId: 7, isCommitted: false, value: 1000 }, '100.00')).toEqual({ operationId: 7, plannedBefore: '1000.00', plannedAfter: '900.00', refund: '0.00' })
  })

  it('takes an unpaid income to zero for a credit of all of it', () => {
    expect(planCorrection({ operationId: 7, isCommitted: false, value: 1000 }, '1000.00')).toEqual({ operationId: 7, plannedBefore: '1000.00', plannedAfter: '0.00', refund: '0.00' })
  })

  it('refunds the whole credit of an income that is paid (actual)', () => {
    expect(planCorrection({ operationId: 7, isCommitted: true, value: 1000 }, '100.00')).toEqual({ operationId: 7, plannedBefore: '0.00', plannedAfter: '0.00', refund: '100.00' })
  })

  it('lowers what is left planned first and refunds only what exceeds it', () => {
    expect(planCorrection({ operationId: '7', isCommitted: false, value: 400 }, '500.00')).toEqual({ operationId: '7', plannedBefore: '400.00', plannedAfter: '0.00', refund: '100.00' })
  })

  it('keeps cents exact', () => {
    expect(planCorrection({ operationId: 7, isCommitted: false, value: 0.3 }, '0.10')).toEqual({ operationId: 7, plannedBefore: '0.30', plannedAfter: '0.20', refund: '0.00' })
    expect(planCorrection({ operationId: 7, isCommitted: false, value: 11200.5 }, '11200.49')).toEqual({ operationId: 7, plannedBefore: '11200.50', plannedAfter: '0.01', refund: '0.00' })
  })

  it('lowers the planned income only by what the customer still owes when told (payments PlanFact does not show yet)', () => {
    // 600 paid by hand, PlanFact still plans all 1000: 400 of the credit lowers it, 100 goes back.
    expect(planCorrection({ operationId: 7, isCommitted: false, value: 1000 }, '500.00', '400.00')).toEqual({ operationId: 7, plannedBefore: '1000.00', plannedAfter: '600.00', refund: '100.00' })
    expect(planCorrection({ operationId: 7, isCommitted: false, value: 1000 }, '100.00', '1000.00')).toEqual({ operationId: 7, plannedBefore: '1000.00', plannedAfter: '900.00', refund: '0.00' })
    // Owed more than is planned: never lowered below zero.
    expect(planCorrection({ operationId: 7, isCommitted: false, value: 400 }, '500.00', '1000.00')).toEqual({ operationId: 7, plannedBefore: '400.00', plannedAfter: '0.00', refund: '100.00' })
    expect(planCorrection({ operationId: 7, isCommitted: false, value: 1000 }, '100.00', '-5.00')).toEqual({ operationId: 7, plannedBefore: '1000.00', plannedAfter: '1000.00', refund: '100.00' })
  })

  it('treats an operation without a value as nothing planned', () => {
    expect(planCorrection({ operationId: 7, isCommitted: null, value: null }, '50.00')).toEqual({ operationId: 7, plannedBefore: '0.00', plannedAfter: '0.00', refund: '50.00' })
  })
})
