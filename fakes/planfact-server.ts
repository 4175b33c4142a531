import type { IncomingMessage, ServerResponse } from 'node:http'
import { listen, parseJson, randomDelay, readBody, sendEmpty, sendJson } from './http-helpers.js'

/**
 * A PlanFact stand-in that behaves as docs external-apis.md says, errors included: the
 * `{ data, isSuccess, errorMessage, errorCode, errorCodeTitle, errors }` envelope, 401 for a
 * bad `X-ApiKey`, 429 for a write (POST/PUT/DELETE) that arrives while another write is in
 * progress, no uniqueness of `externalId`, and switches for empty-bodied successes, an outage,
 * validation errors as 400 or as 200 `isSuccess:false`, permission errors, and lost answers.
 * It counts what it receives so tests can assert "exactly once".
 *
 * Operations: planned incomes (`POST /api/v1/operations/income`), their replacement (`PUT
 * /api/v1/operations/income/{id}`), outcomes (`POST /api/v1/operations/outcome`, a category of
 * type Outcome), deletion (`DELETE /api/v1/operations/{id}`) and the list search (comment and
 * `isCommitted`). Payments arrive as the bank statement would bring them, through the control
 * API: the planned income becomes actual, a part of it is paid (the planned one is split), or a
 * separate actual income is linked to it.
 */

export interface PlanFactFakeBehavior {
  /** Every API call answers 503. */
  outage: boolean
  /** Successful writes answer 200 with an empty body. */
  emptyBodyOnSuccess: boolean
  /** How a validation error is answered: HTTP 400, or HTTP 200 with isSuccess:false. */
  validationErrorsAs: 400 | 200
  /** Every write takes this long (ms) before it is applied and answered. */
  writeDelayMs: { min: number; max: number }
  /** Every API call answers 403 with this errorCode (e.g. TariffAccessDenied); null = off. */
  forbiddenCode: string | null
  /** The next N writes are applied, then the connection is dropped without an answer. */
  dropResponsesAfterWrite: number
  /** The next N API calls answer 429 whatever else is going on. */
  rateLimitNextRequests: number
}

export interface FakeContrAgent {
  contrAgentId: number
  title: string
  longTitle: string | null
  contrAgentInn: string | null
  contrAgentType: string | null
  externalId: string | null
}

export interface FakeAccount {
  accountId: number
  title: string
  currencyCode: string
  externalId: string | null
}

export interface FakeOperationCategory {
  operationCategoryId: number
  title: string
  operationCategoryType: 'Income' | 'Outcome'
}

export interface FakeOperationPart {
  operationPartId: number
  calculationDate: string
  isCalculationCommitted: boolean
  contrAgentId: number
  operationCategoryId: number
  projectId: number | null
  value: number
}

export interface FakeOperation {
  operationId: number
  operationType: 'Income' | 'Outcome'
  operationDate: string
  accountId: number
  contrAgentId: number | null
  comment: string
  isCommitted: boolean
  externalId: string | null
  value: number
  parts: FakeOperationPart[]
}

export interface PlanFactFakeState {
  /** Requests received per route, e.g. `POST /api/v1/operations/income`. */
  requests: Record<string, number>
  /** Writes answered 429 because another write was in progress (overlaps). */
  overlappingWrites: number
  /** All 429 answers (overlaps and forced ones). */
  rateLimited: number
  /** Writes being processed right now. */
  writesInFlight: number
  contrAgents: FakeContrAgent[]
  accounts: FakeAccount[]
  operationCategories: FakeOperationCategory[]
  projects: { projectId: number; title: string }[]
  operations: FakeOperation[]
  nextId: number
}

/** A payment as the bank statement brings it: `amount` omitted = the whole planned value. */
export interface FakePayment {
  /** YYYY-MM-DD */
  date: string
  amount?: number
}

