const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/

/**
 * Parses a calendar date (YYYY-MM-DD) to midnight UTC, or returns null for a malformed or
 * impossible date ("2026-02-30"). Invoice dates are days, not instants: keeping them in UTC
 * means no time zone can shift them by one.
 */
export function parseIsoDate(value: string): Date | null {
  const match = ISO_DATE.exec(value)
  if (match === null) return null
  const [, y, m, d] = match.map(Number) as [number, number, number, number]
  const date = new Date(Date.UTC(y, m - 1, d))
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d ? date : null
}

/** Adds whole days to a YYYY-MM-DD date: due dates and the inclusive end of a period. */
export function addDays(value: string, days: number): string {
  const date = parseIsoDate(value)
  if (date === null) throw new RangeError(`Not a YYYY-MM-DD date: "${value}"`)
  date.setUTCDate(date.getUTCDate() + days)
  return date.toISOString().slice(0, 10)
}
