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
