/**
 * Errors raised while reading the sources. `type` is a shared string constant so that callers
 * (activities, `nonRetryableErrorTypes`) match on it, not on a class name.
 */
export const SOURCE_ERROR_TYPES = {
  /** A synced row does not have the shape this code expects (a sync or schema change). */
  invalidRow: 'SourceRowInvalid',
  /** A reader was called with arguments it cannot run with (a caller bug). */
  invalidArgument: 'SourceArgumentInvalid',
} as const

export type SourceErrorType = (typeof SOURCE_ERROR_TYPES)[keyof typeof SOURCE_ERROR_TYPES]

export class SourceError extends Error {
  constructor(
    readonly type: SourceErrorType,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options)
    this.name = 'SourceError'
  }
}
