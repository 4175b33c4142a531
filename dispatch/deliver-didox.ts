import type { DidoxClient, DidoxDocumentSummary, DidoxSigner } from '../clients/didox.js'
import type { Database } from '../lib/database.js'
import { ERROR_TYPES } from '../lib/error-types.js'
import { PermanentError } from '../lib/permanent-error.js'
import { buildEsfParty, type PartyDetails } from './build-esf-party.js'
import { buildEsf, type EsfBody, type EsfCatalog, type EsfInvoice } from './build-esf.js'
import {
  findReference,
  markReferenceDone,
  markReferenceFailed,
  markReferencePending,
  readDetails,
  type ReferenceDetails,
  type ReferenceKey,
} from './external-reference.js'
import { withAdvisoryLock } from './with-advisory-lock.js'

/** What an ESF needs from a finalized invoice: the ESF's own fields, plus whose and in what currency. */
export interface DidoxInvoice extends EsfInvoice {
  invoiceId: string
  /** ESF amounts are in UZS. */
  currency: string
}

export interface CreateDidoxDraftInput {
  db: Database
  didox: DidoxClient
  invoice: DidoxInvoice
  /** The customer (CDM) as snapshotted on the invoice. */
  buyer: PartyDetails
  /** The seller (settings) as snapshotted on the invoice. */
  seller: PartyDetails
  /** IKPU catalog entry of the lines; DEFAULT_ESF_CATALOG when omitted. */
  catalog?: EsfCatalog
  /** The signing agent from DIDOX_SIGNER_URL; null or omitted = a person signs in Didox. */
  signer?: DidoxSigner | null
  /** Advisory lock timing (tests shorten it). */
  lock?: { waitMs?: number; holdMs?: number }
}

export interface DidoxDraftResult {
  documentId: string
  /** True once the document is signed and sent (by the signer now, or earlier by anyone). */
  signed: boolean
}

export type DidoxStatusMeaning =
  | 'draft'
  | 'waiting_partner'
  | 'waiting_us'
  | 'accepted'
  | 'rejected'
  | 'deleted'
  | 'waiting_agent'
  | 'signed_by_agent'
  | 'invalid'
  | 'annulled'

/** Didox document status codes. */
export const DIDOX_STATUS_MEANINGS: Readonly<Record<number, DidoxStatusMeaning>> = Object.freeze({
  0: 'draft',
  1: 'waiting_partner',
  2: 'waiting_us',
  3: 'accepted',
  4: 'rejected',
  5: 'deleted',
  6: 'waiting_agent',
  8: 'signed_by_agent',
  40: 'invalid',
  /** Replaced by a corrected ESF (unconfirmed code, external-apis.md). */
  50: 'annulled',
})

/** Statuses of an earlier ESF that a retry adopts: drafts and documents on their way or done. */
export const ADOPTABLE_STATUSES = new Set([0, 1, 2, 3, 6, 8])

const SYSTEM = 'didox'
const PURPOSE = 'esf'

/**
 * Creates the invoice's ESF draft in Didox, once in effect however often it is retried, and
 * signs it through the configured signing agent when there is one (otherwise a person signs it
 * in Didox). Didox takes no idempotency key and no field of ours, so: the ExternalReference row
 * is written `pending` before the create and gets the `_id` right after; a retry re-uses a
 * stored id, and otherwise looks for an ESF with the invoice number (drafts first) and adopts
 * it before creating. The buyer's TIN is checked with the tax service first, so an unknown
 * buyer stops the step with a clear reason instead of a Didox validation error. One attempt
 * per invoice at a time (advisory lock), so an attempt that overran its timeout cannot race
 * its retry.
 */
export async function createDidoxDraft(input: CreateDidoxDraftInput): Promise<DidoxDraftResult> {
  const { db, didox, invoice } = input
  const key: ReferenceKey = { invoiceId: invoice.invoiceId, system: SYSTEM, purpose: PURPOSE }
  const buyerTin = checkDeliverable(invoice, input.buyer)

  return withAdvisoryLock(db, { name: `didox:${invoice.invoiceId}`, ...input.lock }, async () => {
    const reference = await findReference(db, key)
    let documentId: string
    if (reference?.status === 'done' && reference.externalId !== null) {
      documentId = reference.externalId
      if (readDetails(reference).signed === true || !input.signer) return { documentId, signed: readDetails(reference).signed === true }
    } else {
      documentId = await createOrAdopt({ ...input, key, buyerTin, attempts: readAttempts(reference) + 1 })
    }
    if (!input.signer) return { documentId, signed: false }
    return signDraft({ db, didox, signer: input.signer, key, documentId })
  })
}

/**
 * The document's Didox status: the workflow polls this (days are normal) until the buyer
 * accepts (3) or rejects (4).
 */
export async function readDidoxStatus(input: { didox: DidoxClient; documentId: string }): Promise<{ code: number; meaning: DidoxStatusMeaning; comment: string | null }> {
  const document = await input.didox.getDocument(input.documentId)
  const meaning = DIDOX_STATUS_MEANINGS[document.docStatus]
  if (meaning === undefined) {
    throw new PermanentError(ERROR_TYPES.didoxRejected, `Didox reports status ${document.docStatus} for document ${input.documentId}, a code this app does not know`)
  }
  return { code: document.docStatus, meaning, comment: document.comment }
}

