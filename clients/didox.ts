import { createHash } from 'node:crypto'
import { z } from 'zod'
import { ERROR_TYPES } from '../lib/error-types.js'
import { PermanentError } from '../lib/permanent-error.js'

/**
 * Client of the Didox.uz partner API (e-invoices), limited to what delivering an ESF (and
 * cancelling one the buyer has not signed) needs, and of the optional signing agent. Failures come out as `DidoxRejectedError` (permanent: 403, 422,
 * other 4xx, a refused user key), `DidoxLoginRejectedError` (permanent: wrong password, unknown
 * user, blocked account) or `DidoxUnavailableError` (plain, retryable: 503 tax service down,
 * other 5xx, 429, timeouts, network).
 *
 * Didox locks an account after 3 bad logins a minute (10 min), 10 (24 h), 25 (for good), so the
 * user token is cached per process and re-used until it is refused, and a rejected password is
 * remembered: it is never sent again by this process.
 */

export const DIDOX_DEFAULT_TIMEOUT_MS = 10_000
/** Tokens live 360 min; renew a little earlier so a call never starts with a dying token. */
export const DIDOX_TOKEN_TTL_MS = 350 * 60_000
/** After a 423 (blocked), do not try again for Didox's shortest block. */
export const DIDOX_BLOCKED_RETRY_AFTER_MS = 10 * 60_000

const MAX_TEXT_IN_MESSAGE = 600

export type DidoxLocale = 'ru' | 'uz' | 'en'

export interface DidoxClientOptions {
  url: string
  partnerToken: string
  /** The seller's TIN, the login. */
  taxId: string
  password: string
  locale: DidoxLocale
  timeoutMs?: number
  /** Where tokens and login refusals are kept; the process-wide cache unless a test gives its own. */
  tokenCache?: DidoxTokenCache
}

export interface DidoxCompanyInfo {
  tin: string
  name: string
  fullName: string
  address: string
  mfo: string
  account: string
  director: string
  accountant: string
  vatRegCode: string
  vatRegStatus: number | null
}

export interface DidoxCreatedDocument {
  /** `_id`: names the document from now on. */
  documentId: string
  createdDate: string | null
}

export interface DidoxDocument {
  documentId: string
  docStatus: number
  name: string | null
  doctype: string | null
  /** The buyer's comment when rejecting (status 4): the reason to show; null when none. */
  comment: string | null
  /** The document's content as Didox keeps it: what a signer signs. */
  json: unknown
}

export interface DidoxDocumentSummary {
  documentId: string
  name: string
  docStatus: number
  doctype: string | null
  partnerTin: string | null
  docDate: string | null
}

export interface ListDocumentsInput {
  /** The document number (for an ESF, FacturaNo). */
  name: string
  /** A status code (0 = drafts, only listed when asked for); null = Didox's default set. */
  status: number | null
  page?: number
  limit?: number
}

export interface DidoxClient {
  /** The TIN this client signs in as: the seller of every ESF it creates. */
  readonly taxId: string
  /** The company registered under a TIN, or null when the tax service does not know it. */
  getCompanyInfo(tin: string): Promise<DidoxCompanyInfo | null>
  /** Creates an ESF (doc type 002) draft from the strict body. */
  createInvoiceDraft(body: object): Promise<DidoxCreatedDocument>
  getDocument(documentId: string): Promise<DidoxDocument>
  /** Outgoing documents with this number. */
  listDocuments(input: ListDocumentsInput): Promise<DidoxDocumentSummary[]>
  /** Signs and sends an outgoing document (status 0 -> 1). */
  signDocument(documentId: string, signature: string): Promise<void>
  /**
   * Asks to cancel a document the buyer has not signed (`tosign` with action cancel). Didox
   * refuses with 422 "не может быть отменён" once it cannot be: a `DidoxRejectedError` (422)
   * carrying Didox's message.
   */
  requestCancel(documentId: string): Promise<void>
  /** The signed delete that completes a cancellation (the document becomes deleted, 5). */
  deleteDocument(documentId: string, signature: string): Promise<void>
}

