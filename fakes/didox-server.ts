import { randomBytes, randomUUID } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { FACTURA_TYPES, validateEsf, type EsfOriginal } from './didox-esf-rules.js'
import { listen, parseJson, readBody, sendJson } from './http-helpers.js'

/**
 * A Didox.uz stand-in that behaves as docs external-apis.md says, errors included: password
 * login with lockout counting (422 wrong password, 423 blocked), `Partner-Authorization` and
 * `user-key` checks (401), company info by TIN, strict ESF validation on create (422 with a
 * field map), documents whose status a test can move, drafts listed only when asked for, a
 * signing step, and switches for an outage (503: tax service down), a forbidden create (403) and
 * lost answers. It counts what it receives so tests can assert "exactly once".
 *
 * Cancelling: `tosign` with action cancel while the buyer has not signed (status 0 or 1), then
 * a signed delete (status 5); refused with 422 "не может быть отменён" afterwards. Additional (1)
 * and corrected (4) ESFs are validated against the original they name; a corrected ESF the
 * buyer accepts annuls its original (50). The buyer's side is played through control calls:
 * sign (3), reject with a comment (4), or nothing at all (silence).
 */

export interface DidoxFakeBehavior {
  /** Every API call answers 503 (the tax service is down). */
  outage: boolean
  /** Creating documents answers 403 (no permission for this document type). */
  forbidCreate: boolean
  /** TINs the tax service does not know (utils/info answers 404). */
  unknownTins: string[]
  /** The next N creates are stored, then the connection is dropped without an answer. */
  dropResponsesAfterCreate: number
}

export interface FakeCompany {
  tin: string
  name: string
  fullName: string
  address: string
  mfo: string
  account: string
  director: string
  accountant: string
  VATRegCode: string
  VATRegStatus: number | null
}

export interface FakeDocument {
  _id: string
  doctype: '002'
  /** The document number (FacturaNo). */
  name: string
  doc_status: number
  partnerTin: string
  doc_date: string
  created: string
  /** The ESF body as received. */
  json: unknown
  signature: string | null
  /** The buyer's comment when rejecting; null when none. */
  comment: string | null
  /** The seller asked to cancel it (`tosign` action cancel); a signed delete may follow. */
  cancelRequested: boolean
}

export interface DidoxFakeState {
  /** Requests received per route, e.g. `POST /v1/documents/002/create/{locale}`. */
  requests: Record<string, number>
  logins: { succeeded: number; failed: number }
  /** Times (ms) of failed logins, for the lockout rules. */
  failedLoginTimes: number[]
  /** Blocked until this time (ms); Infinity = for good; null = not blocked. */
  blockedUntil: number | null
  /** user-key tokens currently valid. */
  tokens: string[]
  /** Companies the tax service knows beyond the generated ones. */
  companies: Record<string, FakeCompany>
  documents: FakeDocument[]
}

export interface DidoxFake {
  url: string
  /** Live state: read it in tests; `reset()` clears it in place. */
  state: DidoxFakeState
  behavior: DidoxFakeBehavior
  setBehavior(change: Partial<DidoxFakeBehavior>): DidoxFakeBehavior
  /**
   * Moves a document to a status code, as the buyer or Didox would. A corrected ESF (FacturaType 4)
   * moving to accepted (3) annuls its original (50).
   */
  setDocumentStatus(documentId: string, status: number): void
  /** The buyer signs (accepts) a document waiting for their signature: status 3. */
  signAsBuyer(documentId: string): void
  /** The buyer rejects a document waiting for their signature, giving a reason: status 4. */
  rejectAsBuyer(documentId: string, comment: string): void
  /** Invalidates every user token, as their 360 minutes running out would. */
  expireTokens(): void
  reset(): void
  close(): Promise<void>
}

export interface DidoxFakeOptions {
  port?: number
  /** Default 127.0.0.1. */
  host?: string
  /** Called with each API request's route, e.g. for a progress log. */
  onRequest?: (route: string) => void
  partnerToken: string
  /** The seller's login. */
  taxId: string
  password: string
}