async function createOrAdopt(input: CreateDidoxDraftInput & { key: ReferenceKey; buyerTin: string; attempts: number }): Promise<string> {
  const { db, didox, invoice, key } = input
  const body = await buildEsfBody({ didox, invoice, seller: input.seller, buyer: input.buyer, buyerTin: input.buyerTin, catalog: input.catalog })

  const earlier = await findEarlierEsf(didox, invoice.number, input.buyerTin)
  if (earlier !== null) {
    const documentId = earlier.documentId.toLowerCase()
    await markReferenceDone(db, key, documentId, { number: invoice.number, adopted: true, status: earlier.docStatus, signed: earlier.docStatus !== 0 })
    return documentId
  }

  await markReferencePending(db, key, { number: invoice.number, attempts: input.attempts })
  try {
    const created = await didox.createInvoiceDraft(body)
    const documentId = created.documentId.toLowerCase()
    await markReferenceDone(db, key, documentId, { number: invoice.number, adopted: false, createdDate: created.createdDate, signed: false })
    return documentId
  } catch (error) {
    if (error instanceof PermanentError) await markReferenceFailed(db, key, { number: invoice.number, error: error.message })
    throw error
  }
}

/**
 * The ESF body of a document (an invoice, or a credit note's corrected or additional ESF): the
 * buyer's TIN checked with the tax service first, so an unknown buyer stops the step with a clear
 * reason instead of a Didox validation error; the parties completed from the tax service.
 */
export async function buildEsfBody(input: { didox: DidoxClient; invoice: EsfInvoice; seller: PartyDetails; buyer: PartyDetails; buyerTin: string; catalog?: EsfCatalog | undefined }): Promise<EsfBody> {
  const { didox, invoice } = input
  const buyerInfo = await didox.getCompanyInfo(input.buyerTin)
  if (buyerInfo === null) {
    throw new PermanentError(ERROR_TYPES.didoxRejected, `the tax service does not know the buyer's TIN ${input.buyerTin} (invoice ${invoice.number}): correct the customer's TIN or deliver by e-mail`)
  }
  const sellerTin = resolveSellerTin(input.seller, didox.taxId)
  const sellerInfo = await didox.getCompanyInfo(sellerTin)
  return buildEsf({
    invoice,
    seller: buildEsfParty({ ...input.seller, tin: sellerTin }, sellerInfo),
    buyer: buildEsfParty(input.buyer, buyerInfo),
    catalog: input.catalog,
  })
}

/** An ESF with this number for this buyer, drafts first (Didox lists drafts only when asked). */
export async function findEarlierEsf(didox: DidoxClient, number: string, buyerTin: string): Promise<DidoxDocumentSummary | null> {
  for (const status of [0, null]) {
    const found = (await didox.listDocuments({ name: number, status })).filter(
      (d) =>
        d.name === number &&
        (d.doctype === null || d.doctype === '002') &&
        (d.partnerTin === null || d.partnerTin === buyerTin) &&
        ADOPTABLE_STATUSES.has(d.docStatus),
    )
    if (found.length > 0) return [...found].sort((a, b) => a.documentId.localeCompare(b.documentId))[0]!
  }
  return null
}

export async function signDraft(input: { db: Database; didox: DidoxClient; signer: DidoxSigner; key: ReferenceKey; documentId: string }): Promise<DidoxDraftResult> {
  const { db, didox, key, documentId } = input
  const document = await didox.getDocument(documentId)
  if (document.docStatus === 0) {
    const signature = await input.signer.sign({ documentId, document: document.json })
    await didox.signDocument(documentId, signature)
  }
  const signed = document.docStatus !== 5
  const reference = await findReference(db, key)
  const details = reference === null ? {} : (readDetails(reference) as ReferenceDetails)
  await markReferenceDone(db, key, documentId, { ...details, signed })
  return { documentId, signed }
}

/** Didox delivers Uzbek e-invoices: UZS amounts to a buyer with a TIN. */
export function checkDeliverable(invoice: DidoxInvoice, buyer: PartyDetails): string {
  if (invoice.currency !== 'UZS') {
    throw new PermanentError(
      ERROR_TYPES.invalidInput,
      `invoice ${invoice.number} is in ${invoice.currency}; an ESF carries UZS amounts (conversion at the Central Bank rate is not supported): deliver it by e-mail`,
    )
  }
  const tin = buyer.tin?.trim() ?? ''
  if (!/^\d{9}$/.test(tin)) {
    throw new PermanentError(ERROR_TYPES.invalidInput, `invoice ${invoice.number}: the buyer has no 9-digit TIN (${JSON.stringify(buyer.tin)}), so Didox cannot deliver it`)
  }
  return tin
}

/** The ESF's seller is the company signed in to Didox; settings that name another are wrong. */
function resolveSellerTin(seller: PartyDetails, didoxTaxId: string): string {
  const configured = seller.tin?.trim() ?? ''
  if (configured !== '' && configured !== didoxTaxId) {
    throw new PermanentError(
      ERROR_TYPES.invalidSettings,
      `the seller's TIN in settings (${configured}) is not the Didox login DIDOX_TAX_ID (${didoxTaxId}): Didox only accepts ESFs of the signed-in company`,
    )
  }
  return didoxTaxId
}

function readAttempts(reference: Awaited<ReturnType<typeof findReference>>): number {
  const attempts = reference === null ? 0 : readDetails(reference).attempts
  return typeof attempts === 'number' ? attempts : 0
}
