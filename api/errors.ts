import { isGrpcServiceError, ServiceError } from '@temporalio/client'
import { HTTPException } from 'hono/http-exception'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import type { ZodError } from 'zod'
import { isDatabaseUnavailable } from '../lib/database-errors.js'
import { OperationError, type ErrorCode } from '../operations/operation-error.js'

/**
 * The one place that maps error codes (operations/operation-error.ts) to HTTP statuses. The
 * workflow's refusal codes are among them, so a refusal reads the same wherever it is caught.
 */
export const ERROR_STATUS = {
  BAD_REQUEST: 400,
  MALFORMED_JSON: 400,
  VALIDATION_FAILED: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  MAKER_CHECKER: 403,
  NOT_FOUND: 404,
  UNKNOWN_DEAL: 404,
  METHOD_NOT_ALLOWED: 405,
  ALREADY_EXISTS: 409,
  PERIOD_OVERLAP: 409,
  WRONG_STATE: 409,
  STALE_PREVIEW: 409,
  STALE_PDF: 409,
  PREVIEW_HAS_ERRORS: 409,
  NOT_SKIPPABLE: 409,
  EFFECTS_MADE: 409,
  PAYMENT_REFUSED: 409,
  CREDIT_EXCEEDS_INVOICE: 422,
  INVALID_CREDIT_NOTE: 422,
  RATE_RULE_OVERLAP: 409,
  POSITION_TAKEN: 409,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  INVALID_EDIT: 422,
  NOTHING_TO_BILL: 422,
  INVALID_INPUT: 422,
  UNKNOWN_CUSTOMER: 422,
  INTERNAL: 500,
  SERVICE_UNAVAILABLE: 503,
} as const satisfies Record<ErrorCode, ContentfulStatusCode>

export type { ErrorCode }

/** The API's name for an operation's refusal (one class: the CLI and the API throw the same). */
export { OperationError as ApiError }

/** The HTTP status of a refusal. */
export function statusOf(err: OperationError): ContentfulStatusCode {
  return ERROR_STATUS[err.code]
}

const TARGET_NAMES: Record<string, string> = { json: 'body', query: 'query', param: 'path', header: 'header' }

/**
 * Turns a zod failure into a 400 that names each field and its problem, e.g.
 * `body.period: month must be YYYY-MM, got "2026-13"`; unknown fields are reported one by one.
 */
export function buildValidationError(error: ZodError, target: string): OperationError {
  const where = TARGET_NAMES[target] ?? target
  const issues = error.issues.flatMap((issue) => {
    const base = [where, ...issue.path.map(String)].join('.')
    if (issue.code === 'unrecognized_keys') return issue.keys.map((key) => ({ field: `${base}.${key}`, problem: 'unknown field' }))
    const problem = issue.code === 'invalid_type' && /received undefined/.test(issue.message) ? 'is required' : issue.message
    return [{ field: base, problem }]
  })
  const message = issues.map((i) => `${i.field}: ${i.problem}`).join('; ')
  return new OperationError('VALIDATION_FAILED', message, { issues })
}

/**
 * Maps anything thrown while handling a request to a status and the `{ code, message }` body:
 * our ApiError as is, Hono's own 4xx (malformed JSON, 413, 415) to their codes, Temporal being
 * or PostgreSQL unreachable to 503 naming it, and anything else to a 500 that reveals nothing of
 * the cause.
 */
export function describeError(err: unknown): { status: ContentfulStatusCode; body: Record<string, unknown>; headers: Record<string, string>; unexpected: boolean } {
  if (err instanceof OperationError) {
    return { status: statusOf(err), body: { code: err.code, message: err.message, ...err.details }, headers: err.headers, unexpected: false }
  }
  if (err instanceof HTTPException) {
    const code = codeForHttpException(err)
    return { status: ERROR_STATUS[code], body: { code, message: messageForHttpException(err, code) }, headers: {}, unexpected: false }
  }
  if (isTemporalUnavailable(err)) {
    return { status: 503, body: { code: 'SERVICE_UNAVAILABLE', message: 'Temporal is not reachable; try again shortly' }, headers: { 'Retry-After': '5' }, unexpected: true }
  }
  if (isDatabaseUnavailable(err)) {
    return { status: 503, body: { code: 'SERVICE_UNAVAILABLE', message: 'the database (PostgreSQL) is not reachable; try again shortly' }, headers: { 'Retry-After': '5' }, unexpected: true }
  }
  return { status: 500, body: { code: 'INTERNAL', message: 'internal error; the request id identifies it in the logs' }, headers: {}, unexpected: true }
}

function codeForHttpException(err: HTTPException): ErrorCode {
  if (err.status === 413) return 'PAYLOAD_TOO_LARGE'
  if (err.status === 415) return 'UNSUPPORTED_MEDIA_TYPE'
  if (err.status === 400 && /malformed json/i.test(err.message)) return 'MALFORMED_JSON'
  if (err.status === 401) return 'UNAUTHENTICATED'
  if (err.status === 403) return 'FORBIDDEN'
  if (err.status === 404) return 'NOT_FOUND'
  if (err.status === 405) return 'METHOD_NOT_ALLOWED'
  return err.status >= 500 ? 'INTERNAL' : 'BAD_REQUEST'
}

function messageForHttpException(err: HTTPException, code: ErrorCode): string {
  if (code === 'MALFORMED_JSON') return 'the request body is not valid JSON'
  if (code === 'UNSUPPORTED_MEDIA_TYPE') return 'send the body as application/json'
  return err.message || code
}

/** gRPC UNAVAILABLE or DEADLINE_EXCEEDED from the Temporal frontend (server down or overloaded). */
function isTemporalUnavailable(err: unknown): boolean {
  const cause = err instanceof ServiceError ? err.cause : err
  return isGrpcServiceError(cause) && (cause.code === 14 || cause.code === 4)
}
