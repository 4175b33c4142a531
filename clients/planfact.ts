import { createHash } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { z } from 'zod'
import { ERROR_TYPES } from '../lib/error-types.js'
import { PermanentError } from '../lib/permanent-error.js'

/**
 * Client of the PlanFact API (management accounting), limited to what booking an invoice, its
 * corrections (a changed planned income, an outcome for money going back) and following its
 * payments need.
 * Every answer is the envelope `{ data, isSuccess, errorMessage, errorCode, ... }`; failures
 * come out as `PlanFactRejectedError` (a PermanentError: bad key, permission, tariff,
 * validation, other 4xx) or `PlanFactUnavailableError` (plain, retryable: 5xx, timeouts,
 * network, 429 after the client's own back-off).
 */

/** The seed's PlanFact deadline. */
export const PLANFACT_DEFAULT_TIMEOUT_MS = 10_000

/**
 * A 429 is not retried here by default: it fails the call (retryable) and Temporal's retry
 * policy is the one retry layer. PlanFact's writes already run one at a time per business (the
 * `planfact` task queue), so a 429 means the rate limit or another application writing.
 */
export const PLANFACT_RATE_LIMIT_BACKOFF: RateLimitBackoff = Object.freeze({ retries: 0, minDelayMs: 2_000, maxDelayMs: 5_000 })

const MAX_TEXT_IN_MESSAGE = 500
const PAGE_LIMIT = 1_000

/** PlanFact ids are numbers in practice; whatever comes back is sent back unchanged. */
export type PlanFactId = number | string

export interface RateLimitBackoff {
  /** How many times a 429 is retried before the call fails (retryable). */
  retries: number
  minDelayMs: number
  maxDelayMs: number
}

export interface PlanFactClientOptions {
  url: string
  apiKey: string
  timeoutMs?: number
  rateLimitBackoff?: RateLimitBackoff
}

export interface PlanFactContrAgent {
  contrAgentId: PlanFactId
  title: string
  longTitle: string | null
  contrAgentInn: string | null
  externalId: string | null
}

export interface PlanFactAccount {
  accountId: PlanFactId
  title: string
  currencyCode: string | null
  externalId: string | null
}

export interface PlanFactOperationCategory {
  operationCategoryId: PlanFactId
  title: string
  operationCategoryType: string | null
}

export interface PlanFactOperationPart {
  contrAgentId: PlanFactId | null
  operationCategoryId: PlanFactId | null
  projectId: PlanFactId | null
  value: number
}

export interface PlanFactOperation {
  operationId: PlanFactId
  /** Income or Outcome; null when PlanFact did not say (or said something else). */
  operationType: 'Income' | 'Outcome' | null
  operationDate: string | null
  comment: string | null
  externalId: string | null
  value: number | null
  accountId: PlanFactId | null
  contrAgentId: PlanFactId | null
  isCommitted: boolean | null
  parts: PlanFactOperationPart[]
}

export interface CreateContrAgentInput {
  title: string
  longTitle: string
  /** Omitted for foreign customers without a TIN. */
  contrAgentInn: string | null
  contrAgentType: string
  externalId: string
}

export interface CreateIncomeOperationInput {
  /** YYYY-MM-DD */
  operationDate: string
  accountId: PlanFactId
  contrAgentId: PlanFactId
  comment: string
  externalId: string
  items: {
    /** YYYY-MM-DD */
    calculationDate: string
    contrAgentId: PlanFactId
    operationCategoryId: PlanFactId
    projectId: PlanFactId | null
    value: number
  }[]
}

export interface SearchOperationsInput {
  /** YYYY-MM-DD, inclusive. */
  operationDateStart: string
  operationDateEnd: string
  searchString: string
  accountIds: PlanFactId[]
  /** Only actual (true) or only planned (false) operations; omitted = both. */
  isCommitted?: boolean
}

/** The whole operation as `PUT` replaces it: the create body, with `isCommitted` given. */
export type UpdateIncomeOperationInput = CreateIncomeOperationInput & { isCommitted: boolean }

