import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createPlanFactClient, type PlanFactClient } from '../clients/planfact.js'
import { syncInvoiceToPlanFact, type PlanFactInvoice } from '../dispatch/sync-planfact.js'
import { startPlanFactFake, type PlanFactFake } from '../fakes/planfact-server.js'
import { createDatabase } from '../lib/database.js'
import { testDatabaseUrl } from '../test-support/env.js'
import { createTestInvoice } from '../test-support/test-invoice.js'
import { readPlanFactPayments, type PlanFactBooking } from './read-planfact-payments.js'

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

/** A USD invoice of 1000.00 booked in PlanFact (a planned income), and how to look for its payments. */
async function bookedInvoice(): Promise<{ booking: PlanFactBooking; operationId: number }> {
  const row = await createTestInvoice(db, { currency: 'USD', subtotal: '1000.00', vatRate: '0', vatAmount: '0.00', total: '1000.00' })
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
  const booked = await syncInvoiceToPlanFact({ db, planfact, invoice })
  return {
    operationId: Number(booked.operationId),
    booking: { invoiceId: row.invoiceId, operationId: booked.operationId, accountId: Number(booked.accountId), issueDate: row.issueDate, today: '2026-12-01' },
  }
}

describe('readPlanFactPayments', () => {
  it('finds nothing while the invoice is unpaid', async () => {
    const { booking } = await bookedInvoice()
    expect(await readPlanFactPayments(planfact, booking)).toEqual([])
  })

  it('reads a payment in full: the planned income turned actual, counted once', async () => {
    const { booking, operationId } = await bookedInvoice()
    fake.payOperation(operationId, { date: '2026-11-15' })

    expect(await readPlanFactPayments(planfact, booking)).toEqual([{ operationId: String(operationId), amount: '1000.00', paidOn: '2026-11-15' }])
  })

  it('reads a partial payment that split the planned income, and the rest paid later: two payments', async () => {
    const { booking, operationId } = await bookedInvoice()
    const part = fake.payOperation(operationId, { date: '2026-11-10', amount: 600 })

    expect(await readPlanFactPayments(planfact, booking)).toEqual([{ operationId: String(part.operationId), amount: '600.00', paidOn: '2026-11-10' }])

    fake.payOperation(operationId, { date: '2026-11-25' })
    expect(await readPlanFactPayments(planfact, booking)).toEqual([
      { operationId: String(part.operationId), amount: '600.00', paidOn: '2026-11-10' },
      { operationId: String(operationId), amount: '400.00', paidOn: '2026-11-25' },
    ])
  })

  it('finds a bank payment a person linked to the planned income by the marker in its comment', async () => {
    const { booking, operationId } = await bookedInvoice()
    const linked = fake.linkBankPayment(operationId, { date: '2026-11-12', amount: 1000 })
    expect(fake.state.operations.find((o) => o.operationId === linked.operationId)!.externalId).toBeNull()

    expect(await readPlanFactPayments(planfact, booking)).toEqual([{ operationId: String(linked.operationId), amount: '1000.00', paidOn: '2026-11-12' }])
    // The planned income is left planned: it is not a payment.
    expect(fake.state.operations.find((o) => o.operationId === operationId)).toMatchObject({ isCommitted: false, value: 1000 })
  })

  it('does not count an actual outcome carrying the marker, nor an actual income of another invoice', async () => {
    const { booking, operationId } = await bookedInvoice()
    const part = fake.payOperation(operationId, { date: '2026-11-10', amount: 600 })
    const planned = fake.state.operations.find((o) => o.operationId === operationId)!
    const base = { accountId: planned.accountId, contrAgentId: planned.contrAgentId, isCommitted: true, parts: [] }
    fake.state.operations.push(
      { ...base, operationId: fake.state.nextId++, operationType: 'Outcome', operationDate: '2026-11-12', comment: `Refund [invoice ${booking.invoiceId}]`, externalId: booking.invoiceId, value: 50 },
      { ...base, operationId: fake.state.nextId++, operationType: 'Income', operationDate: '2026-11-12', comment: `Invoice X [invoice ${randomUUID()}]`, externalId: null, value: 70 },
    )

    expect(await readPlanFactPayments(planfact, booking)).toEqual([{ operationId: String(part.operationId), amount: '600.00', paidOn: '2026-11-10' }])
  })

  it('still finds marked payments when the planned income is gone (deleted by a void, or by a person)', async () => {
    const { booking, operationId } = await bookedInvoice()
    const part = fake.payOperation(operationId, { date: '2026-11-10', amount: 250.5 })
    fake.state.operations.splice(
      fake.state.operations.findIndex((o) => o.operationId === operationId),
      1,
    )
    const expected = [{ operationId: String(part.operationId), amount: '250.50', paidOn: '2026-11-10' }]

    expect(await readPlanFactPayments(planfact, booking)).toEqual(expected)
    expect(await readPlanFactPayments(planfact, { ...booking, operationId: null })).toEqual(expected)
  })

  it('searches from a month before the issue date up to the day after today', async () => {
    const { booking, operationId } = await bookedInvoice()
    fake.linkBankPayment(operationId, { date: '2026-12-03', amount: 100 })
    const early = fake.linkBankPayment(operationId, { date: '2026-10-05', amount: 200 })

    expect(await readPlanFactPayments(planfact, booking)).toEqual([{ operationId: String(early.operationId), amount: '200.00', paidOn: '2026-10-05' }])
    expect((await readPlanFactPayments(planfact, { ...booking, today: '2026-12-02' })).map((p) => p.amount)).toEqual(['200.00', '100.00'])
  })
})
