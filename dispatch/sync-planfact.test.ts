import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createPlanFactClient, PlanFactRejectedError, type PlanFactClient } from '../clients/planfact.js'
import { startPlanFactFake, type PlanFactFake } from '../fakes/planfact-server.js'
import { createDatabase } from '../lib/database.js'
import { PermanentError } from '../lib/permanent-error.js'
import { testDatabaseUrl } from '../test-support/env.js'
import { buildComment, syncInvoiceToPlanFact, type PlanFactInvoice } from './sync-planfact.js'
import { createTestInvoice } from '../test-support/test-invoice.js'

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
  // Each test has its own business (API key), so parallel test files never share a lock.
  planfact = createPlanFactClient({ url: fake.url, apiKey: API_KEY, timeoutMs: 2_000, rateLimitBackoff: { retries: 3, minDelayMs: 200, maxDelayMs: 400 } })
})

const UZ_BUYER = { name: 'Trystan', legalName: '"Trystan Logistics" LLC', tin: '305112847' }
const FOREIGN_BUYER = { name: 'Nordlicht', legalName: 'Nordlicht GmbH', tin: null }

async function newInvoice(overrides: Partial<PlanFactInvoice> = {}): Promise<PlanFactInvoice> {
  const currency = overrides.currency ?? 'USD'
  const total = overrides.total ?? '11200.50'
  const row = await createTestInvoice(db, { currency, total, customerId: overrides.customerId ?? 'CUST-UZ-01' })
  return {
    invoiceId: row.invoiceId,
    number: row.number,
    issueDate: row.issueDate,
    currency,
    total,
    customerId: 'CUST-UZ-01',
    buyer: UZ_BUYER,
    periodLabel: '2026-10',
    ...overrides,
  }
}

function operationsOf(invoiceId: string) {
  return fake.state.operations.filter((o) => o.externalId === invoiceId)
}

async function referenceOf(invoiceId: string) {
  return db.externalReference.findUnique({ where: { invoiceId_system_purpose: { invoiceId, system: 'planfact', purpose: 'operation' } } })
}

