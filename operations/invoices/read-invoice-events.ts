import type { Database } from '../../lib/database.js'

export interface InvoiceEventInfo {
  /** Increasing; pass the last one back as `cursor` for the next page. */
  id: string
  runId: string
  invoiceId: string | null
  type: string
  actor: string
  payload: unknown
  at: string
}

/**
 * One page of an invoice's history (invoice_events, append-only), oldest first, across all
 * runs of the workflow id (a cancelled invoice started again keeps its earlier history).
 */
export async function readInvoiceEvents(db: Database, options: { workflowId: string; limit: number; after?: string }): Promise<{ items: InvoiceEventInfo[]; nextCursor: string | null }> {
  const rows = await db.invoiceEvent.findMany({
    where: { workflowId: options.workflowId, ...(options.after ? { id: { gt: BigInt(options.after) } } : {}) },
    orderBy: { id: 'asc' },
    take: options.limit + 1,
  })
  const page = rows.slice(0, options.limit)
  return {
    items: page.map((r) => ({
      id: r.id.toString(),
      runId: r.workflowRunId,
      invoiceId: r.invoiceId,
      type: r.type,
      actor: r.actor,
      payload: r.payload,
      at: r.createdAt.toISOString(),
    })),
    nextCursor: rows.length > options.limit ? page[page.length - 1]!.id.toString() : null,
  }
}
