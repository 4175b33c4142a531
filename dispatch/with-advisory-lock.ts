import { createHash } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import type { Database } from '../lib/database.js'

/** How long a caller waits for the lock before giving up with a retryable error. */
export const ADVISORY_LOCK_DEFAULT_WAIT_MS = 60_000
/** How long the lock may be held: covers a few 10 s external calls and 429 back-offs. */
export const ADVISORY_LOCK_DEFAULT_HOLD_MS = 120_000

const POLL_MIN_MS = 20
const POLL_MAX_MS = 80

export interface AdvisoryLockOptions {
  /** What the lock protects, e.g. "planfact:<business key>"; hashed to the lock's 64-bit key. */
  name: string
  waitMs?: number
  holdMs?: number
}

/** Another holder kept the lock for longer than the caller would wait: retryable. */
export class AdvisoryLockBusyError extends Error {
  constructor(name: string, waitMs: number) {
    super(`advisory lock "${name}" is still held by another worker after ${waitMs} ms`)
    this.name = 'AdvisoryLockBusyError'
  }
}

/** The 64-bit key PostgreSQL's advisory locks take, derived from a name so every process agrees on it. */
export function advisoryLockKey(name: string): bigint {
  const digest = createHash('sha256').update(name).digest()
  return digest.readBigInt64BE(0)
}

/**
 * Runs `body` while holding a transaction-scoped PostgreSQL advisory lock, so at most one
 * process in the whole deployment runs a body with the same name at a time (external APIs
 * that refuse parallel writes, check-then-create sequences). The lock is tried, not waited
 * for, and retried after a short pause: waiting callers hold no connection and never run into
 * the 5 s statement timeout. The body's own database writes go through `db` and commit on their
 * own: only the lock lives in the transaction, and it is released when the body ends or throws.
 */
export async function withAdvisoryLock<T>(db: Database, options: AdvisoryLockOptions, body: () => Promise<T>): Promise<T> {
  const key = advisoryLockKey(options.name)
  const waitMs = options.waitMs ?? ADVISORY_LOCK_DEFAULT_WAIT_MS
  const holdMs = options.holdMs ?? ADVISORY_LOCK_DEFAULT_HOLD_MS
  const giveUpAt = Date.now() + waitMs
  for (;;) {
    const outcome = await db.$transaction(
      async (tx) => {
        const rows = await tx.$queryRaw<{ locked: boolean }[]>`SELECT pg_try_advisory_xact_lock(${key}) AS locked`
        if (rows[0]?.locked !== true) return { acquired: false as const }
        return { acquired: true as const, value: await body() }
      },
      { maxWait: waitMs, timeout: holdMs },
    )
    if (outcome.acquired) return outcome.value
    if (Date.now() >= giveUpAt) throw new AdvisoryLockBusyError(options.name, waitMs)
    await sleep(POLL_MIN_MS + Math.random() * (POLL_MAX_MS - POLL_MIN_MS))
  }
}
