import type { InvoiceSignalRequest, Prisma } from '../generated/prisma/client.js'
import type { Database } from '../lib/database.js'
import { appendEvent } from './append-event.js'

export type SignalRequestRow = InvoiceSignalRequest

export interface SignalRequestInput {
  workflowId: string
  workflowRunId: string
  signal: string
  args: Prisma.InputJsonValue
  actor: string
}

/**
 * Records a signal to deliver. When the caller asks to hold it (`leaseMs` not null) and its
 * invoice has no other pending request, the caller holds it for `leaseMs` (`claimed`) and
 * delivers it at once; otherwise it waits its turn for the sweep. Either way, if the caller
 * dies, the lease runs out and any relay takes it.
 */
export async function insertSignalRequest(db: Database, input: SignalRequestInput, leaseMs: number | null): Promise<{ request: SignalRequestRow; claimed: boolean }> {
  const id = crypto.randomUUID()
  const [row] = await db.$queryRaw<{ claimed_until: Date | null; requested_at: Date }[]>`
    INSERT INTO invoice_signal_requests (id, workflow_id, workflow_run_id, signal, args, actor, attempts, claimed_until)
    SELECT ${id}::uuid, ${input.workflowId}, ${input.workflowRunId}, ${input.signal}, ${JSON.stringify(input.args)}::jsonb, ${input.actor},
           CASE WHEN head THEN 1 ELSE 0 END, CASE WHEN head THEN now() + make_interval(secs => ${(leaseMs ?? 0) / 1000}) END
      FROM (SELECT ${leaseMs !== null} AND NOT EXISTS (SELECT 1 FROM invoice_signal_requests WHERE workflow_id = ${input.workflowId} AND status = 'pending') AS head) AS turn
    RETURNING claimed_until, requested_at`
  const claimed = row!.claimed_until !== null
  return {
    request: { id, ...input, args: input.args as Prisma.JsonValue, status: 'pending', attempts: claimed ? 1 : 0, claimedUntil: row!.claimed_until, lastError: null, requestedAt: row!.requested_at, deliveredAt: null },
    claimed,
  }
}

/**
 * Claims, for `leaseMs`, the oldest pending request of up to `limit` invoices, skipping an invoice whose oldest pending request someone else
 * holds or is waiting to retry: an invoice's signals reach it one at a time, in the order
 * they were accepted. SKIP LOCKED lets several processes claim side by side; the outer
 * conditions are checked again on the locked row, so a request that was just delivered or
 * claimed is not taken.
 */
export async function claimSignalRequests(db: Database, limit: number, leaseMs: number): Promise<SignalRequestRow[]> {
  const ids = await db.$queryRaw<{ id: string }[]>`
    UPDATE invoice_signal_requests
       SET claimed_until = now() + make_interval(secs => ${leaseMs / 1000}), attempts = attempts + 1
     WHERE id IN (
       SELECT r.id FROM invoice_signal_requests r
        WHERE r.id IN (SELECT DISTINCT ON (workflow_id) id FROM invoice_signal_requests
                        WHERE status = 'pending'
                        ORDER BY workflow_id, requested_at, id)
          AND r.status = 'pending' AND (r.claimed_until IS NULL OR r.claimed_until < now())
        ORDER BY r.requested_at
        LIMIT ${limit}
          FOR UPDATE SKIP LOCKED)
    RETURNING id`
  if (ids.length === 0) return []
  return db.invoiceSignalRequest.findMany({ where: { id: { in: ids.map((row) => row.id) } }, orderBy: { requestedAt: 'asc' } })
}

export async function markSignalDelivered(db: Database, id: string): Promise<void> {
  await db.invoiceSignalRequest.update({ where: { id }, data: { status: 'delivered', deliveredAt: new Date(), claimedUntil: null, lastError: null } })
}

/** Leaves the request pending, to be tried again once `retryInMs` has passed. */
export async function deferSignalRequest(db: Database, id: string, error: string, retryInMs: number): Promise<void> {
  await db.invoiceSignalRequest.update({ where: { id }, data: { lastError: error, claimedUntil: new Date(Date.now() + retryInMs) } })
}

/**
 * Gives up on a request Temporal will never take (the run has ended), and says so in the
 * invoice's history, in one transaction, so the person who sent it can see why nothing happened.
 */
export async function failSignalRequest(db: Database, request: SignalRequestRow, error: string): Promise<void> {
  await db.$transaction(async (tx) => {
    await tx.invoiceSignalRequest.update({ where: { id: request.id }, data: { status: 'failed', lastError: error, claimedUntil: null } })
    await appendEvent(tx, {
      workflowId: request.workflowId,
      workflowRunId: request.workflowRunId,
      type: 'signal_undelivered',
      actor: request.actor,
      payload: { signal: request.signal, signalRequestId: request.id, error },
      idempotencyKey: `signal-request:${request.id}:undelivered`,
    })
  })
}

/** Signals accepted for an invoice and not yet handed to Temporal, oldest first. */
export function readPendingSignalRequests(db: Database, workflowId: string): Promise<SignalRequestRow[]> {
  return db.invoiceSignalRequest.findMany({ where: { workflowId, status: 'pending' }, orderBy: { requestedAt: 'asc' } })
}
