import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createDidoxClient, DidoxRejectedError, DidoxTokenCache, type DidoxClient } from '../clients/didox.js'
import { validateEsf, type EsfOriginal } from './didox-esf-rules.js'
import { startDidoxFake, type DidoxFake } from './didox-server.js'

/** The Didox fake's cancellation, correction and buyer-side behaviour (spec: "Cancelling and correcting"). */

const PARTNER = 'test-partner-token'
const TAX_ID = '305123456'
const PASSWORD = 'correct-horse'
const BUYER = '307458219'
const OTHER_BUYER = '305112847'

let fake: DidoxFake
let didox: DidoxClient

beforeAll(async () => {
  fake = await startDidoxFake({ partnerToken: PARTNER, taxId: TAX_ID, password: PASSWORD })
})
afterAll(() => fake.close())
beforeEach(() => {
  fake.reset()
  didox = createDidoxClient({ url: fake.url, partnerToken: PARTNER, taxId: TAX_ID, password: PASSWORD, locale: 'ru', timeoutMs: 2_000, tokenCache: new DidoxTokenCache() })
})

interface EsfOptions {
  number?: string
  date?: string
  buyerTin?: string
  facturaType?: number
  old?: unknown
  /** Unit prices of the lines (all with Count 12.5 and VAT 12%). */
  prices?: number[]
}

/** A strict ESF body; amounts derive from the unit prices so the line arithmetic adds up. */
function esf(options: EsfOptions = {}): Record<string, unknown> {
  const party = (name: string) => ({
    Name: name,
    Account: '20208000900100001001',
    BankId: '00401',
    Address: 'Tashkent',
    Director: 'DIRECTOR',
    Accountant: 'ACCOUNTANT',
    VatRegCode: '326010000001',
    VatRegStatus: 20,
    BranchCode: '',
    BranchName: '',
  })
  const body: Record<string, unknown> = {
    Version: 1,
    FacturaType: options.facturaType ?? 0,
    FacturaDoc: { FacturaNo: options.number ?? 'INV-2026-0001', FacturaDate: options.date ?? '2026-11-03' },
    ContractDoc: { ContractNo: 'NLS-2025/112', ContractDate: '2025-09-22' },
    OldFacturaDoc: options.old === undefined ? null : options.old,
    SellerTin: TAX_ID,
    Seller: party('"EXAMPLE SOFTWARE" MCHJ'),
    BuyerTin: options.buyerTin ?? BUYER,
    Buyer: party('"NAVLOGISTICS" MCHJ'),
    ProductList: {
      Tin: TAX_ID,
      HasVat: true,
      Products: (options.prices ?? [150000]).map((price, i) => {
        const delivery = price * 12.5
        const vat = (delivery * 12) / 100
        return {
          OrdNo: i + 1,
          Name: 'Development',
          CatalogCode: '10305008001000000',
          CatalogName: 'IT services',
          PackageCode: '1503980',
          PackageName: 'service',
          Count: 12.5,
          Summa: price.toFixed(2),
          DeliverySum: delivery.toFixed(2),
          VatRate: 12,
          VatSum: vat.toFixed(2),
          DeliverySumWithVat: (delivery + vat).toFixed(2),
          WithoutVat: false,
          Origin: 3,
        }
      }),
    },
  }
  return body
}

async function rejected(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(DidoxRejectedError)
  expect((error as DidoxRejectedError).status).toBe(422)
  return (error as Error).message
}

/** An original ESF the buyer has signed (status 3). */
async function signedOriginal(options: EsfOptions = {}): Promise<string> {
  const { documentId } = await didox.createInvoiceDraft(esf(options))
  await didox.signDocument(documentId, 'c2lnbmF0dXJl')
  fake.signAsBuyer(documentId)
  return documentId
}

function oldDoc(documentId: string, number = 'INV-2026-0001', date = '2026-11-03') {
  return { OldFacturaId: documentId, OldFacturaNo: number, OldFacturaDate: date }
}

