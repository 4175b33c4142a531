import type { ClickHouseClient } from '@clickhouse/client'
import { DEALS as D } from './columns.js'

// FINAL keeps each deal's latest version and drops deleted ones.
const BILLABLE_DEALS_SQL = `
SELECT ${D.dealId} AS dealId, ${D.status} AS status, toString(${D.contractDate}) AS contractDate
FROM ${D.table} FINAL
ORDER BY ${D.dealId}`

export interface DealStanding {
  dealId: string
  status: string
  /** YYYY-MM-DD */
  contractDate: string
}

/** Every deal's id, status and contract date (latest versions, deleted ones left out). */
export async function readDealStandings(client: ClickHouseClient): Promise<DealStanding[]> {
  const result = await client.query({ query: BILLABLE_DEALS_SQL, format: 'JSONEachRow' })
  return result.json<DealStanding>()
}

/**
 * Why a deal is not billed for a period ending (exclusive) on `to`, or null when it is: it must
 * be active and its contract signed before the period ends.
 */
export function billableProblem(deal: DealStanding, to: string): string | null {
  if (deal.status !== 'active') return `deal ${deal.dealId} is ${deal.status}, not active`
  if (deal.contractDate >= to) return `deal ${deal.dealId}'s contract (${deal.contractDate}) starts after the period`
  return null
}
