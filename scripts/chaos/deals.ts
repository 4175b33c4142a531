/**
 * The deals and months the chaos drills invoice (sources/generate/catalog.ts): Didox deliveries
 * are UZS deals of e-invoicing customers; e-mail deliveries are the others. The months are the
 * ones scripts/chaos.sh generates (CHAOS_MONTHS). Each (deal, month) is invoiced once per
 * chaos run, so each drill takes the next pairs not invoiced yet.
 */
export type DeliveryKind = 'email' | 'didox'

const DEALS: Record<DeliveryKind, string[]> = {
  didox: ['APP-1003', 'APP-1002', 'APP-1004'],
  email: ['APP-1001', 'APP-1005', 'APP-1006', 'APP-1007', 'APP-1008', 'APP-1010', 'APP-1011', 'APP-1013', 'APP-1015', 'APP-1016', 'APP-1018'],
}

export const DEFAULT_CHAOS_MONTHS = '2025-07..2026-10'

/** Every month of `from..to` (YYYY-MM), oldest first. */
export function monthsOf(range: string): string[] {
  const [from, to] = range.split('..') as [string, string]
  const months: string[] = []
  let [year, month] = from.split('-').map(Number) as [number, number]
  const [endYear, endMonth] = (to ?? from).split('-').map(Number) as [number, number]
  while (year < endYear || (year === endYear && month <= endMonth)) {
    months.push(`${year}-${String(month).padStart(2, '0')}`)
    month += 1
    if (month === 13) [year, month] = [year + 1, 1]
  }
  return months
}

/** Candidates oldest month first, the deals interleaved, so a drill spreads over customers. */
export function candidatePairs(kind: DeliveryKind, range = process.env.CHAOS_MONTHS ?? DEFAULT_CHAOS_MONTHS): { dealId: string; period: string }[] {
  return monthsOf(range).flatMap((period) => DEALS[kind].map((dealId) => ({ dealId, period })))
}
