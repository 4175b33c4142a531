import { S3Client } from '@aws-sdk/client-s3'
import type { Config } from '../lib/config.js'

/**
 * Client of Cloudflare R2 through its S3 API (locally moto_server, MinIO under Docker). R2 has
 * one region, `auto`; path-style addressing works on R2, moto and MinIO alike.
 */

/** Deadline of one S3 request: connecting, and the whole exchange after that. */
export const R2_TIMEOUT_MS = 10_000

export type R2ClientOptions = Pick<Config['s3'], 'endpoint' | 'region' | 'accessKeyId' | 'secretAccessKey' | 'forcePathStyle'> & {
  timeoutMs?: number
}

/**
 * Creates the S3 client from `config.s3`. Every request is bounded (a hung R2 must fail the
 * activity and let Temporal retry it, not hold it until its own timeout). The SDK still retries
 * a throttled or failed request a few times itself, which is safe because the uploads are
 * conditional writes.
 */
export function createR2Client(options: R2ClientOptions): S3Client {
  const timeoutMs = options.timeoutMs ?? R2_TIMEOUT_MS
  return new S3Client({
    endpoint: options.endpoint,
    region: options.region,
    forcePathStyle: options.forcePathStyle,
    credentials: { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey },
    requestHandler: { connectionTimeout: timeoutMs, requestTimeout: timeoutMs },
    maxAttempts: 3,
  })
}

/** The HTTP status of a failed S3 call, or null when no answer came (network error, timeout). */
export function readR2Status(error: unknown): number | null {
  const status = (error as { $metadata?: { httpStatusCode?: unknown } } | null)?.$metadata?.httpStatusCode
  return typeof status === 'number' ? status : null
}

/**
 * True when trying the same S3 call again can succeed: no answer at all, a 5xx, a timeout (408),
 * throttling (429) or a conflicting concurrent conditional write (409). Every other 4xx is a
 * refusal that the same request will get again.
 */
export function isRetryableR2Error(error: unknown): boolean {
  const status = readR2Status(error)
  return status === null || status >= 500 || status === 408 || status === 409 || status === 429
}

/** A short description of a failed S3 call for messages: status, S3 error code, message. */
export function describeR2Error(error: unknown): string {
  const status = readR2Status(error)
  const name = error instanceof Error ? error.name : 'Error'
  const message = error instanceof Error ? error.message : String(error)
  return `${status === null ? 'no answer' : `HTTP ${status}`} ${name}: ${message}`
}