/** Didox refused the request; the same request cannot succeed later. */
export class DidoxRejectedError extends PermanentError {
  constructor(
    message: string,
    /** HTTP status (200 when the body said it failed). */
    readonly status: number,
  ) {
    super(ERROR_TYPES.didoxRejected, message)
    this.name = 'DidoxRejectedError'
  }
}

/** Didox refused the login: never retried, since each try counts towards a lockout. */
export class DidoxLoginRejectedError extends PermanentError {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(ERROR_TYPES.didoxLoginRejected, message)
    this.name = 'DidoxLoginRejectedError'
  }
}

/** Didox or the tax service behind it is down, slow or rate limiting: try again later. */
export class DidoxUnavailableError extends Error {
  constructor(
    message: string,
    readonly status: number | null,
    options?: { cause?: unknown },
  ) {
    super(message, options)
    this.name = 'DidoxUnavailableError'
  }
}

interface TokenEntry {
  promise: Promise<string>
  expiresAt: number
}

/**
 * User tokens and login refusals per (Didox URL, TIN, password). One per process by default:
 * the worker creates clients freely and still logs in once.
 */
export class DidoxTokenCache {
  readonly tokens = new Map<string, TokenEntry>()
  readonly refusals = new Map<string, { error: DidoxLoginRejectedError; until: number }>()
}

const processTokenCache = new DidoxTokenCache()

const loginSchema = z.object({ token: z.string().min(1) })
const text = z
  .union([z.string(), z.number()])
  .nullish()
  .transform((v) => (v === null || v === undefined ? '' : String(v)))
const infoSchema = z.object({
  tin: text,
  name: text,
  fullName: text,
  shortName: text,
  address: text,
  mfo: text,
  bankCode: text,
  account: text,
  bankAccount: text,
  director: text,
  accountant: text,
  VATRegCode: text,
  VATRegStatus: z.number().nullish(),
})
const createdSchema = z.object({ _id: z.string().min(1), created_date: z.string().nullish() })
const documentSchema = z.object({
  data: z.object({
    json: z.unknown().optional(),
    document: z.object({
      _id: z.string().optional(),
      doc_id: z.string().optional(),
      name: z.string().nullish(),
      doctype: z.string().nullish(),
      doc_status: z.coerce.number().int(),
      // Tolerant: absent, null, empty or not text all mean "no comment".
      comment: z
        .unknown()
        .optional()
        .transform((v) => (typeof v === 'string' && v.trim() !== '' ? v : null)),
    }),
  }),
})
const listSchema = z.object({
  data: z.array(
    z.object({
      doc_id: z.string(),
      name: text,
      doc_status: z.coerce.number().int(),
      doctype: z.string().nullish(),
      partnerTin: z.string().nullish(),
      doc_date: z.string().nullish(),
    }),
  ),
  total: z.number().optional(),
})

/**
 * Creates the Didox client. Every call carries `Partner-Authorization`; user calls also carry the
 * cached `user-key`. A 401 on a user call drops the token and logs in once more; a second 401 is
 * permanent (the partner token or the account is refused).
 */
