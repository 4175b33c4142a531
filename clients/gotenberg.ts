/**
 * Client of Gotenberg 8 (HTML to PDF through Chromium). One call converts one self-contained
 * HTML page; failures come back as `GotenbergError` with `retryable` saying whether trying again
 * can help, and a `type` constant a Temporal retry policy can name.
 */

/** Error types, used where the errors are thrown and in `nonRetryableErrorTypes`. */
export const GOTENBERG_ERROR_TYPES = Object.freeze({
  /** Gotenberg busy, timed out, unreachable or too slow for our deadline: try again later. */
  unavailable: 'GotenbergUnavailableError',
  /** Gotenberg refused the request (bad form, denied URL, fail-on condition) or answered something that is not a PDF. */
  rejected: 'GotenbergRejectedError',
})

export type GotenbergErrorType = (typeof GOTENBERG_ERROR_TYPES)[keyof typeof GOTENBERG_ERROR_TYPES]

/** The seed's deadline for PDF generation. */
export const GOTENBERG_DEFAULT_TIMEOUT_MS = 30_000

/** A4 in inches, Gotenberg's default unit. */
export const A4_PAPER: PaperSize = Object.freeze({ width: '8.27', height: '11.7' })

/** Room for the running footer at the bottom; the same left and right margins as the footer template. */
export const DEFAULT_MARGINS: Margins = Object.freeze({ top: '14mm', bottom: '16mm', left: '14mm', right: '14mm' })

const PDF_MAGIC = '%PDF-'
const MAX_BODY_IN_MESSAGE = 1_000

export interface PaperSize {
  /** A number with an optional unit Gotenberg accepts ("8.27", "210mm"). */
  width: string
  height: string
}

export interface Margins {
  top: string
  bottom: string
  left: string
  right: string
}

export interface GotenbergClientOptions {
  url: string
  /** Deadline of each call, response body included. */
  timeoutMs?: number
  paper?: PaperSize
  margins?: Margins
}

export interface ConvertHtmlInput {
  /** The page, sent as `index.html`; it must not need the network. */
  html: string
  /** Sent as `footer.html`: Chromium fills `<span class="pageNumber">` and `<span class="totalPages">`. */
  footerHtml?: string
  /** Name Gotenberg gives the output (without ".pdf"). */
  filename?: string
  /** Sent as `Gotenberg-Trace` and echoed in Gotenberg's logs, e.g. "<invoice id>:pdf:v2". */
  traceId?: string
  /** PDF metadata (Title, Subject, Keywords, Creator...), written by Gotenberg. */
  metadata?: Record<string, string | string[]>
  /** Cancels the call, e.g. when the activity is cancelled. */
  signal?: AbortSignal
}

export interface GotenbergHealth {
  up: boolean
  /** Gotenberg's answer, e.g. `{ status: 'up', details: { chromium: { status: 'up' } } }`. */
  body: unknown
}

export interface GotenbergClient {
  convertHtml(input: ConvertHtmlInput): Promise<Uint8Array>
  health(): Promise<GotenbergHealth>
}

export class GotenbergError extends Error {
  readonly type: GotenbergErrorType
  readonly retryable: boolean
  /** HTTP status, or null when no answer came (network error, timeout). */
  readonly status: number | null
  readonly traceId: string | null

