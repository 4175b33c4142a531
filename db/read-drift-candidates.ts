import type { Database } from '../lib/database.js'

/**
 * The invoices a drift report checks: numbered, not void, their worklogs in the ledger (not
 * finalized before it existed), whose period's last day is on or after `periodEndFrom`
 * (YYYY-MM-DD), oldest period first.
 */
export async function readDriftCandidates(db: Database, periodEndFrom: string): Promise<string[]> {
  const rows = await db.invoice.findMany({
    where: { number: { not: null }, voidedAt: null, ledgerRecorded: true, periodTo: { gt: new Date(`${periodEndFrom}T00:00:00Z`) } },
    select: { id: true },
    orderBy: [{ periodFrom: 'asc' }, { number: 'asc' }],
  })
  return rows.map((row) => row.id)
}
