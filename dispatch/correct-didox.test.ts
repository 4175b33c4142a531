import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { PreviewLine } from '../billing/types.js'
import { createDidoxClient, createDidoxSigner, DidoxTokenCache, DidoxUnavailableError, type DidoxClient, type DidoxSigner } from '../clients/didox.js'
import type { CreditNoteLine } from '../credit-notes/compute-credit-note.js'
import { startDidoxFake, type DidoxFake, type FakeDocument } from '../fakes/didox-server.js'
import { startSignerFake, type SignerFake } from '../fakes/signer-server.js'
import { createDatabase } from '../lib/database.js'
import { PermanentError } from '../lib/permanent-error.js'
import { testDatabaseUrl } from '../test-support/env.js'
import { createTestInvoice } from '../test-support/test-invoice.js'
import type { PartyDetails } from './build-esf-party.js'
import { correctDidoxInvoice, type CorrectDidoxInput, type DidoxCreditNote } from './correct-didox.js'
import { createDidoxDraft, readDidoxStatus } from './deliver-didox.js'

const PARTNER = 'test-partner-token'
const TAX_ID = '305123456'
const PASSWORD = 'correct-horse'
const BUYER_TIN = '307458219'
const db = createDatabase(testDatabaseUrl())

let fake: DidoxFake
let signerFake: SignerFake
let didox: DidoxClient
let signer: DidoxSigner

beforeAll(async () => {
  fake = await startDidoxFake({ partnerToken: PARTNER, taxId: TAX_ID, password: PASSWORD })
  signerFake = await startSignerFake()
  signer = createDidoxSigner({ url: signerFake.url })
})
afterAll(async () => {
  await fake.close()
  await signerFake.close()
  await db.$disconnect()
})
beforeEach(() => {
  fake.reset()
  signerFake.setBehavior({ failWith: null })
  signerFake.state.signed = []
  signerFake.state.requests = 0
  didox = createDidoxClient({ url: fake.url, partnerToken: PARTNER, taxId: TAX_ID, password: PASSWORD, locale: 'ru', timeoutMs: 2_000, tokenCache: new DidoxTokenCache() })
})

const SELLER: PartyDetails = {
  tin: TAX_ID,
  name: 'Example Software',
  legalName: '"EXAMPLE SOFTWARE" MCHJ',
  bankAccount: '20208000900100001001',
  mfo: '00401',
  address: 'Tashkent, Amir Temur 1',
  director: 'KARIMOV AZIZ',
  accountant: 'RASULOVA DILNOZA',
  vatRegCode: '326010000001',
}
const BUYER: PartyDetails = {
  tin: BUYER_TIN,
  name: 'Navlogistics',
  legalName: '"NAVLOGISTICS" MCHJ',
  bankAccount: '20208000400308125001',
  mfo: '00974',
  address: 'Tashkent, Fidoyilar 5',
  director: 'ALIMOV BOBUR',
  accountant: 'YUSUPOVA MALIKA',
  vatRegCode: '326040002521',
}

/** 12.50 h of development at 150 000 and a support fee of 2 000 000: 3 875 000 + 12 % VAT. */
const PREVIEW_LINES: PreviewLine[] = [
  {
    lineId: 'time:Development',
    kind: 'time',
    category: 'Development',
    description: 'Development, October 2026',
    quantity: '12.50',
    unit: 'hour',
    rate: '150000.00',
    amount: '1875000.00',
    explanation: '12.50 h x 150 000',
    rateRuleId: null,
    appliesToLineId: null,
    reason: null,
  },
  {
    lineId: 'fee',
    kind: 'fee',
    category: null,
    description: 'Support fee, October 2026',
    quantity: '1.00',
    unit: 'month',
    rate: '2000000.00',
    amount: '2000000.00',
    explanation: 'monthly fee',
    rateRuleId: null,
    appliesToLineId: null,
    reason: null,
  },
]

type CreditedInvoice = CorrectDidoxInput['invoice']

interface Original {
  invoice: Omit<CreditedInvoice, 'creditNotes'>
  documentId: string
}

