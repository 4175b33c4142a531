import { Prisma } from '../../generated/prisma/client.js'
import type { Database } from '../../lib/database.js'
import type { InvoiceState, NextActor } from '../../workflows/invoice-contract.js'
import { OperationError } from '../operation-error.js'

export interface InvoiceRunFilters {
  state?: InvoiceState
  customerId?: string
  dealId?: string
  /** The period label as the workflow records it (`2026-10`, `2026-10-03..2026-10-17`). */
  period?: string
  number?: string
  /** Who must act next: the "waiting for me" views. */
  nextActor?: Exclude<NextActor, null>
  /** Leaves out the invoices this person confirmed: the approver's "waiting for me" (maker-checker). */
  notConfirmedBy?: string
}

export interface InvoiceSummary {
  /** The workflow id: the invoice's id in the API. */
  id: string
  runId: string
  /** RUNNING until the run reaches completed or cancelled, then CLOSED. */
  workflowStatus: string
  state: string
  dealId: string
  customerId: string | null
  period: string
  number: string | null
  currency: string | null
  total: string | null
  nextActor: string | null
  startedAt: string
  closedAt: string | null
}

export interface InvoicePage {
  items: InvoiceSummary[]
  /** Pass back as `cursor` for the next page; null on the last page. */
  nextCursor: string | null
}

/**
 * One page of invoices from the read model (invoice_runs, one row per run from its start),
 * newest first, filtered by the indexed columns. The cursor is the last row's start time and
 * run id, so pages stay stable while new invoices arrive.
 */
export async function listInvoiceRuns(db: Database, options: { filters: InvoiceRunFilters; limit: number; cursor?: string }): Promise<InvoicePage> {
  const { filters } = options
  const after = options.cursor ? decodeCursor(options.cursor) : null
  const where: Prisma.InvoiceRunWhereInput = {
    ...(filters.state ? { state: filters.state } : {}),
    ...(filters.customerId ? { customerId: filters.customerId } : {}),
    ...(filters.dealId ? { dealId: filters.dealId } : {}),
    ...(filters.period ? { period: filters.period } : {}),
    ...(filters.number ? { invoiceNumber: filters.number } : {}),
    ...(filters.nextActor ? { nextActor: filters.nextActor } : {}),
    ...(filters.notConfirmedBy ? { AND: [notConfirmedBy(filters.notConfirmedBy)] } : {}),
    ...(after ? { OR: [{ startedAt: { lt: after.startedAt } }, { startedAt: after.startedAt, workflowRunId: { lt: after.runId } }] } : {}),
  }
  const rows = await db.invoiceRun.findMany({
    where,
    orderBy: [{ startedAt: 'desc' }, { workflowRunId: 'desc' }],
    take: options.limit + 1,
    select: { workflowId: true, workflowRunId: true, state: true, dealId: true, customerId: true, period: true, invoiceNumber: true, currency: true, total: true, nextActor: true, startedAt: true, closedAt: true },
  })
  const page = rows.slice(0, options.limit)
  const last = page.at(-1)
  return {
    items: page.map((r) => ({
      id: r.workflowId,
      runId: r.workflowRunId,
      workflowStatus: r.closedAt ? 'CLOSED' : 'RUNNING',
      state: r.state,
      dealId: r.dealId,
      customerId: r.customerId,
      period: r.period,
      number: r.invoiceNumber,
      currency: r.currency,
      total: r.total?.toFixed(2) ?? null,
      nextActor: r.nextActor,
      startedAt: r.startedAt.toISOString(),
      closedAt: r.closedAt?.toISOString() ?? null,
    })),
    nextCursor: rows.length > options.limit && last ? Buffer.from(JSON.stringify([last.startedAt.toISOString(), last.workflowRunId])).toString('base64url') : null,
  }
}

function decodeCursor(cursor: string): { startedAt: Date; runId: string } {
  try {
    const [startedAt, runId] = JSON.parse(Buffer.from(cursor, 'base64url').toString()) as [string, string]
    const date = new Date(startedAt)
    if (typeof runId !== 'string' || Number.isNaN(date.getTime())) throw new Error('bad cursor')
    return { startedAt: date, runId }
  } catch {
    throw new OperationError('VALIDATION_FAILED', 'query.cursor: is not a cursor this API returned (pass nextCursor of the previous page as it is)', { issues: [{ field: 'query.cursor', problem: 'not a cursor this API returned' }] })
  }
}

/** Runs this person did not confirm: someone else did, or nobody yet (a missing key counts as nobody). */
export function notConfirmedBy(userId: string): Prisma.InvoiceRunWhereInput {
  return { OR: [{ NOT: { view: { path: ['confirmedBy'], equals: userId } } }, { view: { path: ['confirmedBy'], equals: Prisma.AnyNull } }] }
}
