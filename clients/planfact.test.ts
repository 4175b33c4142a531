import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { startPlanFactFake, type PlanFactFake } from '../fakes/planfact-server.js'
import { createPlanFactClient, PlanFactRejectedError, PlanFactUnavailableError, type PlanFactClient } from './planfact.js'

const API_KEY = 'test-planfact-key'
const FAST_BACKOFF = { retries: 3, minDelayMs: 200, maxDelayMs: 300 }

let fake: PlanFactFake
let client: PlanFactClient

beforeAll(async () => {
  fake = await startPlanFactFake({ apiKey: API_KEY })
})
afterAll(() => fake.close())
beforeEach(() => {
  fake.reset()
  fake.setBehavior({ writeDelayMs: { min: 5, max: 10 } })
  client = createPlanFactClient({ url: fake.url, apiKey: API_KEY, timeoutMs: 2_000, rateLimitBackoff: FAST_BACKOFF })
})

async function bookOperation(c: PlanFactClient = client): Promise<{ operationId: unknown; contrAgentId: unknown }> {
  const created = await c.createContrAgent({
    title: 'Trystan',
    longTitle: '"Trystan Logistics" LLC',
    contrAgentInn: '305112847',
    contrAgentType: 'Mixed',
    externalId: 'CUST-UZ-01',
  })
  // An empty-bodied success gives no id: find what was created, as the sync does.
  const contrAgentId = created ?? (await c.findContrAgents({ externalId: 'CUST-UZ-01' }))[0]?.contrAgentId ?? null
  const operationId = await c.createIncomeOperation({
    operationDate: '2026-11-03',
    accountId: 12,
    contrAgentId: contrAgentId ?? 0,
    comment: 'Invoice INV-2026-0007 [invoice:abc-123]',
    externalId: 'abc-123',
    items: [{ calculationDate: '2026-11-03', contrAgentId: contrAgentId ?? 0, operationCategoryId: 21, projectId: null, value: 1500.5 }],
  })
  return { operationId, contrAgentId: created }
}

async function rejection(promise: Promise<unknown>): Promise<PlanFactRejectedError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(PlanFactRejectedError)
  return error as PlanFactRejectedError
}

async function unavailability(promise: Promise<unknown>): Promise<PlanFactUnavailableError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(PlanFactUnavailableError)
  // Retryable: no permanent `type` a retry policy would stop on.
  expect((error as { type?: unknown }).type).toBeUndefined()
  return error as PlanFactUnavailableError
}

