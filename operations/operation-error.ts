/**
 * Every refusal an operation (start, act, read) can answer with, by stable code. The API maps
 * each to its HTTP status (api/errors.ts); the CLI prints the message. The workflow's refusal
 * codes (REFUSAL_CODES in workflows/invoice-contract.ts) are among them.
 */
export const ERROR_CODES = [
  'BAD_REQUEST',
  'MALFORMED_JSON',
  'VALIDATION_FAILED',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'MAKER_CHECKER',
  'NOT_FOUND',
  'UNKNOWN_DEAL',
  'METHOD_NOT_ALLOWED',
  'ALREADY_EXISTS',
  'PERIOD_OVERLAP',
  'WRONG_STATE',
  'STALE_PREVIEW',
  'STALE_PDF',
  'PREVIEW_HAS_ERRORS',
  'NOT_SKIPPABLE',
  'EFFECTS_MADE',
  'PAYMENT_REFUSED',
  'CREDIT_EXCEEDS_INVOICE',
  'INVALID_CREDIT_NOTE',
  'RATE_RULE_OVERLAP',
  'POSITION_TAKEN',
  'CONFLICT',
  'PAYLOAD_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
  'INVALID_EDIT',
  'NOTHING_TO_BILL',
  'INVALID_INPUT',
  'UNKNOWN_CUSTOMER',
  'INTERNAL',
  'SERVICE_UNAVAILABLE',
] as const

export type ErrorCode = (typeof ERROR_CODES)[number]

/** A refusal on purpose, with a stable code; `details` are added to the API's error body. */
export class OperationError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(message)
    this.name = 'OperationError'
  }
}