export interface PlanFactFake {
  url: string
  /** Live state: read it in tests; `reset()` clears it in place. */
  state: PlanFactFakeState
  behavior: PlanFactFakeBehavior
  setBehavior(change: Partial<PlanFactFakeBehavior>): PlanFactFakeBehavior
  /**
   * The customer pays a planned income. In full (no amount, or at least the planned value): the
   * operation itself becomes actual on `date`. In part: the planned one is reduced by the amount
   * and stays planned, and a new actual income of the amount (same account, counterparty,
   * category, project, comment and externalId) is booked. Answers the actual operation's id.
   */
  payOperation(operationId: number, payment: FakePayment): { operationId: number }
  /**
   * A bank-statement income booked on its own and linked by a person to the planned one: a new
   * actual income of the same counterparty and account whose comment names the planned one's
   * (so it carries our marker), externalId null; the planned operation is left as it is.
   */
  linkBankPayment(operationId: number, payment: Required<FakePayment>): { operationId: number }
  reset(): void
  close(): Promise<void>
}

export interface PlanFactFakeOptions {
  port?: number
  /** Default 127.0.0.1. */
  host?: string
  /** Called with each API request's route, e.g. for a progress log. */
  onRequest?: (route: string) => void
  apiKey: string
}

const DEFAULT_BEHAVIOR: PlanFactFakeBehavior = Object.freeze({
  outage: false,
  emptyBodyOnSuccess: false,
  validationErrorsAs: 400,
  writeDelayMs: { min: 50, max: 150 },
  forbiddenCode: null,
  dropResponsesAfterWrite: 0,
  rateLimitNextRequests: 0,
})

const RATE_LIMIT_HEADERS = { 'X-RateLimit-Limit': '300', 'X-Quota-Limit': '100000', 'X-Quota-Used': '1', 'X-Quota-Remaining': '99999', 'X-Quota-Reset': '86400' }
const DATE = /^\d{4}-\d{2}-\d{2}$/
const MAX_LIMIT = 10_000

/** Accounts and categories a fresh business has: one account per invoice currency, "Sales" income. */
function seedState(): PlanFactFakeState {
  return {
    requests: {},
    overlappingWrites: 0,
    rateLimited: 0,
    writesInFlight: 0,
    contrAgents: [],
    accounts: [
      { accountId: 11, title: 'Kapitalbank UZS', currencyCode: 'UZS', externalId: null },
      { accountId: 12, title: 'Kapitalbank USD', currencyCode: 'USD', externalId: null },
      { accountId: 13, title: 'Kapitalbank EUR', currencyCode: 'EUR', externalId: null },
    ],
    operationCategories: [
      { operationCategoryId: 21, title: 'Sales', operationCategoryType: 'Income' },
      { operationCategoryId: 22, title: 'Other income', operationCategoryType: 'Income' },
      { operationCategoryId: 23, title: 'Salaries', operationCategoryType: 'Outcome' },
      { operationCategoryId: 24, title: 'Refunds to customers', operationCategoryType: 'Outcome' },
    ],
    projects: [{ projectId: 31, title: 'Software services' }],
    operations: [],
    nextId: 1000,
  }
}

interface FieldError {
  field: string
  message: string
}

class ValidationFailure extends Error {
  constructor(readonly errors: FieldError[]) {
    super('Validation failed')
  }
}

/** A control call the fake refuses (answered with this HTTP status and the message). */
class ControlRefusal extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message)
  }
}

/** What an income or outcome body describes, once validated. */
interface OperationFields {
  operationDate: string
  accountId: number
  contrAgentId: number | null
  comment: string
  isCommitted: boolean
  externalId: string | null
  parts: FakeOperationPart[]
  value: number
}

/**
 * Starts the fake on 127.0.0.1 (`port` 0 or omitted = a free port). Control routes, open to
 * anyone: `GET /__control/state`, `POST /__control/reset`, `POST /__control/behavior`,
 * `POST /__control/operations/{id}/pay` `{ date, amount? }` and
 * `POST /__control/operations/{id}/link-payment` `{ date, amount }` (both answer `{ operationId }`
 * of the actual operation; 400 `{ error }` when refused, 404 for an unknown operation).
 */