  constructor(options: { type: GotenbergErrorType; message: string; status?: number | null; traceId?: string | null; cause?: unknown }) {
    super(options.message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = options.type
    this.type = options.type
    this.retryable = options.type === GOTENBERG_ERROR_TYPES.unavailable
    this.status = options.status ?? null
    this.traceId = options.traceId ?? null
  }
}

/** True for a `GotenbergError`, checked by its type constant rather than by class identity. */
export function isGotenbergError(error: unknown): error is GotenbergError {
  return (
    error instanceof Error &&
    Object.values(GOTENBERG_ERROR_TYPES).includes((error as Partial<GotenbergError>).type as GotenbergErrorType)
  )
}

/**
 * Creates the Gotenberg client. Every call is bounded by `timeoutMs` (30 s, the seed's PDF
 * deadline) and sends the paper size and margins explicitly, so the output does not depend on
 * the server's defaults.
 */
export function createGotenbergClient(options: GotenbergClientOptions): GotenbergClient {
  const baseUrl = options.url.replace(/\/+$/, '')
  const timeoutMs = options.timeoutMs ?? GOTENBERG_DEFAULT_TIMEOUT_MS
  const paper = options.paper ?? A4_PAPER
  const margins = options.margins ?? DEFAULT_MARGINS

  async function convertHtml(input: ConvertHtmlInput): Promise<Uint8Array> {
    const form = new FormData()
    form.append('files', new Blob([input.html], { type: 'text/html' }), 'index.html')
    if (input.footerHtml !== undefined) form.append('files', new Blob([input.footerHtml], { type: 'text/html' }), 'footer.html')
    form.append('paperWidth', paper.width)
    form.append('paperHeight', paper.height)
    form.append('marginTop', margins.top)
    form.append('marginBottom', margins.bottom)
    form.append('marginLeft', margins.left)
    form.append('marginRight', margins.right)
    // The form's paper size wins over any CSS @page size, so the client alone decides the paper.
    form.append('preferCssPageSize', 'false')
    form.append('printBackground', 'true')
    form.append('emulatedMediaType', 'print')
    // The page loads nothing from the network (Gotenberg denies it anyway): wait for neither
    // network event. Gotenberg 8.36 skips both by default; sent anyway, like the paper size, so
    // the render time does not depend on the server's defaults.
    form.append('skipNetworkIdleEvent', 'true')
    form.append('skipNetworkAlmostIdleEvent', 'true')
    if (input.metadata !== undefined) form.append('metadata', JSON.stringify(input.metadata))

    const headers: Record<string, string> = {}
    if (input.traceId !== undefined) headers['Gotenberg-Trace'] = input.traceId
    if (input.filename !== undefined) headers['Gotenberg-Output-Filename'] = input.filename

    const traceId = input.traceId ?? null
    const bytes = await request({
      url: `${baseUrl}/forms/chromium/convert/html`,
      init: { method: 'POST', body: form, headers },
      timeoutMs,
      signal: input.signal,
      traceId,
      read: async (response) => new Uint8Array(await response.arrayBuffer()),
    })
    if (!startsWithPdfMagic(bytes)) {
      throw new GotenbergError({
        type: GOTENBERG_ERROR_TYPES.rejected,
        message: `Gotenberg answered 200 but the body is not a PDF (${bytes.byteLength} bytes, starts with ${JSON.stringify(decodeStart(bytes))})`,
        status: 200,
        traceId,
      })
    }
    return bytes
  }

  async function health(): Promise<GotenbergHealth> {
    let up = false
    const body = await request({
      url: `${baseUrl}/health`,
      init: { method: 'GET' },
      timeoutMs,
      traceId: null,
      acceptStatus: (status) => status === 200 || status === 503,
      read: async (response) => {
        up = response.status === 200
        const text = await response.text()
        try {
          return JSON.parse(text) as unknown
        } catch {
          return text
        }
      },
    })
    return { up, body }
  }

  return { convertHtml, health }
}

interface RequestOptions<T> {
  url: string
  init: RequestInit
  timeoutMs: number
  signal?: AbortSignal
  traceId: string | null
  acceptStatus?: (status: number) => boolean
  read: (response: Response) => Promise<T>
}

/** One HTTP exchange with a deadline covering the body, errors mapped to `GotenbergError`. */
async function request<T>(options: RequestOptions<T>): Promise<T> {
  const { url, traceId } = options
  const deadline = AbortSignal.timeout(options.timeoutMs)
  const signal = options.signal === undefined ? deadline : AbortSignal.any([deadline, options.signal])
  try {
    const response = await fetch(url, { ...options.init, signal })
    const accepted = options.acceptStatus ?? ((status: number) => status === 200)
    if (!accepted(response.status)) {
      const body = (await response.text()).trim().slice(0, MAX_BODY_IN_MESSAGE)
      const retryable = response.status === 429 || response.status >= 500
      throw new GotenbergError({
        type: retryable ? GOTENBERG_ERROR_TYPES.unavailable : GOTENBERG_ERROR_TYPES.rejected,
        message: `Gotenberg answered ${describeStatus(response.status)} for ${url}: ${body || '(empty body)'}`,
        status: response.status,
        traceId,
      })
    }
    return await options.read(response)
  } catch (error) {
    if (isGotenbergError(error)) throw error
    // The caller's own cancellation is not a Gotenberg failure: let it through unchanged.
    if (options.signal?.aborted === true && !deadline.aborted) throw error
    if (deadline.aborted) {
      throw new GotenbergError({
        type: GOTENBERG_ERROR_TYPES.unavailable,
        message: `Gotenberg did not answer within ${options.timeoutMs} ms (${url})`,
        traceId,
        cause: error,
      })
    }
    throw new GotenbergError({
      type: GOTENBERG_ERROR_TYPES.unavailable,
      message: `Gotenberg is unreachable at ${url}: ${describeNetworkError(error)}`,
      traceId,
      cause: error,
    })
  }
}

const STATUS_MEANINGS: Readonly<Record<number, string>> = {
  400: 'bad request',
  403: 'denied URL',
  409: 'fail-on condition',
  429: 'queue full',
  503: 'timeout',
}

function describeStatus(status: number): string {
  const meaning = STATUS_MEANINGS[status]
  return meaning === undefined ? String(status) : `${status} (${meaning})`
}

function describeNetworkError(error: unknown): string {
  if (!(error instanceof Error)) return String(error)
  const cause = error.cause as { code?: unknown; message?: unknown } | undefined
  const detail = typeof cause?.code === 'string' ? cause.code : typeof cause?.message === 'string' ? cause.message : ''
  return detail === '' ? error.message : `${error.message} (${detail})`
}

function startsWithPdfMagic(bytes: Uint8Array): boolean {
  return decodeStart(bytes) === PDF_MAGIC
}

function decodeStart(bytes: Uint8Array): string {
  return new TextDecoder('latin1').decode(bytes.subarray(0, PDF_MAGIC.length))
}
