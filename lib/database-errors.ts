/**
 * The SQLSTATE of a PostgreSQL error, whether it came through Prisma's driver adapter
 * (`meta.driverAdapterError.cause.originalCode`) or straight from `pg` (`code`), or null.
 */
export function sqlStateOf(err: unknown): string | null {
  const meta = (err as { meta?: { driverAdapterError?: { cause?: { originalCode?: unknown } } } })?.meta
  const fromPrisma = meta?.driverAdapterError?.cause?.originalCode
  if (typeof fromPrisma === 'string') return fromPrisma
  const code = (err as { code?: unknown })?.code
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : null
}

/**
 * Whether PostgreSQL refused the data itself: class 22 (value too long, numeric overflow,
 * invalid byte sequence, untranslatable character...) or a NOT NULL / CHECK violation. The
 * same write fails the same way on every retry, so such errors are not retried.
 */
export function isDataError(err: unknown): boolean {
  const state = sqlStateOf(err)
  return state !== null && (state.startsWith('22') || state === '23502' || state === '23514')
}

/** Prisma's codes for a database it cannot reach: not reachable, timed out, connection closed, pool exhausted. */
const UNREACHABLE_CODES = new Set(['P1001', 'P1002', 'P1017', 'P2024'])

/**
 * Whether PostgreSQL itself is unavailable (down, restarting, unreachable), not the query:
 * the request may succeed when it is back, so the API answers 503, not 500.
 */
export function isDatabaseUnavailable(err: unknown): boolean {
  const { code, meta } = (err ?? {}) as { code?: unknown; meta?: { driverAdapterError?: { cause?: { kind?: unknown } } } }
  if (typeof code === 'string' && UNREACHABLE_CODES.has(code)) return true
  const kind = meta?.driverAdapterError?.cause?.kind
  if (kind === 'DatabaseNotReachable' || kind === 'SocketTimeout' || kind === 'ConnectionClosed' || kind === 'TooManyConnections') return true
  // Class 08 (connection exception), 57P01-57P03 (shutting down, starting up).
  const state = sqlStateOf(err)
  return state !== null && (state.startsWith('08') || state === '57P01' || state === '57P02' || state === '57P03')
}
