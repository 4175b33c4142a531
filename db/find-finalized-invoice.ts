import type { Database } from '../lib/database.js'

/**
 * The finalized (numbered) invoice of an invoice id (its workflow id): the live one when there
 * is one, else the latest void one (a cancelled invoice started again can leave both). Null
 * when none was ever finalized.
 */
export function findFinalizedInvoice(db: Database, workflowId: string): Promise<{ id: string; number: string | null; voidedAt: Date | null } | null> {
  return db.invoice.findFirst({
    where: { workflowId, number: { not: null } },
    select: { id: true, number: true, voidedAt: true },
    orderBy: [{ voidedAt: { sort: 'desc', nulls: 'first' } }, { createdAt: 'desc' }],
  })
}