describe('PlanFact client', () => {
  it('books an income operation exactly as the spec describes and reads it back', async () => {
    const { operationId, contrAgentId } = await bookOperation()
    expect(typeof operationId).toBe('number')

    const stored = fake.state.operations
    expect(stored).toHaveLength(1)
    expect(stored[0]).toMatchObject({
      operationDate: '2026-11-03',
      accountId: 12,
      contrAgentId,
      isCommitted: false,
      externalId: 'abc-123',
      value: 1500.5,
    })
    expect(stored[0]!.parts).toEqual([
      expect.objectContaining({ calculationDate: '2026-11-03', isCalculationCommitted: true, contrAgentId, operationCategoryId: 21, projectId: null, value: 1500.5 }),
    ])

    const read = await client.getOperation(operationId as number)
    expect(read).toMatchObject({ operationId, accountId: 12, contrAgentId, value: 1500.5, externalId: 'abc-123', isCommitted: false })
    expect(read.parts).toEqual([{ contrAgentId, operationCategoryId: 21, projectId: null, value: 1500.5 }])

    const found = await client.searchOperations({ operationDateStart: '2026-11-01', operationDateEnd: '2026-11-30', searchString: 'abc-123', accountIds: [12] })
    expect(found.map((o) => o.operationId)).toEqual([operationId])
    const elsewhere = await client.searchOperations({ operationDateStart: '2026-11-01', operationDateEnd: '2026-11-30', searchString: 'abc-123', accountIds: [11] })
    expect(elsewhere).toEqual([])
  })

  it('finds counterparties by exact TIN or external id, and accounts and income categories by filter', async () => {
    await bookOperation()
    expect((await client.findContrAgents({ inn: '305112847' })).map((c) => c.title)).toEqual(['Trystan'])
    expect(await client.findContrAgents({ inn: '3051' })).toEqual([])
    expect((await client.findContrAgents({ externalId: 'CUST-UZ-01' })).map((c) => c.contrAgentInn)).toEqual(['305112847'])
    expect((await client.listAccounts({ currencyCode: 'EUR' })).map((a) => a.accountId)).toEqual([13])
    expect((await client.listOperationCategories({ type: 'Income' })).map((c) => c.title)).toEqual(['Sales', 'Other income'])
  })

  it('returns null for a successful POST with an empty body, and the write did happen', async () => {
    fake.setBehavior({ emptyBodyOnSuccess: true })
    const { operationId, contrAgentId } = await bookOperation()
    expect(operationId).toBeNull()
    expect(contrAgentId).toBeNull()
    expect(fake.state.contrAgents).toHaveLength(1)
    expect(fake.state.operations).toHaveLength(1)
  })

  it('turns a validation error answered as HTTP 400 into a permanent error naming the code and the field', async () => {
    fake.setBehavior({ validationErrorsAs: 400 })
    const contrAgentId = await client.createContrAgent({ title: 'X', longTitle: 'X', contrAgentInn: null, contrAgentType: 'Mixed', externalId: 'C1' })
    const error = await rejection(
      client.createIncomeOperation({
        operationDate: '2026-11-03',
        accountId: 999,
        contrAgentId: contrAgentId!,
        comment: 'x',
        externalId: 'x',
        items: [{ calculationDate: '2026-11-03', contrAgentId: contrAgentId!, operationCategoryId: 21, projectId: null, value: 10 }],
      }),
    )
    expect(error.type).toBe('PlanFactRejected')
    expect(error.status).toBe(400)
    expect(error.errorCode).toBe('ValidationError')
    expect(error.message).toContain('accountId: Account 999 not found')
    expect(fake.state.operations).toHaveLength(0)
  })

  it('turns a validation error answered as 200 isSuccess:false into the same permanent error', async () => {
    fake.setBehavior({ validationErrorsAs: 200 })
    const error = await rejection(client.createContrAgent({ title: '', longTitle: '', contrAgentInn: '12', contrAgentType: 'Mixed', externalId: 'C1' }))
    expect(error.type).toBe('PlanFactRejected')
    expect(error.status).toBe(200)
    expect(error.message).toContain('title: Title is required')
    expect(error.message).toContain('contrAgentInn: INN must be 9 to 14 digits')
  })

  it('refuses a date-time before sending it', async () => {
    const error = await promiseError(client.searchOperations({ operationDateStart: '2026-11-01T00:00:00Z', operationDateEnd: '2026-11-02', searchString: 'x', accountIds: [] }))
    expect((error as { type?: unknown }).type).toBe('InvalidInput')
    expect(fake.state.requests['POST /api/v1/operations/list']).toBeUndefined()
  })

  it('fails permanently on a bad API key, without retrying', async () => {
    const stranger = createPlanFactClient({ url: fake.url, apiKey: 'wrong', rateLimitBackoff: FAST_BACKOFF })
    const error = await rejection(stranger.listAccounts({ currencyCode: 'USD' }))
    expect(error.status).toBe(401)
    expect(error.errorCode).toBe('Unauthorized')
    expect(error.message).toContain('Unauthorized')
    expect(fake.state.requests['GET /api/v1/accounts']).toBe(1)
  })

  it.each(['TariffAccessDenied', 'NotEnoughApiPermission', 'Forbidden'])('fails permanently on 403 %s', async (code) => {
    fake.setBehavior({ forbiddenCode: code })
    const error = await rejection(bookOperation())
    expect(error.status).toBe(403)
    expect(error.errorCode).toBe(code)
    expect(error.message).toContain(code)
  })

  it('is retryable while PlanFact is down and works again after', async () => {
    fake.setBehavior({ outage: true })
    const error = await unavailability(client.listAccounts({ currencyCode: 'USD' }))
    expect(error.status).toBe(503)
    fake.setBehavior({ outage: false })
    expect(await client.listAccounts({ currencyCode: 'USD' })).toHaveLength(1)
  })

  it('backs off on 429 and succeeds when PlanFact lets the write through', async () => {
    fake.setBehavior({ rateLimitNextRequests: 2 })
    const started = Date.now()
    const { operationId } = await bookOperation()
    expect(operationId).not.toBeNull()
    expect(fake.state.rateLimited).toBe(2)
    expect(fake.state.requests['POST /api/v1/contragents']).toBe(3)
    expect(Date.now() - started).toBeGreaterThanOrEqual(2 * FAST_BACKOFF.minDelayMs)
  })

  it('gives up with a retryable error when 429 persists', async () => {
    fake.setBehavior({ rateLimitNextRequests: 10 })
    const error = await unavailability(client.listAccounts({ currencyCode: 'USD' }))
    expect(error.status).toBe(429)
    expect(fake.state.requests['GET /api/v1/accounts']).toBe(FAST_BACKOFF.retries + 1)
  })

  it('gets two parallel writes through: the overlapping one is answered 429 and retried', async () => {
    fake.setBehavior({ writeDelayMs: { min: 50, max: 100 } })
    const input = { longTitle: 'L', contrAgentInn: null, contrAgentType: 'Mixed' }
    const ids = await Promise.all([
      client.createContrAgent({ ...input, title: 'A', externalId: 'A' }),
      client.createContrAgent({ ...input, title: 'B', externalId: 'B' }),
    ])
    expect(new Set(ids).size).toBe(2)
    expect(fake.state.contrAgents.map((c) => c.title).sort()).toEqual(['A', 'B'])
    expect(fake.state.overlappingWrites).toBeGreaterThanOrEqual(1)
  })

  it('times out with a retryable error', async () => {
    fake.setBehavior({ writeDelayMs: { min: 400, max: 400 } })
    const impatient = createPlanFactClient({ url: fake.url, apiKey: API_KEY, timeoutMs: 100 })
    const error = await unavailability(impatient.createContrAgent({ title: 'A', longTitle: 'A', contrAgentInn: null, contrAgentType: 'Mixed', externalId: 'A' }))
    expect(error.message).toContain('did not answer')
    expect(error.status).toBeNull()
  })

  it('is retryable when nothing listens', async () => {
    const nowhere = await startPlanFactFake({ apiKey: API_KEY })
    await nowhere.close()
    const error = await unavailability(createPlanFactClient({ url: nowhere.url, apiKey: API_KEY }).listAccounts({ currencyCode: 'USD' }))
    expect(error.message).toContain('unreachable')
  })
})