export interface PlanFactClient {
  /** A hash of the API key: names the business for per-business locks without revealing the key. */
  readonly businessKey: string
  findContrAgents(filter: { inn: string } | { externalId: string }): Promise<PlanFactContrAgent[]>
  /** The new counterparty's id, or null when PlanFact answered success with an empty body. */
  createContrAgent(input: CreateContrAgentInput): Promise<PlanFactId | null>
  listAccounts(filter: { currencyCode: string }): Promise<PlanFactAccount[]>
  listOperationCategories(filter: { type: 'Income' | 'Outcome' }): Promise<PlanFactOperationCategory[]>
  /** The new operation's id, or null when PlanFact answered success with an empty body. */
  createIncomeOperation(input: CreateIncomeOperationInput): Promise<PlanFactId | null>
  /** Replaces the whole income operation (`PUT /api/v1/operations/income/{id}`), e.g. a lower value after a credit note. */
  updateIncomeOperation(operationId: PlanFactId, input: UpdateIncomeOperationInput): Promise<void>
  /**
   * Books an outcome (money going back): same body as the income, planned, with a category of
   * type Outcome. The new operation's id, or null when PlanFact answered success with an empty body.
   */
  createOutcomeOperation(input: CreateIncomeOperationInput): Promise<PlanFactId | null>
  deleteOperation(operationId: PlanFactId): Promise<void>
  searchOperations(input: SearchOperationsInput): Promise<PlanFactOperation[]>
  getOperation(operationId: PlanFactId): Promise<PlanFactOperation>
}

/** PlanFact refused the request; retrying the same request cannot succeed. */
export class PlanFactRejectedError extends PermanentError {
  constructor(
    message: string,
    /** HTTP status (200 when the envelope said isSuccess:false). */
    readonly status: number,
    /** PlanFact's errorCode, e.g. "TariffAccessDenied"; null when none came. */
    readonly errorCode: string | null,
  ) {
    super(ERROR_TYPES.planfactRejected, message)
    this.name = 'PlanFactRejectedError'
  }
}

/** PlanFact is down, slow, rate limiting or unreachable: try again later. */
export class PlanFactUnavailableError extends Error {
  constructor(
    message: string,
    /** HTTP status, or null when no answer came. */
    readonly status: number | null,
    options?: { cause?: unknown },
  ) {
    super(message, options)
    this.name = 'PlanFactUnavailableError'
  }
}

const id = z.union([z.number(), z.string().min(1)])
const nullableText = z.string().nullish().transform((v) => v ?? null)

const envelopeSchema = z.object({
  data: z.unknown().optional(),
  isSuccess: z.boolean(),
  errorMessage: z.string().nullish(),
  errorCode: z.string().nullish(),
  errorCodeTitle: z.string().nullish(),
  errors: z.unknown().optional(),
})
type Envelope = z.infer<typeof envelopeSchema>

const listOf = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item), total: z.number().optional() })

const contrAgentSchema = z.object({
  contrAgentId: id,
  title: z.string(),
  longTitle: nullableText,
  contrAgentInn: nullableText,
  externalId: nullableText,
})

const accountSchema = z.object({
  accountId: id,
  title: z.string(),
  currencyCode: nullableText,
  externalId: nullableText,
})

const categorySchema = z.object({
  operationCategoryId: id,
  title: z.string(),
  operationCategoryType: nullableText,
})

/** Nested references come back either as `{ xId }` objects or as flat ids. */
const ref = (key: string) =>
  z
    .union([z.object({ [key]: id }).loose(), id])
    .nullish()
    .transform((v): PlanFactId | null => (v === null || v === undefined ? null : typeof v === 'object' ? (v[key] as PlanFactId) : v))

const operationSchema = z
  .object({
    operationId: id,
    operationType: z.string().nullish(),
    operationDate: nullableText,
    comment: nullableText,
    externalId: nullableText,
    value: z.number().nullish(),
    account: ref('accountId'),
    accountId: id.nullish(),
    contrAgent: ref('contrAgentId'),
    contrAgentId: id.nullish(),
    isCommitted: z.boolean().nullish(),
    operationParts: z
      .array(
        z.object({
          contrAgent: ref('contrAgentId'),
          operationCategory: ref('operationCategoryId'),
          project: ref('projectId'),
          value: z.number(),
        }),
      )
      .nullish(),
  })
  .transform(
    (op): PlanFactOperation => ({
      operationId: op.operationId,
      operationType: op.operationType === 'Income' || op.operationType === 'Outcome' ? op.operationType : null,
      operationDate: op.operationDate,
      comment: op.comment,
      externalId: op.externalId,
      value: op.value ?? null,
      accountId: op.account ?? op.accountId ?? null,
      contrAgentId: op.contrAgent ?? op.contrAgentId ?? null,
      isCommitted: op.isCommitted ?? null,
      parts: (op.operationParts ?? []).map((p) => ({
        contrAgentId: p.contrAgent,
        operationCategoryId: p.operationCategory,
        projectId: p.project,
        value: p.value,
      })),
    }),
  )