/** A finalized UZS invoice whose ESF was created (and, with `send`, signed and sent: status 1) through createDidoxDraft. */
async function deliveredInvoice(options: { send?: boolean } = {}): Promise<Original> {
  const row = await createTestInvoice(db, { currency: 'UZS', subtotal: '3875000.00', vatAmount: '465000.00', total: '4340000.00' })
  const invoice: Omit<CreditedInvoice, 'creditNotes'> = {
    invoiceId: row.invoiceId,
    number: row.number,
    issueDate: row.issueDate,
    currency: 'UZS',
    contractNumber: 'NLS-2025/112',
    contractDate: '2025-09-22',
    vatRate: '12',
    subtotal: '3875000.00',
    vatAmount: '465000.00',
    lines: PREVIEW_LINES.map((l) => ({ lineId: l.lineId, kind: l.kind, description: l.description, quantity: l.quantity, rate: l.rate, amount: l.amount, appliesToLineId: l.appliesToLineId })),
    previewLines: PREVIEW_LINES,
  }
  const created = await createDidoxDraft({ db, didox, invoice, buyer: BUYER, seller: SELLER, signer: options.send === false ? null : signer })
  expect(document(created.documentId).doc_status).toBe(options.send === false ? 0 : 1)
  return { invoice, documentId: created.documentId }
}

/** The original as the buyer signed it (status 3). */
async function signedInvoice(): Promise<Original> {
  const original = await deliveredInvoice()
  fake.signAsBuyer(original.documentId)
  expect(document(original.documentId).doc_status).toBe(3)
  return original
}

function creditNote(overrides: Partial<DidoxCreditNote> = {}): DidoxCreditNote {
  return {
    creditNoteId: randomUUID(),
    number: `CN-${randomUUID().slice(0, 8).toUpperCase()}`,
    issueDate: '2026-11-20',
    kind: 'partial',
    correction: 'error',
    lines: [HOURS_CREDIT],
    subtotal: '375000.00',
    vatAmount: '45000.00',
    ...overrides,
  }
}

/** 2.50 of the 12.50 development hours credited: 375 000 (+ 45 000 VAT). */
const HOURS_CREDIT: CreditNoteLine = { lineId: 'time:Development', description: 'Development, October 2026', quantity: '2.50', unit: 'hour', rate: '150000.00', amount: '375000.00' }
/** The remainder of a void: everything. */
const VOID_LINE: CreditNoteLine = { lineId: null, description: 'Void of the invoice', quantity: '1', unit: 'item', rate: '3875000.00', amount: '3875000.00' }

function input(original: Original, note: DidoxCreditNote, extra: Partial<CorrectDidoxInput> = {}): CorrectDidoxInput {
  return {
    db,
    didox,
    creditNote: note,
    invoice: { ...original.invoice, creditNotes: [{ lines: note.lines, subtotal: note.subtotal, vatAmount: note.vatAmount }] },
    buyer: BUYER,
    seller: SELLER,
    ...extra,
  }
}

function document(documentId: string): FakeDocument {
  const found = fake.state.documents.find((d) => d._id === documentId.toLowerCase())
  if (!found) throw new Error(`the fake has no document ${documentId}`)
  return found
}

/** Documents that refer to an original (FacturaType 1 or 4). */
function corrections(): FakeDocument[] {
  return fake.state.documents.filter((d) => (d.json as { FacturaType: number }).FacturaType !== 0)
}

interface Product {
  Count: number
  Summa: string
  DeliverySum: string
  VatSum: string
  DeliverySumWithVat: string
  Name: string
}

function productsOf(d: FakeDocument): Product[] {
  return (d.json as { ProductList: { Products: Product[] } }).ProductList.Products
}

async function referenceOf(invoiceId: string, creditNoteId: string) {
  return db.externalReference.findUnique({ where: { invoiceId_system_purpose: { invoiceId, system: 'didox', purpose: `credit-note:${creditNoteId}` } } })
}

async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a failure')
    },
    (e: unknown) => e,
  )
}

const CREATE = 'POST /v1/documents/002/create/{locale}'