describe('PlanFact client: corrections, outcomes, deletes and payments', () => {
  const marker = 'abc-123'
  const nov = { operationDateStart: '2026-11-01', operationDateEnd: '2026-12-31', searchString: marker, accountIds: [12] }

  async function booked(): Promise<{ operationId: number; contrAgentId: number }> {
    const { operationId, contrAgentId } = await bookOperation()
    return { operationId: operationId as number, contrAgentId: contrAgentId as number }
  }

  function correction(contrAgentId: number, value: number, categoryId = 21) {
    return {
      operationDate: '2026-11-03',
      accountId: 12,
      contrAgentId,
      comment: 'Invoice INV-2026-0007 [invoice:abc-123], credit note CN-2026-0001',
      externalId: marker,
      items: [{ calculationDate: '2026-11-03', contrAgentId, operationCategoryId: categoryId, projectId: 31, value }],
    }
  }

  it('replaces a planned income with PUT (a lower value after a credit note) and reads the type back', async () => {
    const { operationId, contrAgentId } = await booked()
    await client.updateIncomeOperation(operationId, { ...correction(contrAgentId, 1200), isCommitted: false })
    expect(fake.state.requests['PUT /api/v1/operations/income/{id}']).toBe(1)
    const read = await client.getOperation(operationId)
    expect(read).toMatchObject({ operationId, operationType: 'Income', value: 1200, isCommitted: false, comment: expect.stringContaining('CN-2026-0001') })
    expect(read.parts).toEqual([{ contrAgentId, operationCategoryId: 21, projectId: 31, value: 1200 }])
    expect(fake.state.operations[0]!.parts[0]!.isCalculationCommitted).toBe(true)
  })

  it('accepts an empty-bodied success of PUT and DELETE', async () => {
    const { operationId, contrAgentId } = await booked()
    fake.setBehavior({ emptyBodyOnSuccess: true })
    await expect(client.updateIncomeOperation(operationId, { ...correction(contrAgentId, 100), isCommitted: false })).resolves.toBeUndefined()
    expect(fake.state.operations[0]!.value).toBe(100)
    await expect(client.deleteOperation(operationId)).resolves.toBeUndefined()
    expect(fake.state.operations).toHaveLength(0)
  })

  it('fails permanently (404 NotFound) replacing an unknown operation, and with field errors on an invalid body', async () => {
    const { operationId, contrAgentId } = await booked()
    const unknown = await rejection(client.updateIncomeOperation(999_999, { ...correction(contrAgentId, 10), isCommitted: false }))
    expect(unknown.status).toBe(404)
    expect(unknown.errorCode).toBe('NotFound')
    const invalid = await rejection(client.updateIncomeOperation(operationId, { ...correction(contrAgentId, 10, 24), isCommitted: false }))
    expect(invalid.status).toBe(400)
    expect(invalid.message).toContain('items[0].operationCategoryId')
    expect(fake.state.operations[0]!.value).toBe(1500.5)
  })

  it('books an outcome with an Outcome category, and refuses an Income category for it', async () => {
    const { contrAgentId } = await booked()
    const outcomeId = await client.createOutcomeOperation(correction(contrAgentId, 300.25, 24))
    expect(typeof outcomeId).toBe('number')
    const read = await client.getOperation(outcomeId!)
    expect(read).toMatchObject({ operationType: 'Outcome', value: 300.25, isCommitted: false, externalId: marker })
    expect(fake.state.operations.find((o) => o.operationId === outcomeId)!.parts[0]!.isCalculationCommitted).toBe(true)
    expect((await client.listOperationCategories({ type: 'Outcome' })).map((c) => c.title)).toContain('Refunds to customers')

    const wrong = await rejection(client.createOutcomeOperation(correction(contrAgentId, 300.25, 21)))
    expect(wrong.message).toContain('items[0].operationCategoryId: Outcome category 21 not found')
    fake.setBehavior({ emptyBodyOnSuccess: true })
    expect(await client.createOutcomeOperation(correction(contrAgentId, 1, 24))).toBeNull()
    expect(fake.state.operations.filter((o) => o.operationType === 'Outcome')).toHaveLength(2)
  })

  it('deletes an operation: gone from reads and searches; a second delete is 404', async () => {
    const { operationId } = await booked()
    await client.deleteOperation(operationId)
    expect((await rejection(client.getOperation(operationId))).status).toBe(404)
    expect(await client.searchOperations(nov)).toEqual([])
    expect((await rejection(client.deleteOperation(operationId))).status).toBe(404)
    expect(fake.state.requests['DELETE /api/v1/operations/{id}']).toBe(2)
  })

  it('backs off on 429 for PUT and DELETE too', async () => {
    const { operationId, contrAgentId } = await booked()
    fake.setBehavior({ rateLimitNextRequests: 1 })
    await client.updateIncomeOperation(operationId, { ...correction(contrAgentId, 5), isCommitted: false })
    fake.setBehavior({ rateLimitNextRequests: 1 })
    await client.deleteOperation(operationId)
    expect(fake.state.rateLimited).toBe(2)
    expect(fake.state.operations).toHaveLength(0)
  })

  it('searches actual or planned operations only (isCommitted), finding the paid part of a split', async () => {
    const { operationId } = await booked()
    const { operationId: paidId } = fake.payOperation(operationId, { date: '2026-11-20', amount: 500.5 })
    expect((await client.searchOperations(nov)).map((o) => o.operationId).sort()).toEqual([operationId, paidId].sort())
    const actual = await client.searchOperations({ ...nov, isCommitted: true })
    expect(actual).toEqual([expect.objectContaining({ operationId: paidId, isCommitted: true, value: 500.5, operationDate: '2026-11-20', externalId: marker })])
    const planned = await client.searchOperations({ ...nov, isCommitted: false })
    expect(planned).toEqual([expect.objectContaining({ operationId, isCommitted: false, value: 1000 })])
  })

  it('reads an operation paid in full as actual on the payment date', async () => {
    const { operationId } = await booked()
    expect(fake.payOperation(operationId, { date: '2026-11-25' })).toEqual({ operationId })
    expect(await client.getOperation(operationId)).toMatchObject({ isCommitted: true, operationDate: '2026-11-25', value: 1500.5 })
  })
})

async function promiseError(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a failure')
    },
    (e: unknown) => e,
  )
}