const DEFAULT_BEHAVIOR: DidoxFakeBehavior = Object.freeze({ outage: false, forbidCreate: false, unknownTins: [], dropResponsesAfterCreate: 0 })
const MINUTE = 60_000
/**
 * 0 draft, 1 waiting for the partner's signature, 2 waiting for yours, 3 signed (accepted),
 * 4 rejected, 5 deleted, 6 waiting for agent, 8 signed by agent, 40 invalid, 50 annulled.
 */
const VALID_STATUSES = [0, 1, 2, 3, 4, 5, 6, 8, 40, 50]
/** Listed when no status is asked for (drafts and deleted ones are not). */
const DEFAULT_LISTED_STATUSES = [1, 2, 3, 4, 6, 8, 40, 50]
/** The seller may still cancel: a draft, or sent and not yet signed by the buyer. */
const CANCELLABLE_STATUSES = [0, 1]
const ACCEPTED = 3
const REJECTED = 4
const DELETED = 5
const ANNULLED = 50

/**
 * Starts the fake on 127.0.0.1 (`port` 0 or omitted = a free port). Control routes, open to
 * anyone: `GET /__control/state`, `POST /__control/reset`, `POST /__control/behavior`,
 * `POST /__control/documents/{id}/status` `{ status }`, `POST /__control/expire-tokens`,
 * `POST /__control/documents/{id}/sign-as-buyer`, `POST /__control/documents/{id}/reject-as-buyer`
 * `{ comment }` (400 when the document is not waiting for the buyer, 404 when unknown).
 */
