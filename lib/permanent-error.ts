import type { ErrorType } from './error-types.js'

/**
 * A failure that retrying cannot fix (bad input, unknown deal, invalid settings). Activities
 * turn it into a non-retryable ApplicationFailure of the same `type`.
 */
export class PermanentError extends Error {
  constructor(
    readonly type: ErrorType,
    message: string,
  ) {
    super(message)
    this.name = 'PermanentError'
  }
}
