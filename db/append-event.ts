import type { Prisma } from '../generated/prisma/client.js'
import type { Database } from '../lib/database.js'

export interface InvoiceEventInput {
  workflowId: string
  workflowRunId: string
  invoiceId?: string | null
  type: string
  actor: string
  payload?: Prisma.InputJsonValue
  /** Derived from the business key (run + step), so a retried append is a no-op. */
  idempotencyKey: string
}

type EventWriter = Pick<Database, 'invoiceEvent'>

/**
 * Appends an event to the invoice's history. The table is append-only (a trigger refuses
 * UPDATE and DELETE); a second append with the same idempotency key is ignored, so activities
 * that append can be retried safely. Returns whether this call wrote it.
 */
export async function appendEvent(db: EventWriter, event: InvoiceEventInput): Promise<boolean> {
  const { count } = await db.invoiceEvent.createMany({
    data: [
      {
        workflowId: event.workflowId,
        workflowRunId: event.workflowRunId,
        invoiceId: event.invoiceId ?? null,
        type: event.type,
        actor: event.actor,
        payload: event.payload ?? {},
        idempotencyKey: event.idempotencyKey,
      },
    ],
    skipDuplicates: true,
  })
  return count === 1
}

/** Whether an event with this key is already recorded (the step it marks is done). */
export async function hasEvent(db: EventWriter, idempotencyKey: string): Promise<boolean> {
  return (await db.invoiceEvent.count({ where: { idempotencyKey } })) > 0
}