describe('Didox fake: corrected (4) and additional (1) ESFs', () => {
  it.each([1, 4])('requires OldFacturaDoc for FacturaType %i', async (facturaType) => {
    const message = await rejected(didox.createInvoiceDraft(esf({ facturaType, number: 'INV-2026-0001-K' })))
    expect(message).toContain('OldFacturaDoc: is required for')
    const blank = await rejected(didox.createInvoiceDraft(esf({ facturaType, old: { OldFacturaId: '', OldFacturaNo: '', OldFacturaDate: '03.11.2026' } })))
    expect(blank).toContain('OldFacturaDoc.OldFacturaId: is required')
    expect(blank).toContain('OldFacturaDoc.OldFacturaNo: is required')
    expect(blank).toContain('OldFacturaDoc.OldFacturaDate: must be a date yyyy-MM-dd')
    const extra = await rejected(didox.createInvoiceDraft(esf({ facturaType, old: { ...oldDoc('a'.repeat(32)), Reason: 'x' } })))
    expect(extra).toContain('OldFacturaDoc.Reason: unknown field')
    expect(fake.state.documents).toHaveLength(0)
  })

  it('refuses an OldFacturaDoc naming no document', async () => {
    const message = await rejected(didox.createInvoiceDraft(esf({ facturaType: 4, old: oldDoc('f'.repeat(32)) })))
    expect(message).toContain(`OldFacturaDoc.OldFacturaId: names no document (${'f'.repeat(32)})`)
  })

  it('refuses an original of another buyer, or with another number or date', async () => {
    const originalId = await signedOriginal()
    const otherBuyer = await rejected(didox.createInvoiceDraft(esf({ facturaType: 4, buyerTin: OTHER_BUYER, old: oldDoc(originalId) })))
    expect(otherBuyer).toContain(`OldFacturaDoc.OldFacturaId: names a document of another buyer (${BUYER})`)
    const wrongNumber = await rejected(didox.createInvoiceDraft(esf({ facturaType: 4, old: oldDoc(originalId, 'INV-2026-0002', '2026-11-04') })))
    expect(wrongNumber).toContain("OldFacturaDoc.OldFacturaNo: must be the original's number (INV-2026-0001)")
    expect(wrongNumber).toContain("OldFacturaDoc.OldFacturaDate: must be the original's date (2026-11-03)")
  })

  it('refuses an original the buyer has not signed (draft, waiting, rejected)', async () => {
    const { documentId } = await didox.createInvoiceDraft(esf())
    expect(await rejected(didox.createInvoiceDraft(esf({ facturaType: 4, old: oldDoc(documentId) })))).toContain(
      'OldFacturaDoc: the original must be signed by the buyer (status 3 or 8); it has status 0',
    )
    await didox.signDocument(documentId, 'c2lnbmF0dXJl')
    expect(await rejected(didox.createInvoiceDraft(esf({ facturaType: 1, old: oldDoc(documentId) })))).toContain('it has status 1')
    fake.rejectAsBuyer(documentId, 'no')
    expect(await rejected(didox.createInvoiceDraft(esf({ facturaType: 4, old: oldDoc(documentId) })))).toContain('it has status 4')
  })

  it('accepts a corrected ESF naming a signed original (id in any case; status 8 counts as signed)', async () => {
    const originalId = await signedOriginal()
    const corrected = await didox.createInvoiceDraft(esf({ facturaType: 4, number: 'INV-2026-0001-C', prices: [140000], old: oldDoc(originalId.toUpperCase()) }))
    expect(fake.state.documents.map((d) => d.doc_status)).toEqual([3, 0])
    expect(corrected.documentId).not.toBe(originalId)

    const { documentId: byAgent } = await didox.createInvoiceDraft(esf({ number: 'INV-2026-0003' }))
    fake.setDocumentStatus(byAgent, 8)
    await didox.createInvoiceDraft(esf({ facturaType: 4, number: 'INV-2026-0003-C', old: oldDoc(byAgent, 'INV-2026-0003') }))
  })

  it('accepts an additional ESF with negative amounts (a decrease), Count positive', async () => {
    const originalId = await signedOriginal()
    const created = await didox.createInvoiceDraft(esf({ facturaType: 1, number: 'INV-2026-0001-D', date: '2026-12-01', prices: [-10000, -2000], old: oldDoc(originalId) }))
    const stored = fake.state.documents.find((d) => d._id === created.documentId)!
    expect((stored.json as { ProductList: { Products: { DeliverySum: string }[] } }).ProductList.Products.map((p) => p.DeliverySum)).toEqual(['-125000.00', '-25000.00'])
  })

  it('refuses negative amounts on a standard (0) or corrected (4) ESF', async () => {
    const standard = await rejected(didox.createInvoiceDraft(esf({ prices: [-10000] })))
    for (const field of ['Summa', 'DeliverySum', 'VatSum', 'DeliverySumWithVat']) {
      expect(standard).toContain(`ProductList.Products.0.${field}: must not be negative`)
    }
    const originalId = await signedOriginal()
    expect(await rejected(didox.createInvoiceDraft(esf({ facturaType: 4, prices: [-10000], old: oldDoc(originalId) })))).toContain(
      'ProductList.Products.0.Summa: must not be negative',
    )
  })

  it('refuses an additional ESF mixing increases and decreases, or with a negative Count', async () => {
    const originalId = await signedOriginal()
    expect(await rejected(didox.createInvoiceDraft(esf({ facturaType: 1, prices: [-10000, 2000], old: oldDoc(originalId) })))).toContain(
      'ProductList.Products: all products of an additional ESF must change the amounts the same way',
    )
    const body = esf({ facturaType: 1, prices: [10000], old: oldDoc(originalId) })
    const product = (body.ProductList as { Products: Record<string, unknown>[] }).Products[0]!
    Object.assign(product, { Count: -12.5, Summa: '10000.00', DeliverySum: '-125000.00', VatSum: '-15000.00', DeliverySumWithVat: '-140000.00' })
    expect(await rejected(didox.createInvoiceDraft(body))).toContain('ProductList.Products.0.Count: must be positive')
  })

  it('refuses an additional ESF more than a year after its original, or before it', async () => {
    const originalId = await signedOriginal()
    expect(await rejected(didox.createInvoiceDraft(esf({ facturaType: 1, date: '2027-11-04', old: oldDoc(originalId) })))).toContain(
      'FacturaDoc.FacturaDate: an additional ESF must be within a year (365 days) of its original; it is 366 days later',
    )
    expect(await rejected(didox.createInvoiceDraft(esf({ facturaType: 1, date: '2026-11-02', old: oldDoc(originalId) })))).toContain(
      'FacturaDoc.FacturaDate: an additional ESF cannot be dated before its original',
    )
    await didox.createInvoiceDraft(esf({ facturaType: 1, date: '2027-11-03', old: oldDoc(originalId) }))
  })

  it('wants OldFacturaDoc null on a standard ESF, and knows factura types 0, 1 and 4 only', async () => {
    const originalId = await signedOriginal()
    expect(await rejected(didox.createInvoiceDraft(esf({ old: oldDoc(originalId) })))).toContain('OldFacturaDoc: must be null when FacturaType is 0 (standard)')
    expect(await rejected(didox.createInvoiceDraft(esf({ facturaType: 2 })))).toContain('FacturaType: must be 0 (standard), 1 (additional) or 4 (corrected)')
    const absent = esf({ number: 'INV-2026-0009' })
    delete absent.OldFacturaDoc
    await didox.createInvoiceDraft(absent)
  })

  it('annuls the original (50) when the buyer accepts the corrected ESF, not before', async () => {
    const originalId = await signedOriginal()
    const { documentId: correctedId } = await didox.createInvoiceDraft(esf({ facturaType: 4, number: 'INV-2026-0001-C', old: oldDoc(originalId) }))
    await didox.signDocument(correctedId, 'c2lnbmF0dXJl')
    expect((await didox.getDocument(originalId)).docStatus).toBe(3)
    const answer = await fetch(`${fake.url}/__control/documents/${correctedId}/sign-as-buyer`, { method: 'POST' })
    expect(answer.status).toBe(200)
    expect((await didox.getDocument(correctedId)).docStatus).toBe(3)
    expect((await didox.getDocument(originalId)).docStatus).toBe(50)
    expect((await didox.listDocuments({ name: 'INV-2026-0001', status: null })).map((d) => d.docStatus)).toEqual([50])
  })

  it('does not annul the original when an additional ESF is accepted', async () => {
    const originalId = await signedOriginal()
    const { documentId } = await didox.createInvoiceDraft(esf({ facturaType: 1, number: 'INV-2026-0001-D', prices: [-1000], old: oldDoc(originalId) }))
    await didox.signDocument(documentId, 'c2lnbmF0dXJl')
    fake.signAsBuyer(documentId)
    expect((await didox.getDocument(originalId)).docStatus).toBe(3)
  })
})

