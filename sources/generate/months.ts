/** Calendar months (YYYY-MM) and their days, computed in UTC so the host's zone never matters. */

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/

/**
 * Parses `2026-09` or an inclusive range `2026-08..2026-10` into the list of months.
 * Throws on malformed input or a range running backwards.
 */
export function parseMonths(text: string): string[] {
  const parts = text.split('..')
  const first = parts[0] ?? ''
  const last = parts[1] ?? first
  if (parts.length > 2 || !MONTH.test(first) || !MONTH.test(last)) {
    throw new Error(`months must be YYYY-MM or YYYY-MM..YYYY-MM, got ${JSON.stringify(text)}`)
  }
  if (last < first) throw new Error(`month range runs backwards: ${text}`)
  const months: string[] = []
  for (let m = first; m <= last; m = addMonths(m, 1)) {
    months.push(m)
    if (months.length > 120) throw new Error(`month range longer than 10 years: ${text}`)
  }
  return months
}

/** The month `n` months after `month` (n may be negative). */
export function addMonths(month: string, n: number): string {
  const [y, m] = month.split('-').map(Number) as [number, number]
  const d = new Date(Date.UTC(y, m - 1 + n, 1))
  return d.toISOString().slice(0, 7)
}

/** Days of a month as YYYY-MM-DD. */
export function listDays(month: string): string[] {
  const days: string[] = []
  const [y, m] = month.split('-').map(Number) as [number, number]
  for (let d = new Date(Date.UTC(y, m - 1, 1)); d.getUTCMonth() === m - 1; d.setUTCDate(d.getUTCDate() + 1)) {
    days.push(d.toISOString().slice(0, 10))
  }
  return days
}

/** The last day of a month, YYYY-MM-DD. */
export function lastDay(month: string): string {
  const days = listDays(month)
  return days[days.length - 1] as string
}

/** Day of the week of a date (0 = Sunday). */
export function weekday(date: string): number {
  return new Date(`${date}T00:00:00Z`).getUTCDay()
}
