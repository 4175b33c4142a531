import type { RetryPolicy } from '@temporalio/common'
import { NON_RETRYABLE_ERROR_TYPES } from '../lib/error-types.js'

/**
 * The one retry policy of every activity: transient failures retry without a limit, backing off
 * to a minute, so work resumes by itself after any outage; failures typed in
 * NON_RETRYABLE_ERROR_TYPES (bad input, 4xx, data PostgreSQL cannot store) fail at once and the
 * workflow asks a person.
 */
export const RETRY_POLICY: RetryPolicy = {
  initialInterval: '1s',
  backoffCoefficient: 2,
  maximumInterval: '1m',
  nonRetryableErrorTypes: NON_RETRYABLE_ERROR_TYPES,
}
