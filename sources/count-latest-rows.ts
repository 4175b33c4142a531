import type { ClickHouseClient } from '@clickhouse/client'
import { DEALS, WORKLOGS } from './columns.js'

const COUNT_SQL = `
SELECT
  (SELECT count() FROM ${WORKLOGS.table} FINAL) AS worklogs,
  (SELECT count() FROM ${DEALS.table} FINAL) AS deals`

/** Worklogs and deals in their latest state (deleted ones excluded): a cheap proof that the sources answer. */
export async function countLatestRows(client: ClickHouseClient): Promise<{ worklogs: number; deals: number }> {
  const result = await client.query({ query: COUNT_SQL, format: 'JSONEachRow' })
  const [row] = await result.json<{ worklogs: string; deals: string }>()
  return { worklogs: Number(row?.worklogs ?? 0), deals: Number(row?.deals ?? 0) }
}