export function createDidoxClient(options: DidoxClientOptions): DidoxClient {
  const baseUrl = options.url.replace(/\/+$/, '')
  const timeoutMs = options.timeoutMs ?? DIDOX_DEFAULT_TIMEOUT_MS
  const cache = options.tokenCache ?? processTokenCache
  const cacheKey = `${baseUrl}|${options.taxId}|${createHash('sha256').update(options.password).digest('hex')}`
  const send = (method: 'GET' | 'POST', path: string, body: unknown, userKey: string | null) =>
    exchange({ baseUrl, partnerToken: options.partnerToken, timeoutMs, method, path, body, userKey })

  async function login(): Promise<string> {
    const path = `/v1/auth/${encodeURIComponent(options.taxId)}/password/${options.locale}`
    const answer = await send('POST', path, { password: options.password }, null)
    if (answer.status === 422 || answer.status === 423) {
      const reason = answer.status === 423 ? 'the account is blocked' : 'wrong password or unknown user'
      throw new DidoxLoginRejectedError(
        `Didox refused the login of ${options.taxId} with ${answer.status} (${reason}): ${describeBody(answer)}. ` +
          'Not retried (Didox locks the account after repeated failures): fix DIDOX_TAX_ID / DIDOX_PASSWORD or unblock the account, then restart the worker.',
        answer.status,
      )
    }
    return parseAnswer(loginSchema, checkAnswer(answer, 'login'), 'login').token
  }

  /** The cached token, logging in (once, shared by concurrent callers) when there is none. */
  function tokenEntry(): TokenEntry {
    const refusal = cache.refusals.get(cacheKey)
    if (refusal !== undefined && refusal.until > Date.now()) throw refusal.error
    const cached = cache.tokens.get(cacheKey)
    if (cached !== undefined && cached.expiresAt > Date.now()) return cached
    const entry: TokenEntry = { promise: login(), expiresAt: Date.now() + DIDOX_TOKEN_TTL_MS }
    cache.tokens.set(cacheKey, entry)
    entry.promise.catch((error: unknown) => {
      if (cache.tokens.get(cacheKey) === entry) cache.tokens.delete(cacheKey)
      if (error instanceof DidoxLoginRejectedError) {
        const until = error.status === 423 ? Date.now() + DIDOX_BLOCKED_RETRY_AFTER_MS : Number.POSITIVE_INFINITY
        cache.refusals.set(cacheKey, { error, until })
      }
    })
    return entry
  }

  async function userCall(method: 'GET' | 'POST', path: string, body?: unknown): Promise<Answer> {
    for (let attempt = 1; ; attempt++) {
      const entry = tokenEntry()
      const answer = await send(method, path, body, await entry.promise)
      if (answer.status !== 401) return checkAnswer(answer, `${method} ${path.split('?')[0]}`)
      // Expired or revoked token: drop it (unless a concurrent caller already did) and log in once more.
      if (cache.tokens.get(cacheKey) === entry) cache.tokens.delete(cacheKey)
      if (attempt >= 2) {
        throw new DidoxRejectedError(`Didox refused the user key even after a fresh login (${method} ${path.split('?')[0]}): ${describeBody(answer)}`, 401)
      }
    }
  }

  return {
    taxId: options.taxId,

    async getCompanyInfo(tin) {
      const path = `/v1/utils/info/${encodeURIComponent(tin)}`
      const answer = await userCall('GET', path).catch((error: unknown) => {
        if (error instanceof DidoxRejectedError && error.status === 404) return null
        throw error
      })
      if (answer === null || answer.json === null || answer.json === undefined) return null
      const info = parseAnswer(infoSchema, answer, 'utils/info')
      if (info.tin === '' && info.name === '') return null
      return {
        tin: info.tin || tin,
        name: info.shortName || info.name,
        fullName: info.fullName || info.name,
        address: info.address.trim(),
        mfo: info.mfo || info.bankCode,
        account: info.account || info.bankAccount,
        director: info.director,
        accountant: info.accountant,
        vatRegCode: info.VATRegCode,
        vatRegStatus: info.VATRegStatus ?? null,
      }
    },

    async createInvoiceDraft(body) {
      const answer = await userCall('POST', `/v1/documents/002/create/${options.locale}`, body)
      const created = parseAnswer(createdSchema, unwrapData(answer), 'documents/002/create')
      return { documentId: created._id, createdDate: created.created_date ?? null }
    },

    async getDocument(documentId) {
      const answer = await userCall('GET', `/v1/documents/${encodeURIComponent(documentId)}?owner=1`)
      const { data } = parseAnswer(documentSchema, answer, 'documents/{id}')
      return {
        documentId: data.document._id ?? data.document.doc_id ?? documentId,
        docStatus: data.document.doc_status,
        name: data.document.name ?? null,
        doctype: data.document.doctype ?? null,
        comment: data.document.comment,
        json: data.json ?? null,
      }
    },

    async listDocuments(input) {
      const query = new URLSearchParams({ page: String(input.page ?? 1), limit: String(input.limit ?? 100), owner: '1', name: input.name })
      if (input.status !== null) query.set('status', String(input.status))
      const answer = await userCall('GET', `/v2/documents?${query.toString()}`)
      return parseAnswer(listSchema, answer, 'v2/documents').data.map((d) => ({
        documentId: d.doc_id,
        name: d.name,
        docStatus: d.doc_status,
        doctype: d.doctype ?? null,
        partnerTin: d.partnerTin ?? null,
        docDate: d.doc_date ?? null,
      }))
    },

    async signDocument(documentId, signature) {
      await userCall('POST', `/v1/documents/${encodeURIComponent(documentId)}/sign`, { signature })
    },

    async requestCancel(documentId) {
      await userCall('POST', `/v1/documents/${encodeURIComponent(documentId)}/tosign`, { action: 'cancel' })
    },

    async deleteDocument(documentId, signature) {
      await userCall('POST', `/v1/documents/${encodeURIComponent(documentId)}/delete`, { signature })
    },
  }
}