describe('correctDidoxInvoice: a void before the buyer signed', () => {
  it('cancels the original and signs the deletion with a signer: the document ends deleted (5)', async () => {
    const original = await deliveredInvoice()
    const note = creditNote({ kind: 'void', lines: [VOID_LINE], subtotal: '3875000.00', vatAmount: '465000.00' })
    const signedBefore = signerFake.state.requests

    const result = await correctDidoxInvoice(input(original, note, { signer }))

    expect(result.mode).toBe('cancel')
    expect(result.documentId).toBe(original.documentId)
    expect(document(original.documentId)).toMatchObject({ doc_status: 5, cancelRequested: true })
    expect(fake.state.requests['POST /v1/documents/{id}/tosign']).toBe(1)
    expect(fake.state.requests['POST /v1/documents/{id}/delete']).toBe(1)
    expect(fake.state.requests[CREATE]).toBe(1)
    expect(signerFake.state.requests - signedBefore).toBe(1)
    expect(fake.state.documents).toHaveLength(1)
    expect((await readDidoxStatus({ didox, documentId: result.documentId })).meaning).toBe('deleted')
    expect(await referenceOf(original.invoice.invoiceId, note.creditNoteId)).toMatchObject({
      status: 'done',
      externalId: original.documentId,
      details: { mode: 'cancel', originalId: original.documentId },
    })
  })

  it('without a signer asks for the cancellation and leaves the deletion to a person; a second call changes nothing', async () => {
    const original = await deliveredInvoice()
    const note = creditNote({ kind: 'void', lines: [VOID_LINE], subtotal: '3875000.00', vatAmount: '465000.00' })

    const first = await correctDidoxInvoice(input(original, note))

    expect(first.mode).toBe('cancel')
    expect(first.documentId).toBe(original.documentId)
    expect(first.detail).toContain('waits for a signature in Didox')
    expect(document(original.documentId)).toMatchObject({ doc_status: 1, cancelRequested: true })
    expect(fake.state.requests['POST /v1/documents/{id}/tosign']).toBe(1)
    expect(fake.state.requests['POST /v1/documents/{id}/delete']).toBeUndefined()

    const requestsBefore = { ...fake.state.requests }
    const signerBefore = signerFake.state.requests
    const second = await correctDidoxInvoice(input(original, note))
    expect(second).toEqual(first)
    expect(fake.state.requests).toEqual(requestsBefore)
    expect(signerFake.state.requests).toBe(signerBefore)
    expect(document(original.documentId).doc_status).toBe(1)
  })

  it('finishes a cancellation whose signed delete went through but whose answer was lost', async () => {
    const original = await deliveredInvoice()
    const note = creditNote({ kind: 'void', lines: [VOID_LINE], subtotal: '3875000.00', vatAmount: '465000.00' })
    // Didox deletes the document, then the connection drops before the answer arrives.
    const losing: DidoxClient = {
      ...didox,
      deleteDocument: async (documentId, signature) => {
        await didox.deleteDocument(documentId, signature)
        throw new DidoxUnavailableError('Didox is unreachable (POST /v1/documents/{id}/delete): socket hang up', null)
      },
    }
    expect(await failure(correctDidoxInvoice(input(original, note, { didox: losing, signer })))).toBeInstanceOf(DidoxUnavailableError)
    expect(document(original.documentId).doc_status).toBe(5)

    const result = await correctDidoxInvoice(input(original, note, { signer }))
    expect(result).toMatchObject({ mode: 'cancel', documentId: original.documentId })
    expect(document(original.documentId).doc_status).toBe(5)
    expect(fake.state.requests['POST /v1/documents/{id}/delete']).toBe(1)
    expect(await referenceOf(original.invoice.invoiceId, note.creditNoteId)).toMatchObject({ status: 'done', externalId: original.documentId })
  })
})