describe('syncInvoiceToPlanFact', () => {
  it('books one unpaid income operation with the amount, counterparty, account and marker', async () => {
    const invoice = await newInvoice()
    const result = await syncInvoiceToPlanFact({ db, planfact, invoice })

    expect(result.created).toBe(true)
    expect(result.accountId).toBe('12')
    const [operation, ...others] = operationsOf(invoice.invoiceId)
    expect(others).toEqual([])
    expect(operation).toMatchObject({
      operationId: Number(result.operationId),
      operationDate: '2026-11-03',
      accountId: 12,
      contrAgentId: Number(result.contrAgentId),
      isCommitted: false,
      value: 11200.5,
      comment: `Invoice ${invoice.number} for 2026-10 [invoice ${invoice.invoiceId}]`,
    })
    expect(operation!.parts).toEqual([
      expect.objectContaining({ calculationDate: '2026-11-03', isCalculationCommitted: true, operationCategoryId: 21, projectId: null, value: 11200.5 }),
    ])
    expect(fake.state.contrAgents).toEqual([
      expect.objectContaining({ contrAgentId: Number(result.contrAgentId), title: 'Trystan', longTitle: '"Trystan Logistics" LLC', contrAgentInn: '305112847', externalId: 'CUST-UZ-01' }),
    ])

    const reference = await referenceOf(invoice.invoiceId)
    expect(reference).toMatchObject({ status: 'done', externalId: result.operationId })
  })

  it('returns the stored id on a retry without writing to PlanFact again', async () => {
    const invoice = await newInvoice()
    const first = await syncInvoiceToPlanFact({ db, planfact, invoice })
    const writesBefore = fake.state.requests['POST /api/v1/operations/income']
    const second = await syncInvoiceToPlanFact({ db, planfact, invoice })
    expect(second).toEqual({ ...first, created: false })
    expect(fake.state.requests['POST /api/v1/operations/income']).toBe(writesBefore)
    expect(operationsOf(invoice.invoiceId)).toHaveLength(1)
  })

  it('adopts the operation when the process died after the create and before "done" was written', async () => {
    const invoice = await newInvoice()
    const first = await syncInvoiceToPlanFact({ db, planfact, invoice })
    // The crash window: PlanFact has the operation, our row still says pending.
    await db.externalReference.update({
      where: { invoiceId_system_purpose: { invoiceId: invoice.invoiceId, system: 'planfact', purpose: 'operation' } },
      data: { status: 'pending', externalId: null },
    })
    const again = await syncInvoiceToPlanFact({ db, planfact, invoice })
    expect(again).toEqual({ ...first, created: false })
    expect(operationsOf(invoice.invoiceId)).toHaveLength(1)
    expect(await referenceOf(invoice.invoiceId)).toMatchObject({ status: 'done', externalId: first.operationId })
  })

  it('adopts the operation when the answer to the create was lost, leaving one operation', async () => {
    const invoice = await newInvoice()
    // The counterparty exists already, so the next write is the operation itself.
    fake.state.contrAgents.push({ contrAgentId: 500, title: 'Trystan', longTitle: null, contrAgentInn: '305112847', contrAgentType: 'Mixed', externalId: null })
    fake.setBehavior({ dropResponsesAfterWrite: 1 })

    const lost = await syncInvoiceToPlanFact({ db, planfact, invoice }).then(
      () => null,
      (e: unknown) => e,
    )
    expect(lost).toBeInstanceOf(Error)
    expect(lost).not.toBeInstanceOf(PermanentError)
    expect(operationsOf(invoice.invoiceId)).toHaveLength(1)
    expect(await referenceOf(invoice.invoiceId)).toMatchObject({ status: 'pending' })

    const retried = await syncInvoiceToPlanFact({ db, planfact, invoice })
    expect(retried).toMatchObject({ created: false, contrAgentId: '500', operationId: String(operationsOf(invoice.invoiceId)[0]!.operationId) })
    expect(operationsOf(invoice.invoiceId)).toHaveLength(1)
    expect(fake.state.requests['POST /api/v1/operations/income']).toBe(1)
  })

  it('finds what an empty-bodied success created, by the marker', async () => {
    fake.setBehavior({ emptyBodyOnSuccess: true })
    const invoice = await newInvoice()
    const result = await syncInvoiceToPlanFact({ db, planfact, invoice })
    const operations = operationsOf(invoice.invoiceId)
    expect(operations).toHaveLength(1)
    expect(result).toEqual({
      operationId: String(operations[0]!.operationId),
      contrAgentId: String(fake.state.contrAgents[0]!.contrAgentId),
      accountId: '12',
      created: true,
    })
    expect(fake.state.contrAgents).toHaveLength(1)
  })

  it('books eight invoices one after another, as the planfact task queue runs them: each customer created once', async () => {
    const invoices = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        newInvoice(
          i % 2 === 0
            ? { total: `${100 + i}.25` }
            : { total: `${200 + i}.75`, currency: 'EUR', customerId: 'CUST-DE-01', buyer: FOREIGN_BUYER },
        ),
      ),
    )
    // One at a time is the planfact task queue's job (workers/worker-group.test.ts shows it).
    const results = []
    for (const invoice of invoices) results.push(await syncInvoiceToPlanFact({ db, planfact, invoice }))

    expect(results.every((r) => r.created)).toBe(true)
    expect(fake.state.overlappingWrites).toBe(0)
    expect(fake.state.rateLimited).toBe(0)
    expect(fake.state.operations).toHaveLength(8)
    for (const [i, invoice] of invoices.entries()) {
      const [operation, ...others] = operationsOf(invoice.invoiceId)
      expect(others).toEqual([])
      expect(operation!.value).toBe(i % 2 === 0 ? 100 + i + 0.25 : 200 + i + 0.75)
      expect(operation!.accountId).toBe(i % 2 === 0 ? 12 : 13)
    }
    expect(fake.state.contrAgents.map((c) => [c.externalId, c.contrAgentInn]).sort()).toEqual([
      ['CUST-DE-01', null],
      ['CUST-UZ-01', '305112847'],
    ])
  })

  it('fails permanently, naming the currency, when PlanFact has no account in it', async () => {
    const invoice = await newInvoice({ currency: 'GBP' })
    const error = await syncInvoiceToPlanFact({ db, planfact, invoice }).then(
      () => null,
      (e: unknown) => e as PermanentError,
    )
    expect(error).toBeInstanceOf(PermanentError)
    expect(error!.type).toBe('PlanFactMisconfigured')
    expect(error!.message).toContain('GBP')
    expect(fake.state.operations).toHaveLength(0)
  })

  it('records a validation refusal as failed and lets a later retry succeed', async () => {
    fake.setBehavior({ validationErrorsAs: 200 })
    const invoice = await newInvoice()
    const error = await syncInvoiceToPlanFact({ db, planfact, invoice, projectId: '999' }).then(
      () => null,
      (e: unknown) => e,
    )
    expect(error).toBeInstanceOf(PlanFactRejectedError)
    expect((error as PlanFactRejectedError).message).toContain('items[0].projectId: Project 999 not found')
    expect(await referenceOf(invoice.invoiceId)).toMatchObject({ status: 'failed' })

    const fixed = await syncInvoiceToPlanFact({ db, planfact, invoice, projectId: '31' })
    expect(fixed.created).toBe(true)
    expect(operationsOf(invoice.invoiceId)).toHaveLength(1)
    expect(operationsOf(invoice.invoiceId)[0]!.parts[0]!.projectId).toBe(31)
  })

  it('fails permanently on a rejected API key', async () => {
    const invoice = await newInvoice()
    const stranger = createPlanFactClient({ url: fake.url, apiKey: 'not-the-key' })
    const error = await syncInvoiceToPlanFact({ db, planfact: stranger, invoice }).then(
      () => null,
      (e: unknown) => e as PlanFactRejectedError,
    )
    expect(error).toBeInstanceOf(PlanFactRejectedError)
    expect(error!.status).toBe(401)
    expect(error!.type).toBe('PlanFactRejected')
  })

  it('is retryable during an outage and books once after recovery', async () => {
    const invoice = await newInvoice()
    fake.setBehavior({ outage: true })
    const error = await syncInvoiceToPlanFact({ db, planfact, invoice }).then(
      () => null,
      (e: unknown) => e,
    )
    expect(error).toBeInstanceOf(Error)
    expect(error).not.toBeInstanceOf(PermanentError)
    expect(fake.state.operations).toHaveLength(0)

    fake.setBehavior({ outage: false })
    const result = await syncInvoiceToPlanFact({ db, planfact, invoice })
    expect(result.created).toBe(true)
    expect(operationsOf(invoice.invoiceId)).toHaveLength(1)
  })

  it('uses the configured income category instead of looking up "Sales"', async () => {
    const invoice = await newInvoice()
    await syncInvoiceToPlanFact({ db, planfact, invoice, incomeCategoryId: '22' })
    expect(operationsOf(invoice.invoiceId)[0]!.parts[0]!.operationCategoryId).toBe(22)
    expect(fake.state.requests['GET /api/v1/operationcategories']).toBeUndefined()
  })

  it('writes a comment that carries the number, the period and the invoice id', () => {
    expect(buildComment({ invoiceId: 'abc', number: 'INV-2026-0001', periodLabel: '2026-10' })).toBe('Invoice INV-2026-0001 for 2026-10 [invoice abc]')
  })
})