const createdContrAgentSchema = z.object({ contrAgentId: id })
const createdOperationSchema = z.object({ operationId: id })

/** Error codes PlanFact uses for a key that may not do this; all permanent. */
const PERMISSION_CODES = new Set(['Unauthorized', 'Forbidden', 'NotEnoughApiPermission', 'NotEnoughPermissions', 'TariffAccessDenied'])

/**
 * Creates the PlanFact client. Each HTTP exchange is bounded by `timeoutMs` (the seed's 10 s);
 * a 429 is retried here only when `rateLimitBackoff` asks for it (tests, scripts outside
 * Temporal); in the worker it fails the activity, which Temporal retries.
 */
export function createPlanFactClient(options: PlanFactClientOptions): PlanFactClient {
  const baseUrl = options.url.replace(/\/+$/, '')
  const timeoutMs = options.timeoutMs ?? PLANFACT_DEFAULT_TIMEOUT_MS
  const backoff = options.rateLimitBackoff ?? PLANFACT_RATE_LIMIT_BACKOFF
  const call: Call = (method, path, body) =>
    callWithBackoff({ baseUrl, apiKey: options.apiKey, timeoutMs, backoff, method, path, body })

  return {
    businessKey: createHash('sha256').update(`planfact:${options.apiKey}`).digest('hex'),

    async findContrAgents(filter) {
      const query: Record<string, string> =
        'inn' in filter ? { 'filter.titleOrContrAgentInn': filter.inn } : { 'filter.externalId': filter.externalId }
      const found = await readList(call, '/api/v1/contragents', query, contrAgentSchema)
      // The TIN filter also matches titles: keep exact matches only.
      return found.filter((c) => ('inn' in filter ? c.contrAgentInn === filter.inn : c.externalId === filter.externalId))
    },

    async createContrAgent(input) {
      const body: Record<string, unknown> = {
        title: input.title,
        longTitle: input.longTitle,
        contrAgentType: input.contrAgentType,
        externalId: input.externalId,
      }
      if (input.contrAgentInn !== null) body.contrAgentInn = input.contrAgentInn
      const data = await call('POST', '/api/v1/contragents', body)
      return data === undefined ? null : parseData(createdContrAgentSchema, data, 'POST /api/v1/contragents').contrAgentId
    },

    async listAccounts(filter) {
      const accounts = await readList(call, '/api/v1/accounts', { 'filter.currencyCode': filter.currencyCode }, accountSchema)
      return accounts.filter((a) => a.currencyCode === null || a.currencyCode.toUpperCase() === filter.currencyCode.toUpperCase())
    },

    async listOperationCategories(filter) {
      return readList(call, '/api/v1/operationcategories', { 'filter.operationCategoryType': filter.type }, categorySchema)
    },

    async createIncomeOperation(input) {
      const data = await call('POST', '/api/v1/operations/income', operationBody(input, false))
      return data === undefined ? null : parseData(createdOperationSchema, data, 'POST /api/v1/operations/income').operationId
    },

    async updateIncomeOperation(operationId, input) {
      await call('PUT', `/api/v1/operations/income/${encodeURIComponent(String(operationId))}`, operationBody(input, input.isCommitted))
    },

    async createOutcomeOperation(input) {
      const data = await call('POST', '/api/v1/operations/outcome', operationBody(input, false))
      return data === undefined ? null : parseData(createdOperationSchema, data, 'POST /api/v1/operations/outcome').operationId
    },

    async deleteOperation(operationId) {
      await call('DELETE', `/api/v1/operations/${encodeURIComponent(String(operationId))}`)
    },

    async searchOperations(input) {
      // Not paged: callers search for a marker (an invoice id), which matches a handful at most.
      const body: Record<string, unknown> = {
        operationDateStart: assertDate(input.operationDateStart, 'operationDateStart'),
        operationDateEnd: assertDate(input.operationDateEnd, 'operationDateEnd'),
        searchString: input.searchString,
        accountId: input.accountIds,
      }
      if (input.isCommitted !== undefined) body.isCommitted = input.isCommitted
      const data = await call('POST', '/api/v1/operations/list', body)
      return parseData(listOf(operationSchema), data, 'POST /api/v1/operations/list').items
    },

    async getOperation(operationId) {
      const path = `/api/v1/operations/${encodeURIComponent(String(operationId))}`
      return parseData(operationSchema, await call('GET', path), `GET ${path}`)
    },
  }
}