export interface DidoxSignerOptions {
  /** DIDOX_SIGNER_URL: a signing agent holding the company's E-IMZO key. */
  url: string
  timeoutMs?: number
}

export interface DidoxSigner {
  /** A PKCS#7 signature with timestamp (`timeStampTokenB64`) over the document's JSON. */
  sign(input: { documentId: string; document: unknown }): Promise<string>
}

const signatureSchema = z.object({ signature: z.string().min(1) })

/**
 * Client of the configured signing agent. Didox signs nothing server-side: the document's JSON
 * (base64) is signed with the company's E-IMZO key and the signature attached by us. The agent
 * takes `{ documentId, data }` (data = base64 of the JSON) and answers `{ signature }`.
 */
export function createDidoxSigner(options: DidoxSignerOptions): DidoxSigner {
  const timeoutMs = options.timeoutMs ?? DIDOX_DEFAULT_TIMEOUT_MS
  return {
    async sign({ documentId, document }) {
      const data = Buffer.from(JSON.stringify(document), 'utf8').toString('base64')
      const deadline = AbortSignal.timeout(timeoutMs)
      let status: number
      let body: string
      try {
        const response = await fetch(options.url, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
          body: JSON.stringify({ documentId, data }),
          signal: deadline,
        })
        status = response.status
        body = await response.text()
      } catch (error) {
        const reason = deadline.aborted ? `no answer within ${timeoutMs} ms` : describeNetworkError(error)
        throw new DidoxUnavailableError(`the signing agent is unavailable (${reason})`, null, { cause: error })
      }
      if (status >= 500 || status === 429) throw new DidoxUnavailableError(`the signing agent answered ${status}: ${shorten(body)}`, status)
      if (status >= 400) throw new DidoxRejectedError(`the signing agent refused document ${documentId} with ${status}: ${shorten(body)}`, status)
      const parsed = signatureSchema.safeParse(parseJsonText(body))
      if (!parsed.success) throw new DidoxUnavailableError(`the signing agent answered without a signature: ${shorten(body)}`, status)
      return parsed.data.signature
    },
  }
}

interface Answer {
  status: number
  text: string
  /** Parsed JSON, or undefined when the body is empty or not JSON. */
  json: unknown
}

interface ExchangeOptions {
  baseUrl: string
  partnerToken: string
  timeoutMs: number
  method: 'GET' | 'POST'
  path: string
  body: unknown
  userKey: string | null
}

/** One HTTP exchange; only transport failures and server-side trouble are decided here. */
async function exchange(options: ExchangeOptions): Promise<Answer> {
  const what = `${options.method} ${options.path.split('?')[0]}`
  const deadline = AbortSignal.timeout(options.timeoutMs)
  const headers: Record<string, string> = { 'Partner-Authorization': options.partnerToken, Accept: 'application/json' }
  if (options.userKey !== null) headers['user-key'] = options.userKey
  if (options.body !== undefined) headers['Content-Type'] = 'application/json'
  let answer: Answer
  try {
    const response = await fetch(`${options.baseUrl}${options.path}`, {
      method: options.method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: deadline,
    })
    const body = await response.text()
    answer = { status: response.status, text: body, json: parseJsonText(body) }
  } catch (error) {
    if (deadline.aborted) throw new DidoxUnavailableError(`Didox did not answer ${what} within ${options.timeoutMs} ms`, null, { cause: error })
    throw new DidoxUnavailableError(`Didox is unreachable (${what}): ${describeNetworkError(error)}`, null, { cause: error })
  }
  if (answer.status >= 500 || answer.status === 429) {
    const cause = answer.status === 503 ? ' (tax service unavailable)' : ''
    throw new DidoxUnavailableError(`Didox answered ${answer.status}${cause} to ${what}: ${describeBody(answer)}`, answer.status)
  }
  return answer
}

