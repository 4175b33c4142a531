import { defaultGrpcRetryOptions, makeGrpcRetryInterceptor, type ConnectionOptions } from '@temporalio/client'
import { temporalConnectionOptions, type TemporalConnectionSettings } from '../lib/temporal-connection-options.js'

/**
 * Retries of a failed Temporal call in the API: 4 attempts, about 1 s in all. The SDK's default
 * (10 attempts, up to 5 s apart) kept a person waiting 20 s for a 503 while Temporal was down;
 * the answer now comes within 2 s with Retry-After, and the client tries again.
 */
export const API_TEMPORAL_MAX_ATTEMPTS = 4

/**
 * Connection options of the API's Temporal client (api/server.ts; tests build theirs the same
 * way): the address, TLS and API key of config.temporal, with the API's shorter retries.
 */
export function apiConnectionOptions(temporal: TemporalConnectionSettings): ConnectionOptions {
  return { ...temporalConnectionOptions(temporal), interceptors: [makeGrpcRetryInterceptor(defaultGrpcRetryOptions({ maxAttempts: API_TEMPORAL_MAX_ATTEMPTS }))] }
}