type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE'
type Call = (method: HttpMethod, path: string, body?: unknown) => Promise<unknown>

/** The body of an income or outcome operation (create and replace share it). */
function operationBody(input: CreateIncomeOperationInput, isCommitted: boolean): Record<string, unknown> {
  return {
    operationDate: assertDate(input.operationDate, 'operationDate'),
    accountId: input.accountId,
    contrAgentId: input.contrAgentId,
    comment: input.comment,
    isCommitted,
    externalId: input.externalId,
    items: input.items.map((item) => ({
      calculationDate: assertDate(item.calculationDate, 'calculationDate'),
      isCalculationCommitted: true,
      contrAgentId: item.contrAgentId,
      operationCategoryId: item.operationCategoryId,
      projectId: item.projectId,
      value: item.value,
    })),
  }
}

async function readList<T extends z.ZodType>(call: Call, path: string, filter: Record<string, string>, item: T): Promise<z.output<T>[]> {
  const items: z.output<T>[] = []
  for (let offset = 0; ; offset += PAGE_LIMIT) {
    const query = new URLSearchParams({ ...filter, 'paging.offset': String(offset), 'paging.limit': String(PAGE_LIMIT) })
    const page = parseData(listOf(item), await call('GET', `${path}?${query.toString()}`), `GET ${path}`)
    items.push(...page.items)
    if (page.items.length < PAGE_LIMIT || (page.total !== undefined && items.length >= page.total)) return items
  }
}

function parseData<T extends z.ZodType>(schema: T, data: unknown, what: string): z.output<T> {
  const parsed = schema.safeParse(data)
  if (!parsed.success) {
    // A body we cannot read may still mean the write happened: retryable, and callers
    // search for their marker before writing again.
    const problem = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')
    throw new PlanFactUnavailableError(`PlanFact answered ${what} with data of an unexpected shape: ${problem}`, 200)
  }
  return parsed.data
}

function assertDate(value: string, field: string): string {
  // PlanFact rejects date-times; catching it here names the field instead of a vague 400.
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) {
    throw new PermanentError(ERROR_TYPES.invalidInput, `${field} must be YYYY-MM-DD for PlanFact, got ${JSON.stringify(value)}`)
  }
  return value
}

interface CallOptions {
  baseUrl: string
  apiKey: string
  timeoutMs: number
  backoff: RateLimitBackoff
  method: HttpMethod
  path: string
  body?: unknown
}

/** One logical call: the HTTP exchange, repeated after a pause while PlanFact answers 429. */
async function callWithBackoff(options: CallOptions): Promise<unknown> {
  for (let attempt = 0; ; attempt++) {
    const outcome = await exchange(options)
    if (outcome.kind === 'data') return outcome.data
    if (attempt >= options.backoff.retries) {
      throw new PlanFactUnavailableError(
        `PlanFact kept answering 429 (another write of the business in progress, or the rate limit) to ${options.method} ${options.path} after ${attempt + 1} attempts`,
        429,
      )
    }
    const { minDelayMs, maxDelayMs } = options.backoff
    await sleep(minDelayMs + Math.random() * Math.max(0, maxDelayMs - minDelayMs))
  }
}

type Outcome = { kind: 'data'; data: unknown } | { kind: 'rate-limited' }

