import type { Database } from '../lib/database.js'
import { appendEvent, type InvoiceEventInput } from './append-event.js'

export interface TransitionInput {
  event: InvoiceEventInput
  /** The invoice row to update, when one exists (events before confirmation have none). */
  invoiceId?: string | null
  state: string
  /** ISO instant of the transition (workflow time), so a retry writes the same values. */
  at: string
  approvedBy?: string
  /** A cancelled invoice that has a number is kept as void. */
  voidReason?: string
}

/**
 * Moves the invoice row (the workflow's projection in PostgreSQL) to a new state and appends
 * the event, in one transaction. A retry after success writes nothing twice: the event key is
 * unique and the update sets the same values.
 */
export async function recordTransition(db: Database, input: TransitionInput): Promise<void> {
  await db.$transaction(async (tx) => {
    if (input.invoiceId) {
      await tx.invoice.updateMany({
        where: { id: input.invoiceId },
        data: {
          state: input.state,
          ...(input.approvedBy ? { approvedBy: input.approvedBy, approvedAt: new Date(input.at) } : {}),
          ...(input.voidReason !== undefined ? { voidReason: input.voidReason, voidedAt: new Date(input.at) } : {}),
        },
      })
    }
    await appendEvent(tx, { ...input.event, invoiceId: input.invoiceId ?? input.event.invoiceId ?? null })
  })
}
