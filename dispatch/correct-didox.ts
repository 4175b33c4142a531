import { Dec } from '../billing/decimal.js'
import type { PreviewLine } from '../billing/types.js'
import { DidoxRejectedError, type DidoxClient, type DidoxSigner } from '../clients/didox.js'
import type { CreditNoteLine } from '../credit-notes/compute-credit-note.js'
import type { Database } from '../lib/database.js'
import { ERROR_TYPES } from '../lib/error-types.js'
import { PermanentError } from '../lib/permanent-error.js'
import type { PartyDetails } from './build-esf-party.js'
import type { EsfBody, EsfCatalog, EsfInvoice, EsfSourceLine } from './build-esf.js'
import { ADOPTABLE_STATUSES, buildEsfBody, checkDeliverable, DIDOX_STATUS_MEANINGS, findEarlierEsf, signDraft } from './deliver-didox.js'
import { findReference, markReferenceDone, markReferencePending, readDetails, type ReferenceKey } from './external-reference.js'
import { withAdvisoryLock } from './with-advisory-lock.js'

/** How a credit note reaches the buyer's tax cabinet. */
export type DidoxCorrectionMode = 'cancel' | 'corrected' | 'additional'

export interface DidoxCreditNote {
  creditNoteId: string
  number: string
  /** yyyy-MM-dd */
  issueDate: string
  kind: 'partial' | 'void'
  correction: 'error' | 'terms'
  lines: CreditNoteLine[]
  subtotal: string
  vatAmount: string
}

export interface CorrectDidoxInput {
  db: Database
  didox: DidoxClient
  creditNote: DidoxCreditNote
  /** The credited invoice as it was sent (the ESF fields), its lines, and every numbered credit note of it (this one included). */
  invoice: EsfInvoice & { invoiceId: string; currency: string; previewLines: PreviewLine[]; creditNotes: { lines: CreditNoteLine[]; subtotal: string; vatAmount: string }[] }
  buyer: PartyDetails
  seller: PartyDetails
  catalog?: EsfCatalog
  signer?: DidoxSigner | null
  lock?: { waitMs?: number; holdMs?: number }
}

export interface DidoxCorrection {
  mode: DidoxCorrectionMode
  /** The document the workflow then follows: the original (cancel) or the new ESF. */
  documentId: string
  detail: string
}

/** The original's statuses in which the buyer has not signed it: the seller may still cancel it. */
const UNSIGNED = new Set([0, 1, 2, 6])
const SIGNED = new Set([3, 8])

/**
 * Delivers a credit note through Didox, once in effect (external-apis.md, "Cancelling and
 * correcting"; ПКМ 489): an ESF the buyer has not signed is cancelled (void only: a partial
 * correction of an unsigned ESF waits for the buyer's signature, then retry); a signed one is
 * never changed: a corrected ESF (FacturaType 4: the invoice as it should have been) replaces it
 * for an error, an additional ESF (FacturaType 1: the difference, negative) records changed
 * terms, an amount credit or a void. Both carry OldFacturaDoc. Like the invoice's ESF: the
 * reference is written before the create and the new `_id` right after; a retry adopts an ESF
 * already made under the credit note's number.
 */
export async function correctDidoxInvoice(input: CorrectDidoxInput): Promise<DidoxCorrection> {
  const { db, didox, creditNote, invoice } = input
  const key: ReferenceKey = { invoiceId: invoice.invoiceId, system: 'didox', purpose: `credit-note:${creditNote.creditNoteId}` }
  const original = await findReference(db, { invoiceId: invoice.invoiceId, system: 'didox', purpose: 'esf' })
  if (original?.status !== 'done' || !original.externalId) {
    throw new PermanentError(ERROR_TYPES.didoxRejected, `invoice ${invoice.number} has no e-invoice in Didox (its step was skipped): deliver the credit note by hand and skip this step`)
  }
  const originalId = original.externalId
  const buyerTin = checkDeliverable(invoice, input.buyer)

  return withAdvisoryLock(db, { name: `didox:${invoice.invoiceId}`, ...input.lock }, async () => {
    const known = await findReference(db, key)
    const details = known ? readDetails(known) : {}
    if (known?.status === 'done' && known.externalId) {
      const done = { mode: details.mode as DidoxCorrectionMode, documentId: known.externalId, detail: String(details.detail ?? '') }
      // Created by an earlier attempt whose signing failed: sign it now, as the invoice's ESF step does.
      if (done.mode !== 'cancel' && details.signed !== true && input.signer) await signDraft({ db, didox, signer: input.signer, key, documentId: done.documentId })
      return done
    }
    const mode = (details.mode as DidoxCorrectionMode | undefined) ?? (await chooseMode(didox, originalId, input))
    if (mode === 'cancel') return cancelOriginal({ ...input, key, originalId })
    return sendCorrection({ ...input, key, originalId, mode, buyerTin, attempts: typeof details.attempts === 'number' ? details.attempts + 1 : 1 })
  })
}