export async function startPlanFactFake(options: PlanFactFakeOptions): Promise<PlanFactFake> {
  const state = seedState()
  const behavior: PlanFactFakeBehavior = { ...DEFAULT_BEHAVIOR, writeDelayMs: { ...DEFAULT_BEHAVIOR.writeDelayMs } }

  const setBehavior = (change: Partial<PlanFactFakeBehavior>): PlanFactFakeBehavior => Object.assign(behavior, change)
  const reset = (): void => {
    Object.assign(state, seedState())
    Object.assign(behavior, DEFAULT_BEHAVIOR, { writeDelayMs: { ...DEFAULT_BEHAVIOR.writeDelayMs } })
  }

  async function handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const method = req.method ?? 'GET'
    const body = await readBody(req)
    if (url.pathname.startsWith('/__control/')) return handleControl(method, url.pathname, body, res)

    const route = routeName(method, url.pathname)
    state.requests[route] = (state.requests[route] ?? 0) + 1
    options.onRequest?.(route)

    if (behavior.outage) return sendJson(res, 503, { message: 'Service Unavailable' })
    if (req.headers['x-apikey'] !== options.apiKey) {
      return sendJson(res, 401, failure('Unauthorized', 'API key is missing or invalid'), RATE_LIMIT_HEADERS)
    }
    if (behavior.forbiddenCode !== null) {
      return sendJson(res, 403, failure(behavior.forbiddenCode, `Access denied (${behavior.forbiddenCode})`), RATE_LIMIT_HEADERS)
    }
    if (behavior.rateLimitNextRequests > 0) {
      behavior.rateLimitNextRequests -= 1
      state.rateLimited += 1
      return sendJson(res, 429, failure('TooManyRequests', 'Too many requests'), RATE_LIMIT_HEADERS)
    }

    const isWrite = method === 'POST' || method === 'PUT' || method === 'DELETE'
    if (!isWrite) return answer(res, () => read(method, url))

    if (state.writesInFlight > 0) {
      state.overlappingWrites += 1
      state.rateLimited += 1
      return sendJson(res, 429, failure('TooManyRequests', 'Only one write at a time per business'), RATE_LIMIT_HEADERS)
    }
    state.writesInFlight += 1
    try {
      await randomDelay(behavior.writeDelayMs)
      const payload = parseJson(body)
      if (payload instanceof Error) return sendJson(res, 400, failure('BadRequest', `Malformed JSON: ${payload.message}`))
      const isMutation = url.pathname !== '/api/v1/operations/list'
      if (isMutation && behavior.dropResponsesAfterWrite > 0) {
        const applied = tryWrite(method, url, payload)
        if (applied.ok) {
          behavior.dropResponsesAfterWrite -= 1
          res.socket?.destroy()
          return
        }
      }
      return answer(res, () => write(method, url, payload), isMutation)
    } finally {
      state.writesInFlight -= 1
    }
  }

  function answer(res: ServerResponse, run: () => { status: number; data: unknown }, isMutation = false): void {
    try {
      const { status, data } = run()
      if (isMutation && behavior.emptyBodyOnSuccess) return sendEmpty(res, status, RATE_LIMIT_HEADERS)
      sendJson(res, status, success(data), RATE_LIMIT_HEADERS)
    } catch (error) {
      if (error instanceof ValidationFailure) {
        const envelope = {
          ...failure('ValidationError', 'One or more fields are invalid'),
          errors: error.errors.map((e) => ({ field: e.field, message: e.message })),
        }
        return sendJson(res, behavior.validationErrorsAs, envelope, RATE_LIMIT_HEADERS)
      }
      if (error instanceof NotFound) return sendJson(res, 404, failure('NotFound', error.message), RATE_LIMIT_HEADERS)
      throw error
    }
  }

  function tryWrite(method: string, url: URL, payload: unknown): { ok: boolean } {
    try {
      write(method, url, payload)
      return { ok: true }
    } catch (error) {
      if (error instanceof ValidationFailure || error instanceof NotFound) return { ok: false }
      throw error
    }
  }

  function read(method: string, url: URL): { status: number; data: unknown } {
    const p = url.pathname
    const q = url.searchParams
    if (p === '/api/v1/contragents') {
      const byText = q.get('filter.titleOrContrAgentInn')
      const byExternalId = q.get('filter.externalId')
      const items = state.contrAgents.filter(
        (c) =>
          (byText === null || c.title.toLowerCase().includes(byText.toLowerCase()) || (c.contrAgentInn ?? '').startsWith(byText)) &&
          (byExternalId === null || c.externalId === byExternalId),
      )
      return { status: 200, data: page(items.map(showContrAgent), q) }
    }
    if (p === '/api/v1/accounts') {
      const currency = q.get('filter.currencyCode')
      const items = state.accounts.filter((a) => currency === null || a.currencyCode === currency)
      return { status: 200, data: page(items, q) }
    }
    if (p === '/api/v1/operationcategories') {
      const type = q.get('filter.operationCategoryType')
      const items = state.operationCategories.filter((c) => type === null || c.operationCategoryType === type)
      return { status: 200, data: page(items, q) }
    }
    if (p === '/api/v1/projects') return { status: 200, data: page(state.projects, q) }
    const single = /^\/api\/v1\/operations\/(\d+)$/.exec(p)
    if (single && method === 'GET') {
      const operation = state.operations.find((o) => o.operationId === Number(single[1]))
      if (!operation) throw new NotFound(`Operation ${single[1]} not found`)
      return { status: 200, data: showOperation(operation) }
    }
    throw new NotFound(`No route ${method} ${p}`)
  }

  function write(method: string, url: URL, payload: unknown): { status: number; data: unknown } {
    const p = url.pathname
    if (method === 'POST' && p === '/api/v1/contragents') return { status: 200, data: { contrAgentId: createContrAgent(payload) } }
    if (method === 'POST' && p === '/api/v1/operations/income') return { status: 200, data: { operationId: createOperation(payload, 'Income') } }
    if (method === 'POST' && p === '/api/v1/operations/outcome') return { status: 200, data: { operationId: createOperation(payload, 'Outcome') } }
    if (method === 'POST' && p === '/api/v1/operations/list') return { status: 200, data: searchOperations(payload) }
    const income = /^\/api\/v1\/operations\/income\/(\d+)$/.exec(p)
    if (method === 'PUT' && income) return { status: 200, data: { operationId: replaceIncome(Number(income[1]), payload) } }
    const single = /^\/api\/v1\/operations\/(\d+)$/.exec(p)
    if (method === 'DELETE' && single) {
      deleteOperation(Number(single[1]))
      return { status: 200, data: null }
    }
    throw new NotFound(`No route ${method} ${p}`)
  }

  function createContrAgent(payload: unknown): number {
    const body = asObject(payload)
    const errors: FieldError[] = []
    const title = body.title
    if (typeof title !== 'string' || title.trim() === '') errors.push({ field: 'title', message: 'Title is required' })
    const inn = body.contrAgentInn
    if (inn !== undefined && inn !== null && (typeof inn !== 'string' || !/^\d{9,14}$/.test(inn))) {
      errors.push({ field: 'contrAgentInn', message: 'INN must be 9 to 14 digits' })
    }
    for (const field of ['longTitle', 'contrAgentType', 'externalId']) {
      if (body[field] !== undefined && body[field] !== null && typeof body[field] !== 'string') errors.push({ field, message: 'Must be a string' })
    }
    if (errors.length > 0) throw new ValidationFailure(errors)
    const contrAgent: FakeContrAgent = {
      contrAgentId: state.nextId++,
      title: title as string,
      longTitle: (body.longTitle as string | undefined) ?? null,
      contrAgentInn: (inn as string | undefined) ?? null,
      contrAgentType: (body.contrAgentType as string | undefined) ?? null,
      externalId: (body.externalId as string | undefined) ?? null,
    }
    state.contrAgents.push(contrAgent)
    return contrAgent.contrAgentId
  }

  /** Validates an income or outcome body (items' categories must be of `type`); throws ValidationFailure. */
  function readOperationBody(payload: unknown, type: 'Income' | 'Outcome'): OperationFields {
    const body = asObject(payload)
    const errors: FieldError[] = []
    checkDate(body.operationDate, 'operationDate', errors)
    const account = state.accounts.find((a) => a.accountId === body.accountId)
    if (!account) errors.push({ field: 'accountId', message: `Account ${String(body.accountId)} not found` })
    if (body.contrAgentId !== undefined && body.contrAgentId !== null && !findContrAgent(body.contrAgentId)) {
      errors.push({ field: 'contrAgentId', message: `Counterparty ${String(body.contrAgentId)} not found` })
    }
    if (body.comment !== undefined && typeof body.comment !== 'string') errors.push({ field: 'comment', message: 'Must be a string' })
    if (typeof body.isCommitted !== 'boolean') errors.push({ field: 'isCommitted', message: 'Must be true or false' })
    if (body.externalId !== undefined && body.externalId !== null && typeof body.externalId !== 'string') {
      errors.push({ field: 'externalId', message: 'Must be a string' })
    }
    const items = Array.isArray(body.items) ? body.items : []
    if (items.length === 0) errors.push({ field: 'items', message: 'At least one item is required' })
    items.forEach((raw, i) => {
      const item = asObject(raw)
      checkDate(item.calculationDate, `items[${i}].calculationDate`, errors)
      if (typeof item.isCalculationCommitted !== 'boolean') errors.push({ field: `items[${i}].isCalculationCommitted`, message: 'Must be true or false' })
      if (!findContrAgent(item.contrAgentId)) errors.push({ field: `items[${i}].contrAgentId`, message: `Counterparty ${String(item.contrAgentId)} not found` })
      const category = state.operationCategories.find((c) => c.operationCategoryId === item.operationCategoryId)
      if (!category || category.operationCategoryType !== type) {
        errors.push({ field: `items[${i}].operationCategoryId`, message: `${type} category ${String(item.operationCategoryId)} not found` })
      }
      if (item.projectId !== null && item.projectId !== undefined && !state.projects.some((p) => p.projectId === item.projectId)) {
        errors.push({ field: `items[${i}].projectId`, message: `Project ${String(item.projectId)} not found` })
      }
      if (typeof item.value !== 'number' || !(item.value > 0) || !hasCents(item.value)) {
        errors.push({ field: `items[${i}].value`, message: 'Must be a positive amount with at most 2 decimals' })
      }
    })
    if (errors.length > 0) throw new ValidationFailure(errors)
    const parts: FakeOperationPart[] = items.map((raw) => {
      const item = asObject(raw)
      return {
        operationPartId: state.nextId++,
        calculationDate: item.calculationDate as string,
        isCalculationCommitted: item.isCalculationCommitted as boolean,
        contrAgentId: item.contrAgentId as number,
        operationCategoryId: item.operationCategoryId as number,
        projectId: (item.projectId as number | null | undefined) ?? null,
        value: item.value as number,
      }
    })
    return {
      operationDate: body.operationDate as string,
      accountId: account!.accountId,
      contrAgentId: (body.contrAgentId as number | null | undefined) ?? null,
      comment: (body.comment as string | undefined) ?? '',
      isCommitted: body.isCommitted as boolean,
      externalId: (body.externalId as string | null | undefined) ?? null,
      parts,
      value: sumValues(parts),
    }
  }

  function createOperation(payload: unknown, type: 'Income' | 'Outcome'): number {
    const fields = readOperationBody(payload, type)
    const operation: FakeOperation = { operationId: state.nextId++, operationType: type, ...fields }
    state.operations.push(operation)
    return operation.operationId
  }

  /** `PUT /api/v1/operations/income/{id}`: the whole operation is replaced (parts get new ids). */
  function replaceIncome(operationId: number, payload: unknown): number {
    const operation = state.operations.find((o) => o.operationId === operationId)
    if (!operation || operation.operationType !== 'Income') throw new NotFound(`Income operation ${operationId} not found`)
    Object.assign(operation, readOperationBody(payload, 'Income'))
    return operation.operationId
  }

  function deleteOperation(operationId: number): void {
    const index = state.operations.findIndex((o) => o.operationId === operationId)
    if (index < 0) throw new NotFound(`Operation ${operationId} not found`)
    state.operations.splice(index, 1)
  }

  function searchOperations(payload: unknown): unknown {
    const body = asObject(payload ?? {})
    const errors: FieldError[] = []
    if (body.operationDateStart !== undefined) checkDate(body.operationDateStart, 'operationDateStart', errors)
    if (body.operationDateEnd !== undefined) checkDate(body.operationDateEnd, 'operationDateEnd', errors)
    if (body.isCommitted !== undefined && body.isCommitted !== null && typeof body.isCommitted !== 'boolean') {
      errors.push({ field: 'isCommitted', message: 'Must be true or false' })
    }
    if (errors.length > 0) throw new ValidationFailure(errors)
    const isCommitted = typeof body.isCommitted === 'boolean' ? body.isCommitted : undefined
    const start = body.operationDateStart as string | undefined
    const end = body.operationDateEnd as string | undefined
    const search = typeof body.searchString === 'string' ? body.searchString.toLowerCase() : ''
    const accountIds = Array.isArray(body.accountId) ? body.accountId : []
    const items = state.operations.filter(
      (o) =>
        (start === undefined || o.operationDate >= start) &&
        (end === undefined || o.operationDate <= end) &&
        (search === '' || o.comment.toLowerCase().includes(search)) &&
        (accountIds.length === 0 || accountIds.includes(o.accountId)) &&
        (isCommitted === undefined || o.isCommitted === isCommitted),
    )
    return { items: items.map(showOperation), total: items.length, deletedItems: [], totalDeleted: 0 }
  }

  /** The planned income a payment is for; refusals are the control API's 400/404. */
  function plannedIncome(operationId: number, payment: unknown, amountRequired: boolean): { operation: FakeOperation; date: string; amount: number | undefined } {
    const operation = state.operations.find((o) => o.operationId === operationId)
    if (!operation) throw new ControlRefusal(404, `Operation ${operationId} not found`)
    if (operation.operationType !== 'Income') throw new ControlRefusal(400, `Operation ${operationId} is an outcome: only a planned income can be paid`)
    if (operation.isCommitted) throw new ControlRefusal(400, `Operation ${operationId} is already actual (paid)`)
    const { date, amount } = asObject(payment)
    if (typeof date !== 'string' || !DATE.test(date) || Number.isNaN(Date.parse(`${date}T00:00:00Z`))) {
      throw new ControlRefusal(400, 'date must be YYYY-MM-DD')
    }
    if (amount === undefined || amount === null) {
      if (amountRequired) throw new ControlRefusal(400, 'amount is required')
      return { operation, date, amount: undefined }
    }
    if (typeof amount !== 'number' || !Number.isFinite(amount) || amount <= 0 || !hasCents(amount)) {
      throw new ControlRefusal(400, 'amount must be a positive number with at most 2 decimals')
    }
    return { operation, date, amount }
  }

  function payOperation(operationId: number, payment: FakePayment): { operationId: number } {
    const { operation, date, amount } = plannedIncome(operationId, payment, false)
    if (amount === undefined || amount >= operation.value) {
      operation.isCommitted = true
      operation.operationDate = date
      return { operationId: operation.operationId }
    }
    // A partial payment splits the planned income: the paid share leaves it (last parts first)
    // and becomes an actual income with the same details.
    let remaining = Math.round(amount * 100)
    const paidParts: FakeOperationPart[] = []
    for (let i = operation.parts.length - 1; i >= 0 && remaining > 0; i--) {
      const part = operation.parts[i]!
      const taken = Math.min(Math.round(part.value * 100), remaining)
      remaining -= taken
      part.value = (Math.round(part.value * 100) - taken) / 100
      paidParts.unshift({ ...part, operationPartId: state.nextId++, value: taken / 100 })
    }
    operation.parts = operation.parts.filter((part) => part.value > 0)
    operation.value = sumValues(operation.parts)
    const actual: FakeOperation = {
      operationId: state.nextId++,
      operationType: 'Income',
      operationDate: date,
      accountId: operation.accountId,
      contrAgentId: operation.contrAgentId,
      comment: operation.comment,
      isCommitted: true,
      externalId: operation.externalId,
      value: amount,
      parts: paidParts,
    }
    state.operations.push(actual)
    return { operationId: actual.operationId }
  }

  function linkBankPayment(operationId: number, payment: Required<FakePayment>): { operationId: number } {
    const { operation, date, amount } = plannedIncome(operationId, payment, true)
    const first = operation.parts[0]
    const contrAgentId = operation.contrAgentId ?? first?.contrAgentId ?? null
    const actual: FakeOperation = {
      operationId: state.nextId++,
      operationType: 'Income',
      operationDate: date,
      accountId: operation.accountId,
      contrAgentId,
      comment: `Bank statement payment, linked to: ${operation.comment}`,
      isCommitted: true,
      externalId: null,
      value: amount!,
      parts: first
        ? [
            {
              operationPartId: state.nextId++,
              calculationDate: date,
              isCalculationCommitted: true,
              contrAgentId: contrAgentId ?? first.contrAgentId,
              operationCategoryId: first.operationCategoryId,
              projectId: first.projectId,
              value: amount!,
            },
          ]
        : [],
    }
    state.operations.push(actual)
    return { operationId: actual.operationId }
  }

  function findContrAgent(contrAgentId: unknown): FakeContrAgent | undefined {
    return state.contrAgents.find((c) => c.contrAgentId === contrAgentId)
  }

  function showContrAgent(c: FakeContrAgent): unknown {
    return { ...c }
  }

  function showOperation(o: FakeOperation): unknown {
    const account = state.accounts.find((a) => a.accountId === o.accountId)
    const contrAgent = o.contrAgentId === null ? undefined : findContrAgent(o.contrAgentId)
    return {
      operationId: o.operationId,
      operationType: o.operationType,
      operationDate: o.operationDate,
      account: account ? { accountId: account.accountId, title: account.title } : null,
      contrAgent: contrAgent ? { contrAgentId: contrAgent.contrAgentId, title: contrAgent.title } : null,
      comment: o.comment,
      isCommitted: o.isCommitted,
      externalId: o.externalId,
      value: o.value,
      currencyCode: account?.currencyCode ?? null,
      operationParts: o.parts.map((part) => ({
        operationPartId: part.operationPartId,
        calculationDate: part.calculationDate,
        isCalculationCommitted: part.isCalculationCommitted,
        contrAgent: { contrAgentId: part.contrAgentId },
        operationCategory: { operationCategoryId: part.operationCategoryId },
        project: part.projectId === null ? null : { projectId: part.projectId },
        value: part.value,
      })),
    }
  }

  function handleControl(method: string, path: string, body: string, res: ServerResponse): void {
    if (method === 'GET' && path === '/__control/state') return sendJson(res, 200, { state, behavior })
    if (method === 'POST' && path === '/__control/reset') {
      reset()
      return sendJson(res, 200, { state, behavior })
    }
    if (method === 'POST' && path === '/__control/behavior') {
      const change = parseJson(body)
      if (change instanceof Error || typeof change !== 'object' || change === null) return sendJson(res, 400, { error: 'expected a JSON object' })
      return sendJson(res, 200, setBehavior(change as Partial<PlanFactFakeBehavior>))
    }
    const payment = /^\/__control\/operations\/(\d+)\/(pay|link-payment)$/.exec(path)
    if (method === 'POST' && payment) {
      const input = parseJson(body)
      if (input instanceof Error || typeof input !== 'object' || input === null) return sendJson(res, 400, { error: 'expected a JSON object' })
      try {
        const id = Number(payment[1])
        const paid = payment[2] === 'pay' ? payOperation(id, input as FakePayment) : linkBankPayment(id, input as Required<FakePayment>)
        return sendJson(res, 200, paid)
      } catch (error) {
        if (error instanceof ControlRefusal) return sendJson(res, error.status, { error: error.message })
        throw error
      }
    }
    sendJson(res, 404, { error: `no control route ${method} ${path}` })
  }

  const server = await listen(handle, options.port ?? 0, options.host)
  return { url: server.url, state, behavior, setBehavior, payOperation, linkBankPayment, reset, close: server.close }
}