export async function startDidoxFake(options: DidoxFakeOptions): Promise<DidoxFake> {
  const seed = (): DidoxFakeState => ({
    requests: {},
    logins: { succeeded: 0, failed: 0 },
    failedLoginTimes: [],
    blockedUntil: null,
    tokens: [],
    companies: { [options.taxId]: sellerCompany(options.taxId) },
    documents: [],
  })
  const state = seed()
  const behavior: DidoxFakeBehavior = { ...DEFAULT_BEHAVIOR, unknownTins: [] }

  const setBehavior = (change: Partial<DidoxFakeBehavior>): DidoxFakeBehavior => Object.assign(behavior, change)
  const reset = (): void => {
    Object.assign(state, seed())
    Object.assign(behavior, DEFAULT_BEHAVIOR, { unknownTins: [] })
  }
  const expireTokens = (): void => {
    state.tokens = []
  }
  const setDocumentStatus = (documentId: string, status: number): void => {
    const document = findDocument(documentId)
    if (!document) throw new Error(`no document ${documentId}`)
    if (!VALID_STATUSES.includes(status)) throw new Error(`unknown status ${status}`)
    document.doc_status = status
    if (status === ACCEPTED) {
      // A corrected ESF replaces its original once the buyer accepts it: the original is annulled.
      const esf = isObject(document.json) ? document.json : {}
      const old = isObject(esf.OldFacturaDoc) ? esf.OldFacturaDoc : null
      if (esf.FacturaType === FACTURA_TYPES.corrected && old !== null && typeof old.OldFacturaId === 'string') {
        const original = findDocument(old.OldFacturaId)
        if (original && original !== document) original.doc_status = ANNULLED
      }
    }
  }
  const buyerDocument = (documentId: string): FakeDocument => {
    const document = findDocument(documentId)
    if (!document) throw new Error(`no document ${documentId}`)
    if (document.doc_status !== 1) {
      throw new ControlRefusal(`document ${documentId} has status ${document.doc_status}: the buyer can only sign or reject a document waiting for their signature (1)`)
    }
    return document
  }
  const signAsBuyer = (documentId: string): void => {
    buyerDocument(documentId)
    setDocumentStatus(documentId, ACCEPTED)
  }
  const rejectAsBuyer = (documentId: string, comment: string): void => {
    if (typeof comment !== 'string' || comment.trim() === '') throw new ControlRefusal('a rejection needs a comment (the reason)')
    const document = buyerDocument(documentId)
    document.comment = comment
    setDocumentStatus(documentId, REJECTED)
  }

  function findDocument(documentId: string): FakeDocument | undefined {
    return state.documents.find((d) => d._id.toLowerCase() === documentId.toLowerCase())
  }

  /** What the ESF rules need of a document an additional or corrected ESF names. */
  function findOriginal(documentId: string): EsfOriginal | undefined {
    const document = findDocument(documentId)
    if (!document) return undefined
    const esf = isObject(document.json) ? document.json : {}
    return {
      documentId: document._id,
      sellerTin: typeof esf.SellerTin === 'string' ? esf.SellerTin : null,
      buyerTin: document.partnerTin,
      number: document.name,
      date: document.doc_date,
      status: document.doc_status,
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const method = req.method ?? 'GET'
    const body = await readBody(req)
    if (url.pathname.startsWith('/__control/')) return handleControl(method, url.pathname, body, res)

    const route = routeName(method, url.pathname)
    state.requests[route] = (state.requests[route] ?? 0) + 1
    options.onRequest?.(route)

    if (behavior.outage) return sendJson(res, 503, { data: { status: 'error', message: 'Soliq service is unavailable', context: [] }, errorDetails: null })
    if (req.headers['partner-authorization'] !== options.partnerToken) return sendText(res, 401, 'Unauthorized. Invalid partner token')

    const login = /^\/v1\/auth\/([^/]+)\/password\/([a-z]{2})$/.exec(url.pathname)
    if (login && method === 'POST') return handleLogin(decodeURIComponent(login[1]!), parseJson(body), res)

    const userKey = req.headers['user-key']
    if (typeof userKey !== 'string' || !state.tokens.includes(userKey)) return sendText(res, 401, 'Unauthorized. Invalid user key')

    const info = /^\/v1\/utils\/info\/([^/]+)$/.exec(url.pathname)
    if (info && method === 'GET') return handleInfo(decodeURIComponent(info[1]!), res)
    if (/^\/v1\/documents\/002\/create\/[a-z]{2}$/.test(url.pathname) && method === 'POST') return handleCreate(parseJson(body), res)
    const sign = /^\/v1\/documents\/([^/]+)\/sign$/.exec(url.pathname)
    if (sign && method === 'POST') return handleSign(decodeURIComponent(sign[1]!), parseJson(body), res)
    const toSign = /^\/v1\/documents\/([^/]+)\/tosign$/.exec(url.pathname)
    if (toSign && method === 'POST') return handleToSign(decodeURIComponent(toSign[1]!), parseJson(body), res)
    const remove = /^\/v1\/documents\/([^/]+)\/delete$/.exec(url.pathname)
    if (remove && method === 'POST') return handleDelete(decodeURIComponent(remove[1]!), parseJson(body), res)
    const single = /^\/v1\/documents\/([^/]+)$/.exec(url.pathname)
    if (single && method === 'GET') return handleRead(decodeURIComponent(single[1]!), res)
    if (url.pathname === '/v2/documents' && method === 'GET') return handleList(url.searchParams, res)
    sendJson(res, 404, { success: false, error: `No route ${method} ${url.pathname}` })
  }

  function handleLogin(taxId: string, payload: unknown, res: ServerResponse): void {
    const now = Date.now()
    if (state.blockedUntil !== null && state.blockedUntil > now) {
      return sendJson(res, 423, { message: 'Пользователь заблокирован. Обратитесь в техподдержку' })
    }
    const password = isObject(payload) ? payload.password : undefined
    if (taxId !== options.taxId) return sendText(res, 422, 'User not registered')
    if (password !== options.password) {
      state.logins.failed += 1
      state.failedLoginTimes.push(now)
      applyLockout(now)
      return sendText(res, 422, 'Incorrect login')
    }
    state.logins.succeeded += 1
    const token = randomUUID()
    state.tokens.push(token)
    sendJson(res, 200, { token, taxId, pinfl: null, name: state.companies[taxId]?.name ?? 'COMPANY', related_companies: null, related_branches: null })
  }

  /** Didox's documented rules: 3 bad tries a minute -> 10 min, 10 -> 24 h, 25 -> for good. */
  function applyLockout(now: number): void {
    const total = state.failedLoginTimes.length
    const lastMinute = state.failedLoginTimes.filter((t) => t > now - MINUTE).length
    if (total >= 25) state.blockedUntil = Number.POSITIVE_INFINITY
    else if (total >= 10) state.blockedUntil = now + 24 * 60 * MINUTE
    else if (lastMinute >= 3) state.blockedUntil = now + 10 * MINUTE
  }

  function handleInfo(tin: string, res: ServerResponse): void {
    if (!/^\d{9}(\d{5})?$/.test(tin)) return sendJson(res, 422, { tin: ['The tin must be 9 or 14 digits.'] })
    if (behavior.unknownTins.includes(tin)) return sendJson(res, 404, { success: false, error: 'Company not found' })
    const company = state.companies[tin] ?? generatedCompany(tin)
    sendJson(res, 200, { ...company, shortName: company.name, bankCode: company.mfo, bankAccount: company.account, statusCode: 0 })
  }

  function handleCreate(payload: unknown, res: ServerResponse): void {
    if (behavior.forbidCreate) {
      return sendJson(res, 403, { data: { status: 'error', message: 'Нет полномочий на создание документа этого типа', context: {} } })
    }
    if (payload instanceof Error) return sendJson(res, 422, { body: [`Malformed JSON: ${payload.message}`] })
    const errors = validateEsf(payload, options.taxId, findOriginal)
    if (Object.keys(errors).length > 0) return sendJson(res, 422, errors)
    const esf = payload as { FacturaDoc: { FacturaNo: string; FacturaDate: string }; BuyerTin: string }
    const now = new Date()
    const document: FakeDocument = {
      _id: randomBytes(16).toString('hex'),
      doctype: '002',
      name: esf.FacturaDoc.FacturaNo,
      doc_status: 0,
      partnerTin: esf.BuyerTin,
      doc_date: esf.FacturaDoc.FacturaDate,
      created: now.toISOString().replace('T', ' ').slice(0, 19),
      json: payload,
      signature: null,
      comment: null,
      cancelRequested: false,
    }
    state.documents.push(document)
    if (behavior.dropResponsesAfterCreate > 0) {
      behavior.dropResponsesAfterCreate -= 1
      res.socket?.destroy()
      return
    }
    sendJson(res, 200, { pending_document: { document_json: lowerKeys(payload) }, _id: document._id, created_date: document.created })
  }

  function handleRead(documentId: string, res: ServerResponse): void {
    const document = findDocument(documentId)
    if (!document) return sendNoSuchDocument(res)
    sendJson(res, 200, {
      data: {
        json: lowerKeys(document.json),
        document: {
          doc_id: document._id.toUpperCase(),
          _id: document._id.toUpperCase(),
          id: document._id.toUpperCase(),
          name: document.name,
          doctype: document.doctype,
          status: document.doc_status,
          doc_status: document.doc_status,
          owner: 1,
          created: document.created,
          signature: document.signature === null ? null : '[]',
          comment: document.comment,
        },
        toSign: null,
        isValid: true,
        relatedDocuments: [],
      },
    })
  }

  function handleList(q: URLSearchParams, res: ServerResponse): void {
    const page = Number(q.get('page'))
    const limit = Number(q.get('limit'))
    if (!(page >= 1) || !(limit >= 1 && limit <= 100)) return sendJson(res, 422, { page: ['page and limit (1-100) are required'] })
    if (q.get('owner') === '0') return sendJson(res, 200, { data: [], total: 0, next_page_url: null, source: 'search' })
    const statusParam = q.get('status')
    const statuses = statusParam === null || statusParam === '' ? DEFAULT_LISTED_STATUSES : statusParam.split(',').map(Number)
    const name = q.get('name')
    const matching = state.documents.filter((d) => statuses.includes(d.doc_status) && (name === null || d.name === name))
    const items = matching.slice((page - 1) * limit, page * limit).map((d) => ({
      doc_id: d._id.toUpperCase(),
      name: d.name,
      doc_date: d.doc_date,
      doc_status: d.doc_status,
      doctype: d.doctype,
      owner: 1,
      partnerTin: d.partnerTin,
      created: d.created.slice(0, 10),
    }))
    sendJson(res, 200, { data: items, total: matching.length, next_page_url: null, source: 'search' })
  }

  function handleSign(documentId: string, payload: unknown, res: ServerResponse): void {
    const signature = isObject(payload) ? payload.signature : undefined
    if (typeof signature !== 'string' || signature === '') return sendJson(res, 422, { signature: ['The signature field is required.'] })
    const document = findDocument(documentId)
    if (!document) return sendJson(res, 422, { data: { status: 'error', message: 'Документ не найден', context: [] } })
    if (document.doc_status !== 0) return sendJson(res, 422, { data: { status: 'error', message: 'Документ не является черновиком', context: { status: document.doc_status } } })
    document.signature = signature
    document.doc_status = 1
    sendJson(res, 200, { data: true, warningDetails: null })
  }

  /** `tosign` with action cancel: allowed until the buyer signs (status 0 or 1). */
  function handleToSign(documentId: string, payload: unknown, res: ServerResponse): void {
    const action = isObject(payload) ? payload.action : undefined
    if (action !== 'cancel') return sendJson(res, 422, { action: ['unknown action'] })
    const document = findDocument(documentId)
    if (!document) return sendNoSuchDocument(res)
    if (!CANCELLABLE_STATUSES.includes(document.doc_status)) return sendNotCancellable(res, document)
    document.cancelRequested = true
    sendJson(res, 200, { data: true })
  }

  /** The signed delete that completes a cancellation: status 5. */
  function handleDelete(documentId: string, payload: unknown, res: ServerResponse): void {
    const signature = isObject(payload) ? payload.signature : undefined
    if (typeof signature !== 'string' || signature === '') return sendJson(res, 422, { signature: ['The signature field is required.'] })
    const document = findDocument(documentId)
    if (!document) return sendNoSuchDocument(res)
    if (!document.cancelRequested) return sendJson(res, 422, { data: { status: 'error', message: 'Сначала запросите отмену документа', context: { status: document.doc_status } } })
    if (!CANCELLABLE_STATUSES.includes(document.doc_status)) return sendNotCancellable(res, document)
    document.doc_status = DELETED
    sendJson(res, 200, { data: true, warningDetails: null })
  }

  function handleControl(method: string, path: string, body: string, res: ServerResponse): void {
    if (method === 'GET' && path === '/__control/state') return sendJson(res, 200, { state: { ...state, blockedUntil: showTime(state.blockedUntil) }, behavior })
    if (method === 'POST' && path === '/__control/reset') {
      reset()
      return sendJson(res, 200, { ok: true })
    }
    if (method === 'POST' && path === '/__control/expire-tokens') {
      expireTokens()
      return sendJson(res, 200, { ok: true })
    }
    const payload = parseJson(body)
    if (method === 'POST' && path === '/__control/behavior') {
      if (!isObject(payload)) return sendJson(res, 400, { error: 'expected a JSON object' })
      return sendJson(res, 200, setBehavior(payload as Partial<DidoxFakeBehavior>))
    }
    const status = /^\/__control\/documents\/([^/]+)\/status$/.exec(path)
    if (method === 'POST' && status) {
      const code = isObject(payload) ? payload.status : undefined
      try {
        setDocumentStatus(decodeURIComponent(status[1]!), Number(code))
      } catch (error) {
        return sendJson(res, 404, { error: error instanceof Error ? error.message : String(error) })
      }
      return sendJson(res, 200, { ok: true })
    }
    const buyer = /^\/__control\/documents\/([^/]+)\/(sign-as-buyer|reject-as-buyer)$/.exec(path)
    if (method === 'POST' && buyer) {
      const documentId = decodeURIComponent(buyer[1]!)
      try {
        if (buyer[2] === 'sign-as-buyer') signAsBuyer(documentId)
        else rejectAsBuyer(documentId, isObject(payload) && typeof payload.comment === 'string' ? payload.comment : '')
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error)
        return sendJson(res, error instanceof ControlRefusal ? 400 : 404, { error: message })
      }
      return sendJson(res, 200, { ok: true })
    }
    sendJson(res, 404, { error: `no control route ${method} ${path}` })
  }

  const server = await listen(handle, options.port ?? 0, options.host)
  return { url: server.url, state, behavior, setBehavior, setDocumentStatus, signAsBuyer, rejectAsBuyer, expireTokens, reset, close: server.close }
}