describe('Didox fake: cancelling (tosign / delete)', () => {
  async function call(path: string, body: unknown): Promise<{ status: number; json: unknown }> {
    await didox.listDocuments({ name: 'x', status: 0 }) // logs in
    const token = fake.state.tokens[0]!
    const response = await fetch(`${fake.url}${path}`, {
      method: 'POST',
      headers: { 'Partner-Authorization': PARTNER, 'user-key': token, 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    })
    return { status: response.status, json: await response.json() }
  }

  it('answers { data: true } to a cancel request, 422 to other actions, 404 for unknown ids, 401 without a user key', async () => {
    const { documentId } = await didox.createInvoiceDraft(esf())
    expect(await call(`/v1/documents/${documentId}/tosign`, { action: 'cancel' })).toEqual({ status: 200, json: { data: true } })
    expect(await call(`/v1/documents/${documentId}/tosign`, { action: 'sign' })).toEqual({ status: 422, json: { action: ['unknown action'] } })
    expect((await call(`/v1/documents/${'0'.repeat(32)}/tosign`, { action: 'cancel' })).status).toBe(404)
    const anonymous = await fetch(`${fake.url}/v1/documents/${documentId}/tosign`, { method: 'POST', headers: { 'Partner-Authorization': PARTNER }, body: '{"action":"cancel"}' })
    expect(anonymous.status).toBe(401)
  })

  it('refuses cancelling once the buyer signed, with the status in the context', async () => {
    const originalId = await signedOriginal()
    expect(await call(`/v1/documents/${originalId}/tosign`, { action: 'cancel' })).toEqual({
      status: 422,
      json: { data: { status: 'error', message: 'Документ не может быть отменён', context: { status: 3 } } },
    })
  })

  it('refuses the delete when the buyer signed between the cancel request and the delete', async () => {
    const { documentId } = await didox.createInvoiceDraft(esf())
    await didox.signDocument(documentId, 'c2lnbmF0dXJl')
    await didox.requestCancel(documentId)
    fake.signAsBuyer(documentId)
    const answer = await call(`/v1/documents/${documentId}/delete`, { signature: 'ZGVsZXRl' })
    expect(answer.status).toBe(422)
    expect(JSON.stringify(answer.json)).toContain('не может быть отменён')
    expect(fake.state.documents[0]!.doc_status).toBe(3)
  })
})

describe('Didox fake: the buyer (control API)', () => {
  it('signs or rejects with a comment over HTTP; a comment is required to reject', async () => {
    const a = (await didox.createInvoiceDraft(esf({ number: 'A' }))).documentId
    const b = (await didox.createInvoiceDraft(esf({ number: 'B' }))).documentId
    await didox.signDocument(a, 'c2ln')
    await didox.signDocument(b, 'c2ln')
    const post = (path: string, body?: unknown) => fetch(`${fake.url}${path}`, { method: 'POST', body: body === undefined ? undefined : JSON.stringify(body) })
    expect((await post(`/__control/documents/${b}/reject-as-buyer`, {})).status).toBe(400)
    expect((await post(`/__control/documents/${b}/reject-as-buyer`, { comment: 'Неверный ИКПУ' })).status).toBe(200)
    expect((await post(`/__control/documents/${a}/sign-as-buyer`)).status).toBe(200)
    expect(fake.state.documents.map((d) => [d.name, d.doc_status, d.comment])).toEqual([
      ['A', 3, null],
      ['B', 4, 'Неверный ИКПУ'],
    ])
    expect((await didox.getDocument(b)).comment).toBe('Неверный ИКПУ')
  })

  it('lets the buyer answer only a document waiting for them (400), and 404 for an unknown one', async () => {
    const { documentId } = await didox.createInvoiceDraft(esf())
    const post = (path: string) => fetch(`${fake.url}${path}`, { method: 'POST', body: '{"comment":"x"}' })
    expect((await post(`/__control/documents/${documentId}/sign-as-buyer`)).status).toBe(400)
    expect(() => fake.rejectAsBuyer(documentId, 'x')).toThrow('waiting for their signature')
    expect((await post(`/__control/documents/${'0'.repeat(32)}/sign-as-buyer`)).status).toBe(404)
    expect(fake.state.documents[0]!.doc_status).toBe(0)
  })

  it('stays silent when nobody acts: the document keeps waiting', async () => {
    const { documentId } = await didox.createInvoiceDraft(esf())
    await didox.signDocument(documentId, 'c2ln')
    expect((await didox.getDocument(documentId)).docStatus).toBe(1)
  })
})

describe('validateEsf (pure)', () => {
  const original: EsfOriginal = { documentId: 'ab'.repeat(16), sellerTin: TAX_ID, buyerTin: BUYER, number: 'INV-2026-0001', date: '2026-11-03', status: 3 }
  const find = (id: string) => (id.toLowerCase() === original.documentId ? original : undefined)

  it('finds nothing without a lookup, and accepts with one', () => {
    const body = esf({ facturaType: 4, old: oldDoc(original.documentId) })
    expect(validateEsf(body, TAX_ID)).toEqual({ 'OldFacturaDoc.OldFacturaId': [`names no document (${original.documentId})`] })
    expect(validateEsf(body, TAX_ID, find)).toEqual({})
  })

  it('refuses an original of another seller', () => {
    const body = esf({ facturaType: 4, old: oldDoc(original.documentId) })
    expect(validateEsf(body, TAX_ID, () => ({ ...original, sellerTin: '301111111' }))).toEqual({ 'OldFacturaDoc.OldFacturaId': ['names a document of another seller'] })
  })

  it('keeps standard ESFs as before', () => {
    expect(validateEsf(esf(), TAX_ID)).toEqual({})
  })
})
