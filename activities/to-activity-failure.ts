import { ApplicationFailure } from '@temporalio/common'
import { isDataError, sqlStateOf } from '../lib/database-errors.js'
import { ERROR_TYPES, NON_RETRYABLE_ERROR_TYPES } from '../lib/error-types.js'

/**
 * Runs an activity body and turns a permanent error (anything carrying a `type` listed in
 * NON_RETRYABLE_ERROR_TYPES, or data PostgreSQL refuses to store) into a non-retryable
 * ApplicationFailure with its message. Every other error is rethrown as it is, for Temporal to
 * retry.
 */
export async function failPermanentErrors<T>(body: () => Promise<T>): Promise<T> {
  try {
    return await body()
  } catch (err) {
    const type = (err as { type?: unknown }).type
    if (err instanceof Error && typeof type === 'string' && NON_RETRYABLE_ERROR_TYPES.includes(type)) {
      throw ApplicationFailure.create({ message: err.message, type, nonRetryable: true, cause: err })
    }
    if (isDataError(err)) {
      const detail = (err as { meta?: { driverAdapterError?: { cause?: { originalMessage?: string } } } }).meta?.driverAdapterError?.cause?.originalMessage ?? (err as Error).message
      throw ApplicationFailure.create({ message: `PostgreSQL cannot store a value: ${detail} (SQLSTATE ${sqlStateOf(err)})`, type: ERROR_TYPES.databaseData, nonRetryable: true })
    }
    throw err
  }
}
