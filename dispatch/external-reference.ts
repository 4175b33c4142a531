import type { ExternalReference, Prisma } from '../generated/prisma/client.js'
import type { Database } from '../lib/database.js'

/**
 * The ExternalReference row of one dispatch step: what an external system knows the invoice
 * as. Written `pending` before the remote call and `done` with the remote id after, so a retry
 * knows whether the remote call may already have happened.
 */
export interface ReferenceKey {
  invoiceId: string
  /** planfact | r2 | didox | email */
  system: string
  /** e.g. "operation", "esf" */
  purpose: string
}

export type ReferenceDetails = Record<string, Prisma.InputJsonValue | null>

type ReferenceDb = Pick<Database, 'externalReference'>

const unique = (key: ReferenceKey) => ({ invoiceId_system_purpose: key })

/** Reads the step's reference, or null when the step never got as far as the remote call. */
export async function findReference(db: ReferenceDb, key: ReferenceKey): Promise<ExternalReference | null> {
  return db.externalReference.findUnique({ where: unique(key) })
}

/** Records that the remote call is about to be made (kept if it was already pending or failed). */
export async function markReferencePending(db: ReferenceDb, key: ReferenceKey, details: ReferenceDetails): Promise<ExternalReference> {
  return db.externalReference.upsert({
    where: unique(key),
    create: { ...key, status: 'pending', details },
    update: { status: 'pending', details },
  })
}

/** Records the remote id: from now on retries return it instead of calling again. */
export async function markReferenceDone(db: ReferenceDb, key: ReferenceKey, externalId: string, details: ReferenceDetails): Promise<ExternalReference> {
  return db.externalReference.upsert({
    where: unique(key),
    create: { ...key, status: 'done', externalId, details },
    update: { status: 'done', externalId, details },
  })
}

/** Records why the remote system refused, for the operator; a later retry starts over. */
export async function markReferenceFailed(db: ReferenceDb, key: ReferenceKey, details: ReferenceDetails): Promise<ExternalReference> {
  return db.externalReference.upsert({
    where: unique(key),
    create: { ...key, status: 'failed', details },
    update: { status: 'failed', details },
  })
}

/** The stored details as a plain object (they are always written as one). */
export function readDetails(reference: ExternalReference): Record<string, unknown> {
  const details = reference.details
  return typeof details === 'object' && details !== null && !Array.isArray(details) ? (details as Record<string, unknown>) : {}
}