async function exchange(options: CallOptions): Promise<Outcome> {
  const { method, path } = options
  const what = `${method} ${path.split('?')[0]}`
  const deadline = AbortSignal.timeout(options.timeoutMs)
  let status: number
  let text: string
  try {
    const headers: Record<string, string> = { 'X-ApiKey': options.apiKey, Accept: 'application/json' }
    if (options.body !== undefined) headers['Content-Type'] = 'application/json'
    const response = await fetch(`${options.baseUrl}${path}`, {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: deadline,
    })
    status = response.status
    text = await response.text()
  } catch (error) {
    if (deadline.aborted) {
      throw new PlanFactUnavailableError(`PlanFact did not answer ${what} within ${options.timeoutMs} ms`, null, { cause: error })
    }
    throw new PlanFactUnavailableError(`PlanFact is unreachable (${what}): ${describeNetworkError(error)}`, null, { cause: error })
  }

  if (status === 429) return { kind: 'rate-limited' }
  if (status >= 500) throw new PlanFactUnavailableError(`PlanFact answered ${status} to ${what}: ${shorten(text) || '(empty body)'}`, status)

  const envelope = parseEnvelope(text)
  if (status >= 400) {
    throw new PlanFactRejectedError(`PlanFact rejected ${what} with ${status}: ${describeFailure(envelope, text)}`, status, envelope?.errorCode ?? null)
  }
  if (text.trim() === '') {
    // Documented: a successful POST may come back empty; so may PUT and DELETE. A read must carry data.
    if (method !== 'GET') return { kind: 'data', data: undefined }
    throw new PlanFactUnavailableError(`PlanFact answered ${status} to ${what} with an empty body`, status)
  }
  if (envelope === null) throw new PlanFactUnavailableError(`PlanFact answered ${status} to ${what} with a body that is not its envelope: ${shorten(text)}`, status)
  if (!envelope.isSuccess) {
    // Validation errors may come as 200 with isSuccess:false; so may permission errors.
    throw new PlanFactRejectedError(`PlanFact rejected ${what}: ${describeFailure(envelope, text)}`, status, envelope.errorCode ?? null)
  }
  return { kind: 'data', data: envelope.data === null ? undefined : envelope.data }
}

function parseEnvelope(text: string): Envelope | null {
  if (text.trim() === '') return null
  try {
    const parsed = envelopeSchema.safeParse(JSON.parse(text))
    return parsed.success ? parsed.data : null
  } catch {
    return null
  }
}

function describeFailure(envelope: Envelope | null, text: string): string {
  if (envelope === null) return shorten(text) || '(empty body)'
  const code = envelope.errorCode ?? 'no errorCode'
  const kind = PERMISSION_CODES.has(code) ? ' (key, permission or tariff)' : ''
  const parts = [`${code}${kind}`]
  if (envelope.errorMessage) parts.push(envelope.errorMessage)
  const details = describeErrors(envelope.errors)
  if (details) parts.push(details)
  return parts.join(': ')
}

/** `errors` is not documented in detail: show arrays and field maps readably, anything else as JSON. */
function describeErrors(errors: unknown): string {
  if (errors === null || errors === undefined) return ''
  if (Array.isArray(errors)) {
    if (errors.length === 0) return ''
    return shorten(errors.map(describeErrorItem).join('; '))
  }
  if (typeof errors === 'object') {
    const entries = Object.entries(errors as Record<string, unknown>)
    if (entries.length === 0) return ''
    return shorten(entries.map(([field, messages]) => `${field}: ${Array.isArray(messages) ? messages.join(', ') : JSON.stringify(messages)}`).join('; '))
  }
  return shorten(String(errors))
}

function describeErrorItem(item: unknown): string {
  if (typeof item === 'string') return item
  const o = (typeof item === 'object' && item !== null ? item : {}) as Record<string, unknown>
  const field = o.field ?? o.propertyName ?? o.key
  const message = o.message ?? o.errorMessage ?? o.description
  if (typeof message === 'string') return typeof field === 'string' ? `${field}: ${message}` : message
  return JSON.stringify(item)
}

function shorten(text: string): string {
  const trimmed = text.trim()
  return trimmed.length > MAX_TEXT_IN_MESSAGE ? `${trimmed.slice(0, MAX_TEXT_IN_MESSAGE)}...` : trimmed
}

function describeNetworkError(error: unknown): string {
  if (!(error instanceof Error)) return String(error)
  const cause = error.cause as { code?: unknown; message?: unknown } | undefined
  const detail = typeof cause?.code === 'string' ? cause.code : typeof cause?.message === 'string' ? cause.message : ''
  return detail === '' ? error.message : `${error.message} (${detail})`
}
