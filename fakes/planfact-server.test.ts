import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { startPlanFactFake, type PlanFactFake } from './planfact-server.js'

/** The fake as a PlanFact client sees it on the wire: the envelope, statuses and the control API. */

const API_KEY = 'test-planfact-key'

let fake: PlanFactFake

beforeAll(async () => {
  fake = await startPlanFactFake({ apiKey: API_KEY })
})
afterAll(() => fake.close())
beforeEach(() => {
  fake.reset()
  fake.setBehavior({ writeDelayMs: { min: 1, max: 5 } })
})

interface Answer {
  status: number
  text: string
  json: { data?: unknown; isSuccess?: boolean; errorCode?: string; errors?: { field: string; message: string }[]; error?: string } | undefined
}

async function call(method: string, path: string, body?: unknown): Promise<Answer> {
  const headers: Record<string, string> = { 'X-ApiKey': API_KEY }
  if (body !== undefined) headers['Content-Type'] = 'application/json'
  const response = await fetch(`${fake.url}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) })
  const text = await response.text()
  return { status: response.status, text, json: text === '' ? undefined : (JSON.parse(text) as Answer['json']) }
}

function fields(answer: Answer): string[] {
  return (answer.json?.errors ?? []).map((e) => e.field)
}

const MARKER = 'inv-42'

async function contrAgent(): Promise<number> {
  const answer = await call('POST', '/api/v1/contragents', { title: 'Trystan', contrAgentInn: '305112847', externalId: 'C1' })
  return (answer.json!.data as { contrAgentId: number }).contrAgentId
}

function operationBody(contrAgentId: number, overrides: Record<string, unknown> = {}, items?: Record<string, unknown>[]): Record<string, unknown> {
  return {
    operationDate: '2026-11-03',
    accountId: 11,
    contrAgentId,
    comment: `Invoice INV-42 [invoice:${MARKER}]`,
    isCommitted: false,
    externalId: MARKER,
    items: items ?? [{ calculationDate: '2026-11-03', isCalculationCommitted: true, contrAgentId, operationCategoryId: 21, projectId: 31, value: 1000 }],
    ...overrides,
  }
}

async function planned(items?: (contrAgentId: number) => Record<string, unknown>[]): Promise<{ operationId: number; contrAgentId: number }> {
  const contrAgentId = await contrAgent()
  const answer = await call('POST', '/api/v1/operations/income', operationBody(contrAgentId, {}, items?.(contrAgentId)))
  expect(answer.status).toBe(200)
  return { operationId: (answer.json!.data as { operationId: number }).operationId, contrAgentId }
}

function list(body: Record<string, unknown> = {}): Promise<Answer> {
  return call('POST', '/api/v1/operations/list', { operationDateStart: '2026-11-01', operationDateEnd: '2026-12-31', ...body })
}

function ids(answer: Answer): number[] {
  return (answer.json!.data as { items: { operationId: number }[] }).items.map((o) => o.operationId).sort((a, b) => a - b)
}

describe('PlanFact fake: PUT /api/v1/operations/income/{id}', () => {
  it('replaces the whole operation: date, account, counterparty, comment, isCommitted, externalId, parts (new ids) and value', async () => {
    const { operationId, contrAgentId } = await planned()
    const oldPartId = fake.state.operations[0]!.parts[0]!.operationPartId
    const other = (await call('POST', '/api/v1/contragents', { title: 'Other' })).json!.data as { contrAgentId: number }
    const answer = await call(
      'PUT',
      `/api/v1/operations/income/${operationId}`,
      operationBody(other.contrAgentId, { operationDate: '2026-11-05', accountId: 12, comment: 'changed', isCommitted: true, externalId: 'x-1' }, [
        { calculationDate: '2026-11-04', isCalculationCommitted: true, contrAgentId, operationCategoryId: 22, projectId: null, value: 400 },
        { calculationDate: '2026-11-04', isCalculationCommitted: true, contrAgentId, operationCategoryId: 21, projectId: 31, value: 0.5 },
      ]),
    )
    expect(answer.status).toBe(200)
    expect(answer.json).toMatchObject({ isSuccess: true, data: { operationId } })
    const stored = fake.state.operations[0]!
    expect(stored).toMatchObject({
      operationId,
      operationType: 'Income',
      operationDate: '2026-11-05',
      accountId: 12,
      contrAgentId: other.contrAgentId,
      comment: 'changed',
      isCommitted: true,
      externalId: 'x-1',
      value: 400.5,
    })
    expect(stored.parts.map((p) => p.value)).toEqual([400, 0.5])
    expect(stored.parts.map((p) => p.operationPartId)).not.toContain(oldPartId)
    const read = await call('GET', `/api/v1/operations/${operationId}`)
    expect(read.json!.data).toMatchObject({ operationType: 'Income', value: 400.5, operationParts: [{ value: 400 }, { value: 0.5 }] })
  })

  it('validates like create, isCommitted required, and leaves the operation unchanged on errors', async () => {
    const { operationId, contrAgentId } = await planned()
    const body = operationBody(contrAgentId, { operationDate: '2026-11-05T00:00:00Z', accountId: 99, isCommitted: undefined }, [
      { calculationDate: '2026-11-03', isCalculationCommitted: true, contrAgentId, operationCategoryId: 23, projectId: 77, value: 1.005 },
    ])
    const answer = await call('PUT', `/api/v1/operations/income/${operationId}`, body)
    expect(answer.status).toBe(400)
    expect(answer.json).toMatchObject({ isSuccess: false, errorCode: 'ValidationError' })
    expect(fields(answer).sort()).toEqual(['accountId', 'isCommitted', 'items[0].operationCategoryId', 'items[0].projectId', 'items[0].value', 'operationDate'])
    fake.setBehavior({ validationErrorsAs: 200 })
    expect((await call('PUT', `/api/v1/operations/income/${operationId}`, { ...operationBody(contrAgentId), items: [] })).status).toBe(200)
    expect(fake.state.operations[0]).toMatchObject({ value: 1000, operationDate: '2026-11-03', accountId: 11 })
  })

  it('answers 404 NotFound for an unknown id and for an outcome', async () => {
    const { contrAgentId } = await planned()
    expect((await call('PUT', '/api/v1/operations/income/424242', operationBody(contrAgentId))).json).toMatchObject({ errorCode: 'NotFound' })
    const outcome = await call('POST', '/api/v1/operations/outcome', operationBody(contrAgentId, {}, [{ calculationDate: '2026-11-03', isCalculationCommitted: true, contrAgentId, operationCategoryId: 24, projectId: null, value: 10 }]))
    const outcomeId = (outcome.json!.data as { operationId: number }).operationId
    const answer = await call('PUT', `/api/v1/operations/income/${outcomeId}`, operationBody(contrAgentId))
    expect(answer.status).toBe(404)
    expect(answer.json).toMatchObject({ isSuccess: false, errorCode: 'NotFound' })
  })

  it('is a write: one at a time (429), lost answers and empty-bodied successes apply', async () => {
    const { operationId, contrAgentId } = await planned()
    fake.setBehavior({ writeDelayMs: { min: 80, max: 80 } })
    const both = await Promise.all([
      call('PUT', `/api/v1/operations/income/${operationId}`, operationBody(contrAgentId, { comment: 'a' })),
      call('PUT', `/api/v1/operations/income/${operationId}`, operationBody(contrAgentId, { comment: 'b' })),
    ])
    expect(both.map((a) => a.status).sort()).toEqual([200, 429])
    expect(fake.state.overlappingWrites).toBe(1)

    fake.setBehavior({ writeDelayMs: { min: 1, max: 1 }, dropResponsesAfterWrite: 1 })
    await expect(call('PUT', `/api/v1/operations/income/${operationId}`, operationBody(contrAgentId, { comment: 'dropped' }))).rejects.toThrow()
    expect(fake.state.operations[0]!.comment).toBe('dropped')

    fake.setBehavior({ emptyBodyOnSuccess: true })
    const empty = await call('PUT', `/api/v1/operations/income/${operationId}`, operationBody(contrAgentId, { comment: 'empty' }))
    expect([empty.status, empty.text]).toEqual([200, ''])
    expect(fake.state.operations[0]!.comment).toBe('empty')
  })
})

describe('PlanFact fake: outcomes and deletes', () => {
  it('books an outcome only with a category of type Outcome', async () => {
    const contrAgentId = await contrAgent()
    const item = (operationCategoryId: number) => [{ calculationDate: '2026-11-10', isCalculationCommitted: true, contrAgentId, operationCategoryId, projectId: null, value: 250 }]
    const refused = await call('POST', '/api/v1/operations/outcome', operationBody(contrAgentId, {}, item(21)))
    expect(refused.status).toBe(400)
    expect(refused.json!.errors).toEqual([{ field: 'items[0].operationCategoryId', message: 'Outcome category 21 not found' }])
    const booked = await call('POST', '/api/v1/operations/outcome', operationBody(contrAgentId, {}, item(24)))
    expect(booked.status).toBe(200)
    expect(fake.state.operations).toEqual([expect.objectContaining({ operationType: 'Outcome', value: 250, isCommitted: false })])
    const read = await call('GET', `/api/v1/operations/${(booked.json!.data as { operationId: number }).operationId}`)
    expect(read.json!.data).toMatchObject({ operationType: 'Outcome', operationParts: [{ operationCategory: { operationCategoryId: 24 } }] })
    // Income still refuses an Outcome category.
    expect(fields(await call('POST', '/api/v1/operations/income', operationBody(contrAgentId, {}, item(24))))).toEqual(['items[0].operationCategoryId'])
  })

  it('seeds the Outcome category "Refunds to customers" (24) beside the others', async () => {
    const answer = await call('GET', '/api/v1/operationcategories?filter.operationCategoryType=Outcome')
    expect((answer.json!.data as { items: unknown[] }).items).toEqual([
      { operationCategoryId: 23, title: 'Salaries', operationCategoryType: 'Outcome' },
      { operationCategoryId: 24, title: 'Refunds to customers', operationCategoryType: 'Outcome' },
    ])
  })

  it('deletes an operation: gone from GET and the list; unknown ids answer 404', async () => {
    const { operationId } = await planned()
    const { operationId: otherId } = await planned()
    const deleted = await call('DELETE', `/api/v1/operations/${operationId}`)
    expect(deleted.status).toBe(200)
    expect(deleted.json!.isSuccess).toBe(true)
    expect((await call('GET', `/api/v1/operations/${operationId}`)).status).toBe(404)
    expect(ids(await list({ searchString: MARKER }))).toEqual([otherId])
    const again = await call('DELETE', `/api/v1/operations/${operationId}`)
    expect(again.status).toBe(404)
    expect(again.json!.errorCode).toBe('NotFound')
    expect(fake.state.requests['DELETE /api/v1/operations/{id}']).toBe(2)
  })
})

describe('PlanFact fake: list', () => {
  it('filters by isCommitted when given, matching searchString against the comment only', async () => {
    const { operationId } = await planned()
    const { operationId: paidId } = await planned()
    fake.payOperation(paidId, { date: '2026-11-10' })
    expect(ids(await list({ searchString: MARKER }))).toEqual([operationId, paidId])
    expect(ids(await list({ searchString: MARKER, isCommitted: true }))).toEqual([paidId])
    expect(ids(await list({ searchString: MARKER, isCommitted: false }))).toEqual([operationId])
    expect(ids(await list({ searchString: 'INVOICE:INV-42' }))).toEqual([operationId, paidId])
    // The spec has searchString match the comment: an externalId alone is not found.
    fake.state.operations[0]!.comment = 'no marker here'
    expect(ids(await list({ searchString: MARKER }))).toEqual([paidId])
    expect(fields(await list({ isCommitted: 'yes' }))).toEqual(['isCommitted'])
  })
})

describe('PlanFact fake: payments (control API)', () => {
  it('pays in full: the planned income becomes actual on the payment date', async () => {
    const { operationId } = await planned()
    const answer = await fetch(`${fake.url}/__control/operations/${operationId}/pay`, { method: 'POST', body: JSON.stringify({ date: '2026-11-20' }) })
    expect(answer.status).toBe(200)
    expect(await answer.json()).toEqual({ operationId })
    expect(fake.state.operations).toHaveLength(1)
    expect(fake.state.operations[0]).toMatchObject({ isCommitted: true, operationDate: '2026-11-20', value: 1000 })
  })

  it('pays in full when the amount reaches the planned value', async () => {
    const { operationId } = await planned()
    expect(fake.payOperation(operationId, { date: '2026-11-20', amount: 1000 })).toEqual({ operationId })
    expect(fake.state.operations).toEqual([expect.objectContaining({ operationId, isCommitted: true, value: 1000 })])
  })

  it('pays part: the planned income is reduced and stays planned, an actual income of the amount carries the marker', async () => {
    const { operationId, contrAgentId } = await planned()
    const { operationId: actualId } = fake.payOperation(operationId, { date: '2026-11-20', amount: 300.25 })
    expect(actualId).not.toBe(operationId)
    const plannedOne = fake.state.operations.find((o) => o.operationId === operationId)!
    expect(plannedOne).toMatchObject({ isCommitted: false, operationDate: '2026-11-03', value: 699.75 })
    expect(plannedOne.parts.map((p) => p.value)).toEqual([699.75])
    const actual = fake.state.operations.find((o) => o.operationId === actualId)!
    expect(actual).toMatchObject({
      operationType: 'Income',
      isCommitted: true,
      operationDate: '2026-11-20',
      accountId: 11,
      contrAgentId,
      comment: `Invoice INV-42 [invoice:${MARKER}]`,
      externalId: MARKER,
      value: 300.25,
    })
    expect(actual.parts).toEqual([expect.objectContaining({ contrAgentId, operationCategoryId: 21, projectId: 31, value: 300.25 })])
    expect(ids(await list({ searchString: MARKER, isCommitted: true }))).toEqual([actualId])
  })

  it('pays part of a several-part income from the last parts first', async () => {
    const { operationId, contrAgentId } = await planned((c) => [
      { calculationDate: '2026-11-03', isCalculationCommitted: true, contrAgentId: c, operationCategoryId: 21, projectId: 31, value: 600 },
      { calculationDate: '2026-11-03', isCalculationCommitted: true, contrAgentId: c, operationCategoryId: 22, projectId: null, value: 400 },
    ])
    const { operationId: actualId } = fake.payOperation(operationId, { date: '2026-11-21', amount: 500 })
    const plannedOne = fake.state.operations.find((o) => o.operationId === operationId)!
    expect(plannedOne.value).toBe(500)
    expect(plannedOne.parts.map((p) => [p.operationCategoryId, p.value])).toEqual([[21, 500]])
    const actual = fake.state.operations.find((o) => o.operationId === actualId)!
    expect(actual.value).toBe(500)
    expect(actual.parts.map((p) => [p.operationCategoryId, p.value, p.contrAgentId])).toEqual([
      [21, 100, contrAgentId],
      [22, 400, contrAgentId],
    ])
  })

  it('refuses paying an actual operation, an outcome, or a bad amount (400), and an unknown one (404)', async () => {
    const { operationId, contrAgentId } = await planned()
    const pay = (id: number, body: unknown) => fetch(`${fake.url}/__control/operations/${id}/pay`, { method: 'POST', body: JSON.stringify(body) })
    for (const amount of [0, -5, 10.005]) {
      const refused = await pay(operationId, { date: '2026-11-20', amount })
      expect(refused.status).toBe(400)
      expect(((await refused.json()) as { error: string }).error).toContain('amount')
    }
    expect((await pay(operationId, { date: '2026-11-20T00:00:00Z' })).status).toBe(400)
    expect((await pay(987_654, { date: '2026-11-20' })).status).toBe(404)
    fake.payOperation(operationId, { date: '2026-11-20' })
    expect(() => fake.payOperation(operationId, { date: '2026-11-21' })).toThrow('already actual')
    expect((await pay(operationId, { date: '2026-11-20' })).status).toBe(400)
    const outcome = await call('POST', '/api/v1/operations/outcome', operationBody(contrAgentId, {}, [{ calculationDate: '2026-11-03', isCalculationCommitted: true, contrAgentId, operationCategoryId: 24, projectId: null, value: 10 }]))
    const outcomeId = (outcome.json!.data as { operationId: number }).operationId
    expect(() => fake.payOperation(outcomeId, { date: '2026-11-21' })).toThrow('outcome')
    expect(fake.state.operations).toHaveLength(2)
  })

  it('links a bank payment: a separate actual income of the counterparty, its comment naming the planned one; the planned one unchanged', async () => {
    const { operationId, contrAgentId } = await planned()
    const answer = await fetch(`${fake.url}/__control/operations/${operationId}/link-payment`, { method: 'POST', body: JSON.stringify({ date: '2026-11-22', amount: 400 }) })
    expect(answer.status).toBe(200)
    const { operationId: linkedId } = (await answer.json()) as { operationId: number }
    expect(fake.state.operations.find((o) => o.operationId === operationId)).toMatchObject({ isCommitted: false, value: 1000, operationDate: '2026-11-03' })
    const linked = fake.state.operations.find((o) => o.operationId === linkedId)!
    expect(linked).toMatchObject({
      operationType: 'Income',
      isCommitted: true,
      operationDate: '2026-11-22',
      accountId: 11,
      contrAgentId,
      comment: `Bank statement payment, linked to: Invoice INV-42 [invoice:${MARKER}]`,
      externalId: null,
      value: 400,
    })
    expect(ids(await list({ searchString: MARKER, isCommitted: true }))).toEqual([linkedId])
    const second = fake.linkBankPayment(operationId, { date: '2026-11-23', amount: 600 })
    expect(ids(await list({ searchString: MARKER, isCommitted: true }))).toEqual([linkedId, second.operationId])
  })

  it('refuses a link without an amount or to an unknown operation', async () => {
    const { operationId } = await planned()
    const link = (id: number, body: unknown) => fetch(`${fake.url}/__control/operations/${id}/link-payment`, { method: 'POST', body: JSON.stringify(body) })
    expect((await link(operationId, { date: '2026-11-22' })).status).toBe(400)
    expect((await link(123_456, { date: '2026-11-22', amount: 1 })).status).toBe(404)
    expect(fake.state.operations).toHaveLength(1)
  })
})