/** Turns 4xx and bodies that report a failure into `DidoxRejectedError`. */
function checkAnswer(answer: Answer, what: string): Answer {
  if (answer.status >= 400) throw new DidoxRejectedError(`Didox rejected ${what} with ${answer.status}: ${describeBody(answer)}`, answer.status)
  if (reportsFailure(answer.json)) throw new DidoxRejectedError(`Didox rejected ${what}: ${describeBody(answer)}`, answer.status)
  return answer
}

function reportsFailure(json: unknown): boolean {
  if (!isObject(json)) return false
  if (json.success === false) return true
  if (json.status === 'error') return true
  return isObject(json.data) && json.data.status === 'error'
}

function unwrapData(answer: Answer): Answer {
  const json = answer.json
  // Create answers `{ _id, ... }`; update answers wrap the same in `data`. Accept both.
  if (isObject(json) && json._id === undefined && isObject(json.data)) return { ...answer, json: json.data }
  return answer
}

function parseAnswer<T extends z.ZodType>(schema: T, answer: Answer, what: string): z.output<T> {
  const parsed = schema.safeParse(answer.json)
  if (!parsed.success) {
    // A body we cannot read may still mean the call took effect: retryable, and the callers
    // look for what they created before creating again.
    const problem = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')
    throw new DidoxUnavailableError(`Didox answered ${what} (${answer.status}) with a body of an unexpected shape: ${problem}; body ${shorten(answer.text)}`, answer.status)
  }
  return parsed.data
}

/**
 * Didox's error bodies come in several shapes: `{ success:false, error }`, a field map
 * `{ field: [messages] }`, `{ data: { status:"error", message, context } }`, `{ message }`, or
 * a bare string. All become one readable line naming the fields.
 */
export function describeBody(answer: Pick<Answer, 'json' | 'text'>): string {
  const json = answer.json
  if (typeof json === 'string') return shorten(json)
  if (!isObject(json)) return shorten(answer.text) || '(empty body)'
  if (json.success === false && json.error !== undefined && json.error !== null) {
    return shorten(typeof json.error === 'string' ? json.error : JSON.stringify(json.error))
  }
  const failure = isObject(json.data) && json.data.status === 'error' ? json.data : json.status === 'error' ? json : null
  if (failure !== null) {
    const context = failure.context
    const hasContext = (Array.isArray(context) && context.length > 0) || (isObject(context) && Object.keys(context).length > 0)
    return shorten(`${String(failure.message ?? 'error')}${hasContext ? ` (${JSON.stringify(context)})` : ''}`)
  }
  if (typeof json.message === 'string') return shorten(json.message)
  const fields = Object.entries(json).filter(([, v]) => Array.isArray(v) && v.every((m) => typeof m === 'string'))
  if (fields.length > 0 && fields.length === Object.keys(json).length) {
    return shorten(fields.map(([field, messages]) => `${field}: ${(messages as string[]).join(', ')}`).join('; '))
  }
  return shorten(answer.text)
}

function parseJsonText(body: string): unknown {
  if (body.trim() === '') return undefined
  try {
    return JSON.parse(body) as unknown
  } catch {
    return undefined
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function shorten(value: string): string {
  const trimmed = value.trim()
  return trimmed.length > MAX_TEXT_IN_MESSAGE ? `${trimmed.slice(0, MAX_TEXT_IN_MESSAGE)}...` : trimmed
}

function describeNetworkError(error: unknown): string {
  if (!(error instanceof Error)) return String(error)
  const cause = error.cause as { code?: unknown; message?: unknown } | undefined
  const detail = typeof cause?.code === 'string' ? cause.code : typeof cause?.message === 'string' ? cause.message : ''
  return detail === '' ? error.message : `${error.message} (${detail})`
}
