import { ApplicationFailure } from '@temporalio/common'
import { NON_RETRYABLE_ERROR_TYPES } from '../lib/error-types.js'

/**
 * Runs an activity body and turns a permanent error (anything carrying a `type` listed in
 * NON_RETRYABLE_ERROR_TYPES) into a non-retryable ApplicationFailure with its message. Every
 * other error is rethrown as it is, for Temporal to retry.
 */
export async function failPermanentErrors<T>(body: () => Promise<T>): Promise<T> {
  try {
    return await body()
  } catch (err) {
    const type = (err as { type?: unknown }).type
    if (err instanceof Error && typeof type === 'string' && NON_RETRYABLE_ERROR_TYPES.includes(type)) {
      throw ApplicationFailure.create({ message: err.message, type, nonRetryable: true, cause: err })
    }
    throw err
  }
}