async function chooseMode(didox: DidoxClient, originalId: string, input: CorrectDidoxInput): Promise<DidoxCorrectionMode> {
  const { creditNote, invoice } = input
  const status = (await didox.getDocument(originalId)).docStatus
  const meaning = DIDOX_STATUS_MEANINGS[status] ?? `status ${status}`
  if (UNSIGNED.has(status)) {
    if (creditNote.kind === 'void') return 'cancel'
    throw new PermanentError(
      ERROR_TYPES.didoxRejected,
      `the buyer has not signed e-invoice ${originalId} of ${invoice.number} yet (${meaning}): a partial correction is sent once it is signed (retry then), or void the invoice to cancel the e-invoice`,
    )
  }
  if (status === 50) {
    // A corrected ESF replaced it: chaining corrections is not done here (docs/external-systems.md).
    throw new PermanentError(ERROR_TYPES.didoxRejected, `e-invoice ${originalId} of ${invoice.number} was replaced by a corrected ESF (annulled): send this correction in Didox by hand against the corrected ESF, then skip this step`)
  }
  if (!SIGNED.has(status)) throw new PermanentError(ERROR_TYPES.didoxRejected, `e-invoice ${originalId} of ${invoice.number} is ${meaning}: there is nothing to correct in Didox; skip this step`)
  return correctedLines(input) === null ? 'additional' : 'corrected'
}

/** Asks Didox to cancel the unsigned original; the deletion is signed now (a signer) or by a person in Didox. */
async function cancelOriginal(input: CorrectDidoxInput & { key: ReferenceKey; originalId: string }): Promise<DidoxCorrection> {
  const { db, didox, key, originalId, creditNote } = input
  await markReferencePending(db, key, { mode: 'cancel', originalId })
  try {
    await didox.requestCancel(originalId)
  } catch (error) {
    if (!(error instanceof DidoxRejectedError && error.status === 422)) throw error
    // An earlier attempt's signed delete went through and its answer was lost: the cancellation is done.
    if ((await didox.getDocument(originalId)).docStatus !== 5) {
      throw new PermanentError(ERROR_TYPES.didoxRejected, `Didox refused to cancel e-invoice ${originalId} (${error.message}): the buyer may have signed it meanwhile; skip this step and issue a further credit note`)
    }
  }
  if (input.signer) {
    const document = await didox.getDocument(originalId)
    if (document.docStatus !== 5) await didox.deleteDocument(originalId, await input.signer.sign({ documentId: originalId, document: document.json }))
  }
  const detail = `${creditNote.number}: e-invoice ${originalId} cancelled${input.signer ? ' (deletion signed)' : ' (the deletion waits for a signature in Didox)'}`
  await markReferenceDone(db, key, originalId, { mode: 'cancel', originalId, detail })
  return { mode: 'cancel', documentId: originalId, detail }
}

async function sendCorrection(input: CorrectDidoxInput & { key: ReferenceKey; originalId: string; mode: 'corrected' | 'additional'; buyerTin: string; attempts: number }): Promise<DidoxCorrection> {
  const { db, didox, key, creditNote, invoice, mode } = input
  const esfInvoice = mode === 'corrected' ? correctedInvoice(input) : additionalInvoice(input)
  const built = await buildEsfBody({ didox, invoice: esfInvoice, seller: input.seller, buyer: input.buyer, buyerTin: input.buyerTin, catalog: input.catalog })
  const body = {
    ...(mode === 'additional' ? negate(built) : built),
    FacturaType: mode === 'corrected' ? 4 : 1,
    OldFacturaDoc: { OldFacturaId: input.originalId, OldFacturaNo: invoice.number, OldFacturaDate: invoice.issueDate },
  }
  const label = mode === 'corrected' ? 'corrected ESF (FacturaType 4)' : 'additional ESF (FacturaType 1)'
  let documentId: string
  const earlier = await findEarlierEsf(didox, creditNote.number, input.buyerTin)
  if (earlier !== null && ADOPTABLE_STATUSES.has(earlier.docStatus)) {
    documentId = earlier.documentId.toLowerCase()
  } else {
    await markReferencePending(db, key, { mode, originalId: input.originalId, attempts: input.attempts })
    documentId = (await didox.createInvoiceDraft(body)).documentId.toLowerCase()
  }
  const detail = `${creditNote.number}: ${label} ${documentId} to e-invoice ${input.originalId}`
  await markReferenceDone(db, key, documentId, { mode, originalId: input.originalId, detail, signed: false })
  if (input.signer) await signDraft({ db, didox, signer: input.signer, key, documentId })
  return { mode, documentId, detail }
}