/** A control call refused because the document is not in a state for it (400, not 404). */
class ControlRefusal extends Error {}

function sendNoSuchDocument(res: ServerResponse): void {
  sendJson(res, 404, { data: { status: 'error', message: 'Для вас такого документа не существует', context: [] } })
}

function sendNotCancellable(res: ServerResponse, document: FakeDocument): void {
  sendJson(res, 422, { data: { status: 'error', message: 'Документ не может быть отменён', context: { status: document.doc_status } } })
}

function sellerCompany(tin: string): FakeCompany {
  return {
    tin,
    name: '"EXAMPLE SOFTWARE" MCHJ',
    fullName: '"EXAMPLE SOFTWARE" MAS\'ULIYATI CHEKLANGAN JAMIYAT',
    address: 'Toshkent sh., Mirobod tumani, Amir Temur ko\'chasi, 1',
    mfo: '00401',
    account: '20208000900100001001',
    director: 'KARIMOV AZIZ',
    accountant: 'RASULOVA DILNOZA',
    VATRegCode: '326010000001',
    VATRegStatus: 20,
  }
}

/** Any other valid TIN is a registered VAT payer with made-up but stable details. */
function generatedCompany(tin: string): FakeCompany {
  return {
    tin,
    name: `"COMPANY ${tin}" MCHJ`,
    fullName: `"COMPANY ${tin}" MAS'ULIYATI CHEKLANGAN JAMIYAT`,
    address: `Toshkent sh., ${tin.slice(0, 3)}-uy`,
    mfo: '00974',
    account: `2020800040${tin}1`,
    director: `DIRECTOR ${tin}`,
    accountant: `ACCOUNTANT ${tin}`,
    VATRegCode: `3260${tin.slice(0, 8)}`,
    VATRegStatus: 20,
  }
}

function routeName(method: string, path: string): string {
  return `${method} ${path
    .replace(/^\/v1\/auth\/[^/]+\/password\/[a-z]{2}$/, '/v1/auth/{taxId}/password/{locale}')
    .replace(/^\/v1\/utils\/info\/[^/]+$/, '/v1/utils/info/{tin}')
    .replace(/^\/v1\/documents\/002\/create\/[a-z]{2}$/, '/v1/documents/002/create/{locale}')
    .replace(/^\/v1\/documents\/[^/]+\/(sign|tosign|delete)$/, '/v1/documents/{id}/$1')
    .replace(/^\/v1\/documents\/(?!002\/)[^/]+$/, '/v1/documents/{id}')}`
}

function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(text) })
  res.end(text)
}

/** Didox answers with the document JSON's keys in lower case. */
function lowerKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(lowerKeys)
  if (!isObject(value)) return value
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k.toLowerCase(), lowerKeys(v)]))
}

function showTime(ms: number | null): string | null {
  if (ms === null) return null
  return Number.isFinite(ms) ? new Date(ms).toISOString() : 'forever'
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