class NotFound extends Error {}

function routeName(method: string, path: string): string {
  return `${method} ${path.replace(/\/\d+(?=\/|$)/g, '/{id}')}`
}

function success(data: unknown): unknown {
  return { data, isSuccess: true, errorMessage: null, errorCode: null, errorCodeTitle: null, errors: null }
}

function failure(errorCode: string, errorMessage: string): { data: null; isSuccess: false; errorMessage: string; errorCode: string; errorCodeTitle: string; errors: unknown } {
  return { data: null, isSuccess: false, errorMessage, errorCode, errorCodeTitle: errorCode, errors: null }
}

function page<T>(items: T[], q: URLSearchParams): { items: T[]; total: number; deletedItems: T[]; totalDeleted: number } {
  const offset = Number(q.get('paging.offset') ?? q.get('offset') ?? 0)
  const limit = Math.min(Number(q.get('paging.limit') ?? q.get('limit') ?? MAX_LIMIT), MAX_LIMIT)
  return { items: items.slice(offset, offset + limit), total: items.length, deletedItems: [], totalDeleted: 0 }
}

function checkDate(value: unknown, field: string, errors: FieldError[]): void {
  if (typeof value !== 'string' || !DATE.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`))) {
    errors.push({ field, message: 'Date must be YYYY-MM-DD' })
  }
}

function hasCents(value: number): boolean {
  return Math.round(value * 100) / 100 === value
}

function sumValues(parts: FakeOperationPart[]): number {
  return Math.round(parts.reduce((sum, p) => sum + p.value * 100, 0)) / 100
}

function asObject(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {}
}