/**
 * The invoice's lines as they should have been: each line's billed hours and amount less what the
 * credit notes took from it. Null when that cannot be said line by line (an amount credit, an
 * amount cap, a line credited in full everywhere): the correction is then an additional ESF.
 */
export function correctedLines(input: Pick<CorrectDidoxInput, 'creditNote' | 'invoice'>): EsfSourceLine[] | null {
  const { creditNote, invoice } = input
  if (creditNote.kind === 'void' || creditNote.correction !== 'error') return null
  const credits = invoice.creditNotes.flatMap((c) => c.lines)
  if (credits.some((l) => l.lineId === null) || invoice.previewLines.some((l) => l.kind === 'cap' && l.appliesToLineId === null)) return null
  const lines: EsfSourceLine[] = []
  for (const line of invoice.previewLines.filter((l) => l.kind !== 'cap')) {
    const caps = invoice.previewLines.filter((l) => l.kind === 'cap' && l.appliesToLineId === line.lineId)
    const taken = credits.filter((c) => c.lineId === line.lineId)
    const amount = caps.reduce((a, c) => a.plus(c.amount), new Dec(line.amount)).minus(taken.reduce((a, c) => a.plus(c.amount), new Dec(0)))
    const quantity = caps.reduce((q, c) => q.plus(c.quantity), new Dec(line.quantity)).minus(taken.filter((c) => c.unit === line.unit).reduce((q, c) => q.plus(c.quantity), new Dec(0)))
    if (amount.lte(0)) continue
    lines.push({ lineId: line.lineId, kind: line.kind, description: line.description, quantity: quantity.gt(0) ? quantity.toString() : '1', rate: line.rate, amount: amount.toFixed(2), appliesToLineId: null })
  }
  return lines.length > 0 ? lines : null
}

function correctedInvoice(input: CorrectDidoxInput): EsfInvoice {
  const { creditNote, invoice } = input
  const sum = (pick: (c: { subtotal: string; vatAmount: string }) => string) => invoice.creditNotes.reduce((s, c) => s.plus(pick(c)), new Dec(0))
  return {
    ...invoice,
    number: creditNote.number,
    issueDate: creditNote.issueDate,
    subtotal: new Dec(invoice.subtotal).minus(sum((c) => c.subtotal)).toFixed(2),
    vatAmount: new Dec(invoice.vatAmount).minus(sum((c) => c.vatAmount)).toFixed(2),
    lines: correctedLines(input)!,
  }
}

function additionalInvoice(input: CorrectDidoxInput): EsfInvoice {
  const { creditNote, invoice } = input
  return {
    ...invoice,
    number: creditNote.number,
    issueDate: creditNote.issueDate,
    subtotal: creditNote.subtotal,
    vatAmount: creditNote.vatAmount,
    lines: creditNote.lines.map((l, i) => ({ lineId: l.lineId ?? `credit:${i}`, kind: 'manual', description: l.description, quantity: l.quantity, rate: l.rate, amount: l.amount, appliesToLineId: null })),
  }
}

/** An additional ESF that lowers the amounts: the same products with negative sums (counts stay positive). */
function negate(body: EsfBody): EsfBody {
  const minus = (value: string) => (value === '0.00' || value.startsWith('-') ? value : `-${value}`)
  return {
    ...body,
    ProductList: {
      ...body.ProductList,
      Products: body.ProductList.Products.map((p) => ({ ...p, Summa: minus(p.Summa), DeliverySum: minus(p.DeliverySum), VatSum: minus(p.VatSum), DeliverySumWithVat: minus(p.DeliverySumWithVat) })),
    },
  }
}