describe('correctDidoxInvoice: a signed ESF', () => {
  it('replaces it with a corrected ESF (FacturaType 4) for an error in the hours; the buyer accepting it annuls the original', async () => {
    const original = await signedInvoice()
    const note = creditNote()

    const result = await correctDidoxInvoice(input(original, note, { signer }))

    expect(result.mode).toBe('corrected')
    const [corrected, ...others] = corrections()
    expect(others).toEqual([])
    expect(corrected!._id).toBe(result.documentId)
    expect(corrected!.name).toBe(note.number)
    expect(corrected!.doc_status).toBe(1)
    expect(corrected!.json).toMatchObject({
      FacturaType: 4,
      FacturaDoc: { FacturaNo: note.number, FacturaDate: '2026-11-20' },
      OldFacturaDoc: { OldFacturaId: original.documentId, OldFacturaNo: original.invoice.number, OldFacturaDate: '2026-11-03' },
      SellerTin: TAX_ID,
      BuyerTin: BUYER_TIN,
    })
    // The invoice as it should have been: 10 hours instead of 12.50, the fee unchanged.
    const products = productsOf(corrected!)
    expect(products.map((p) => [p.Name, p.Count, p.Summa, p.DeliverySum, p.VatSum, p.DeliverySumWithVat])).toEqual([
      ['Development, October 2026', 10, '150000.00', '1500000.00', '180000.00', '1680000.00'],
      ['Support fee, October 2026', 1, '2000000.00', '2000000.00', '240000.00', '2240000.00'],
    ])
    const sum = (field: 'DeliverySum' | 'VatSum') => products.reduce((s, p) => s + Number(p[field]), 0)
    expect(sum('DeliverySum')).toBe(3875000 - 375000)
    expect(sum('VatSum')).toBe(465000 - 45000)
    expect(fake.state.requests[CREATE]).toBe(2)
    expect(await referenceOf(original.invoice.invoiceId, note.creditNoteId)).toMatchObject({ status: 'done', externalId: result.documentId, details: { mode: 'corrected', signed: true } })

    fake.signAsBuyer(result.documentId)
    expect(document(result.documentId).doc_status).toBe(3)
    expect(document(original.documentId).doc_status).toBe(50)
    expect((await readDidoxStatus({ didox, documentId: original.documentId })).meaning).toBe('annulled')

    const requestsBefore = { ...fake.state.requests }
    expect(await correctDidoxInvoice(input(original, note, { signer }))).toEqual(result)
    expect(fake.state.requests).toEqual(requestsBefore)
  })

  it('records changed terms as an additional ESF (FacturaType 1) with negative sums; a rejection comes back with its comment', async () => {
    const original = await signedInvoice()
    const note = creditNote({ correction: 'terms' })

    const result = await correctDidoxInvoice(input(original, note, { signer }))

    expect(result.mode).toBe('additional')
    const [additional, ...others] = corrections()
    expect(others).toEqual([])
    expect(additional!._id).toBe(result.documentId)
    expect(additional!.json).toMatchObject({
      FacturaType: 1,
      FacturaDoc: { FacturaNo: note.number, FacturaDate: '2026-11-20' },
      OldFacturaDoc: { OldFacturaId: original.documentId, OldFacturaNo: original.invoice.number, OldFacturaDate: '2026-11-03' },
    })
    expect(productsOf(additional!).map((p) => [p.Name, p.Count, p.Summa, p.DeliverySum, p.VatSum, p.DeliverySumWithVat])).toEqual([
      ['Development, October 2026', 2.5, '-150000.00', '-375000.00', '-45000.00', '-420000.00'],
    ])
    expect(additional!.doc_status).toBe(1)
    // The original stays as it is: an additional ESF records the difference.
    expect(document(original.documentId).doc_status).toBe(3)

    fake.rejectAsBuyer(result.documentId, 'The hours were agreed at 12.50, we do not accept the decrease')
    expect(await readDidoxStatus({ didox, documentId: result.documentId })).toEqual({
      code: 4,
      meaning: 'rejected',
      comment: 'The hours were agreed at 12.50, we do not accept the decrease',
    })
  })

  it('sends an amount credit (no invoice line) of an error as an additional ESF too', async () => {
    const original = await signedInvoice()
    const amountCredit: CreditNoteLine = { lineId: null, description: 'Discount agreed for October', quantity: '1', unit: 'item', rate: '100000.00', amount: '100000.00' }
    const note = creditNote({ lines: [amountCredit], subtotal: '100000.00', vatAmount: '12000.00' })

    const result = await correctDidoxInvoice(input(original, note))

    expect(result.mode).toBe('additional')
    const [additional, ...others] = corrections()
    expect(others).toEqual([])
    expect(additional!.doc_status).toBe(0)
    expect((additional!.json as { FacturaType: number }).FacturaType).toBe(1)
    expect(productsOf(additional!).map((p) => [p.Count, p.Summa, p.DeliverySum, p.VatSum, p.DeliverySumWithVat])).toEqual([[1, '-100000.00', '-100000.00', '-12000.00', '-112000.00']])
  })

  it('refuses a partial credit note while the buyer has not signed: it waits for the signature', async () => {
    const original = await deliveredInvoice()
    const note = creditNote()

    const error = await failure(correctDidoxInvoice(input(original, note, { signer })))

    expect(error).toBeInstanceOf(PermanentError)
    expect((error as PermanentError).type).toBe('DidoxRejected')
    expect((error as Error).message).toContain(`the buyer has not signed e-invoice ${original.documentId}`)
    expect((error as Error).message).toContain('a partial correction is sent once it is signed')
    expect(fake.state.requests[CREATE]).toBe(1)
    expect(fake.state.requests['POST /v1/documents/{id}/tosign']).toBeUndefined()
    expect(document(original.documentId)).toMatchObject({ doc_status: 1, cancelRequested: false })
    expect(await referenceOf(original.invoice.invoiceId, note.creditNoteId)).toBeNull()
  })

  it('makes one corrected ESF when the answer to its create was lost and the step is retried', async () => {
    const original = await signedInvoice()
    const note = creditNote()
    fake.setBehavior({ dropResponsesAfterCreate: 1 })

    const lost = await failure(correctDidoxInvoice(input(original, note)))
    expect(lost).not.toBeInstanceOf(PermanentError)
    expect(await referenceOf(original.invoice.invoiceId, note.creditNoteId)).toMatchObject({ status: 'pending', externalId: null, details: { mode: 'corrected' } })
    expect(corrections()).toHaveLength(1)

    const result = await correctDidoxInvoice(input(original, note))
    expect(result.mode).toBe('corrected')
    expect(corrections().map((d) => d._id)).toEqual([result.documentId])
    expect(fake.state.requests[CREATE]).toBe(2)
    expect(await referenceOf(original.invoice.invoiceId, note.creditNoteId)).toMatchObject({ status: 'done', externalId: result.documentId })
  })

  it('signs the corrected ESF on the retry when the signing agent failed after the create', async () => {
    const original = await signedInvoice()
    const note = creditNote()
    signerFake.setBehavior({ failWith: 503 })
    expect(await failure(correctDidoxInvoice(input(original, note, { signer })))).toBeInstanceOf(DidoxUnavailableError)
    expect(corrections()).toHaveLength(1)
    expect(corrections()[0]!.doc_status).toBe(0)

    signerFake.setBehavior({ failWith: null })
    const result = await correctDidoxInvoice(input(original, note, { signer }))
    expect(result.mode).toBe('corrected')
    expect(corrections().map((d) => [d._id, d.doc_status])).toEqual([[result.documentId, 1]])
    expect(signerFake.state.signed.filter((id) => id === result.documentId)).toHaveLength(1)
    expect(await referenceOf(original.invoice.invoiceId, note.creditNoteId)).toMatchObject({ status: 'done', details: { signed: true } })
  })

  it('makes one additional ESF when the answer to its create was lost and the step is retried', async () => {
    const original = await signedInvoice()
    const note = creditNote({ correction: 'terms' })
    fake.setBehavior({ dropResponsesAfterCreate: 1 })

    expect(await failure(correctDidoxInvoice(input(original, note, { signer })))).not.toBeInstanceOf(PermanentError)
    const result = await correctDidoxInvoice(input(original, note, { signer }))

    expect(result.mode).toBe('additional')
    expect(corrections().map((d) => d._id)).toEqual([result.documentId])
    expect(document(result.documentId).doc_status).toBe(1)
    expect(signerFake.state.signed.filter((id) => id === result.documentId)).toHaveLength(1)
  })
})
