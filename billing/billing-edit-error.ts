/** Why an edit of a preview was refused. Stable strings, mapped to 400 by the API. */
export const EDIT_ERROR_CODES = {
  PREVIEW_HAS_ERRORS: 'PREVIEW_HAS_ERRORS',
  UNKNOWN_CURRENCY: 'UNKNOWN_CURRENCY',
  UNKNOWN_LINE: 'UNKNOWN_LINE',
  DUPLICATE_LINE: 'DUPLICATE_LINE',
  CAP_LINE_LOCKED: 'CAP_LINE_LOCKED',
  EMPTY_DESCRIPTION: 'EMPTY_DESCRIPTION',
  EMPTY_REASON: 'EMPTY_REASON',
  INVALID_QUANTITY: 'INVALID_QUANTITY',
  INVALID_RATE: 'INVALID_RATE',
  INVALID_UNIT: 'INVALID_UNIT',
} as const

export type EditErrorCode = (typeof EDIT_ERROR_CODES)[keyof typeof EDIT_ERROR_CODES]

/**
 * A refused edit. Callers branch on `code` (never on the class name, which bundling may
 * change) and show `field`, the path of the offending value in the edits, e.g. "addLines[0].reason".
 */
export class BillingEditError extends Error {
  readonly code: EditErrorCode
  readonly field: string

  constructor(code: EditErrorCode, field: string, message: string) {
    super(message)
    this.name = 'BillingEditError'
    this.code = code
    this.field = field
  }
}

/** Narrows an unknown thrown value to a refused edit, by its code rather than its class. */
export function isBillingEditError(error: unknown): error is BillingEditError {
  return (
    error instanceof Error &&
    typeof (error as Partial<BillingEditError>).code === 'string' &&
    Object.values(EDIT_ERROR_CODES).includes((error as BillingEditError).code) &&
    typeof (error as Partial<BillingEditError>).field === 'string'
  )
}
