import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createDidoxClient, createDidoxSigner, DidoxLoginRejectedError, DidoxRejectedError, DidoxTokenCache, type DidoxClient } from '../clients/didox.js'
import { startDidoxFake, type DidoxFake } from '../fakes/didox-server.js'
import { startSignerFake, type SignerFake } from '../fakes/signer-server.js'
import { createDatabase } from '../lib/database.js'
import { PermanentError } from '../lib/permanent-error.js'
import { testDatabaseUrl } from '../test-support/env.js'
import type { PartyDetails } from './build-esf-party.js'
import { DEFAULT_ESF_CATALOG } from './build-esf.js'
import { createDidoxDraft, readDidoxStatus, type DidoxInvoice } from './deliver-didox.js'
import { createTestInvoice } from '../test-support/test-invoice.js'

const PARTNER = 'test-partner-token'
const TAX_ID = '305123456'
const PASSWORD = 'correct-horse'
const db = createDatabase(testDatabaseUrl())

let fake: DidoxFake
let signerFake: SignerFake
let didox: DidoxClient

beforeAll(async () => {
  fake = await startDidoxFake({ partnerToken: PARTNER, taxId: TAX_ID, password: PASSWORD })
  signerFake = await startSignerFake()
})
afterAll(async () => {
  await fake.close()
  await signerFake.close()
  await db.$disconnect()
})
beforeEach(() => {
  fake.reset()
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
  tin: '307458219',
  name: 'Navlogistics',
  legalName: '"NAVLOGISTICS" MCHJ',
  bankAccount: '20208000400308125001',
  mfo: '00974',
  address: 'Tashkent, Fidoyilar 5',
  director: '',
  accountant: 'YUSUPOVA MALIKA',
  vatRegCode: '326040002521',
}

async function newInvoice(overrides: Partial<DidoxInvoice> = {}): Promise<DidoxInvoice> {
  const row = await createTestInvoice(db, { currency: 'UZS', subtotal: '3875000.00', vatAmount: '465000.00', total: '4340000.00' })
  return {
    invoiceId: row.invoiceId,
    number: row.number,
    issueDate: row.issueDate,
    currency: 'UZS',
    contractNumber: 'NLS-2025/112',
    contractDate: '2025-09-22',
    vatRate: '12',
    subtotal: '3875000.00',
    vatAmount: '465000.00',
    lines: [
      { lineId: 'time:Development', kind: 'time', description: 'Development, October 2026', quantity: '12.50', rate: '150000.00', amount: '1875000.00', appliesToLineId: null },
      { lineId: 'fee', kind: 'fee', description: 'Support fee, October 2026', quantity: '1.00', rate: '2000000.00', amount: '2000000.00', appliesToLineId: null },
    ],
    ...overrides,
  }
}

async function referenceOf(invoiceId: string) {
  return db.externalReference.findUnique({ where: { invoiceId_system_purpose: { invoiceId, system: 'didox', purpose: 'esf' } } })
}

function documentsNamed(number: string) {
  return fake.state.documents.filter((d) => d.name === number)
}

async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a failure')
    },
    (e: unknown) => e,
  )
}

describe('createDidoxDraft', () => {
  it('creates one ESF draft with the body the spec describes and records its id', async () => {
    const invoice = await newInvoice()
    const result = await createDidoxDraft({ db, didox, invoice, buyer: BUYER, seller: SELLER })

    expect(result.signed).toBe(false)
    const [document, ...others] = documentsNamed(invoice.number)
    expect(others).toEqual([])
    expect(document!._id).toBe(result.documentId)
    expect(document!.doc_status).toBe(0)
    const body = document!.json as Record<string, unknown>
    expect(body).toMatchObject({
      Version: 1,
      FacturaType: 0,
      FacturaDoc: { FacturaNo: invoice.number, FacturaDate: '2026-11-03' },
      ContractDoc: { ContractNo: 'NLS-2025/112', ContractDate: '2025-09-22' },
      SellerTin: TAX_ID,
      BuyerTin: '307458219',
      FacturaEmpowermentDoc: null,
      ForeignCompany: null,
      // Our records, the blank director from the tax registry, the VAT status from the registry.
      Seller: { Name: '"EXAMPLE SOFTWARE" MCHJ', Director: 'KARIMOV AZIZ', VatRegStatus: 20 },
      Buyer: { Name: '"NAVLOGISTICS" MCHJ', Director: 'DIRECTOR 307458219', Accountant: 'YUSUPOVA MALIKA', VatRegStatus: 20 },
      ProductList: { Tin: TAX_ID, HasVat: true },
    })
    const products = (body.ProductList as { Products: Record<string, unknown>[] }).Products
    expect(products.map((p) => [p.OrdNo, p.Name, p.Count, p.Summa, p.DeliverySum, p.VatSum, p.DeliverySumWithVat, p.CatalogCode])).toEqual([
      [1, 'Development, October 2026', 12.5, '150000.00', '1875000.00', '225000.00', '2100000.00', DEFAULT_ESF_CATALOG.code],
      [2, 'Support fee, October 2026', 1, '2000000.00', '2000000.00', '240000.00', '2240000.00', DEFAULT_ESF_CATALOG.code],
    ])
    expect(fake.state.requests['GET /v1/utils/info/{tin}']).toBe(2)
    expect(await referenceOf(invoice.invoiceId)).toMatchObject({ status: 'done', externalId: result.documentId })
  })

  it('returns the stored id on a retry without creating again, with one login for everything', async () => {
    const invoice = await newInvoice()
    const first = await createDidoxDraft({ db, didox, invoice, buyer: BUYER, seller: SELLER })
    const second = await createDidoxDraft({ db, didox, invoice, buyer: BUYER, seller: SELLER })
    expect(second).toEqual(first)
    expect(fake.state.requests['POST /v1/documents/002/create/{locale}']).toBe(1)
    expect(fake.state.logins.succeeded).toBe(1)
  })

  it('adopts the draft by invoice number when the process died before the id was stored', async () => {
    const invoice = await newInvoice()
    // The earlier attempt created the draft; then the crash lost the "done" mark.
    const earlier = await createDidoxDraft({ db, didox, invoice, buyer: BUYER, seller: SELLER })
    await db.externalReference.update({
      where: { invoiceId_system_purpose: { invoiceId: invoice.invoiceId, system: 'didox', purpose: 'esf' } },
      data: { status: 'pending', externalId: null },
    })

    const result = await createDidoxDraft({ db, didox, invoice, buyer: BUYER, seller: SELLER })
    expect(result.documentId).toBe(earlier.documentId)
    expect(documentsNamed(invoice.number)).toHaveLength(1)
    expect(fake.state.requests['POST /v1/documents/002/create/{locale}']).toBe(1)
    expect(await referenceOf(invoice.invoiceId)).toMatchObject({ status: 'done', externalId: earlier.documentId })
  })

  it('adopts the draft when the answer to the create was lost, leaving one document', async () => {
    const invoice = await newInvoice()
    fake.setBehavior({ dropResponsesAfterCreate: 1 })
    const lost = await failure(createDidoxDraft({ db, didox, invoice, buyer: BUYER, seller: SELLER }))
    expect(lost).not.toBeInstanceOf(PermanentError)
    expect(await referenceOf(invoice.invoiceId)).toMatchObject({ status: 'pending', externalId: null })

    const result = await createDidoxDraft({ db, didox, invoice, buyer: BUYER, seller: SELLER })
    expect(documentsNamed(invoice.number).map((d) => d._id)).toEqual([result.documentId])
  })

  it('signs through the configured signer, once, and reports it signed', async () => {
    const invoice = await newInvoice()
    const signer = createDidoxSigner({ url: signerFake.url })
    const result = await createDidoxDraft({ db, didox, invoice, buyer: BUYER, seller: SELLER, signer })
    expect(result.signed).toBe(true)
    const [document] = documentsNamed(invoice.number)
    expect(document!.doc_status).toBe(1)
    expect(Buffer.from(document!.signature!, 'base64').toString()).toMatch(new RegExp(`^pkcs7:${result.documentId}:`))
    expect(signerFake.state.signed).toEqual([result.documentId])

    expect(await createDidoxDraft({ db, didox, invoice, buyer: BUYER, seller: SELLER, signer })).toEqual(result)
    expect(signerFake.state.requests).toBe(1)
  })

  it('does not sign again a draft a person already signed in Didox', async () => {
    const invoice = await newInvoice()
    const created = await createDidoxDraft({ db, didox, invoice, buyer: BUYER, seller: SELLER })
    fake.setDocumentStatus(created.documentId, 1)
    const result = await createDidoxDraft({ db, didox, invoice, buyer: BUYER, seller: SELLER, signer: createDidoxSigner({ url: signerFake.url }) })
    expect(result).toEqual({ documentId: created.documentId, signed: true })
    expect(signerFake.state.requests).toBe(0)
    expect(fake.state.requests['POST /v1/documents/{id}/sign']).toBeUndefined()
  })

  it('fails permanently when Didox rejects the ESF (422) and records the reason', async () => {
    const invoice = await newInvoice()
    const error = await failure(createDidoxDraft({ db, didox, invoice, buyer: BUYER, seller: SELLER, catalog: { ...DEFAULT_ESF_CATALOG, name: '' } }))
    expect(error).toBeInstanceOf(DidoxRejectedError)
    expect((error as DidoxRejectedError).status).toBe(422)
    expect((error as Error).message).toContain('ProductList.Products.0.CatalogName: is required')
    expect(await referenceOf(invoice.invoiceId)).toMatchObject({ status: 'failed' })
    expect(documentsNamed(invoice.number)).toEqual([])
  })

  it('is retryable while the tax service is down and creates one draft after', async () => {
    const invoice = await newInvoice()
    fake.setBehavior({ outage: true })
    const error = await failure(createDidoxDraft({ db, didox, invoice, buyer: BUYER, seller: SELLER }))
    expect(error).toBeInstanceOf(Error)
    expect(error).not.toBeInstanceOf(PermanentError)
    fake.setBehavior({ outage: false })
    await createDidoxDraft({ db, didox, invoice, buyer: BUYER, seller: SELLER })
    expect(documentsNamed(invoice.number)).toHaveLength(1)
  })

  it('stops with a clear reason when the tax service does not know the buyer', async () => {
    const invoice = await newInvoice()
    fake.setBehavior({ unknownTins: ['307458219'] })
    const error = await failure(createDidoxDraft({ db, didox, invoice, buyer: BUYER, seller: SELLER }))
    expect(error).toBeInstanceOf(PermanentError)
    expect((error as PermanentError).type).toBe('DidoxRejected')
    expect((error as Error).message).toContain("does not know the buyer's TIN 307458219")
    expect(fake.state.requests['POST /v1/documents/002/create/{locale}']).toBeUndefined()
  })

  it('refuses an invoice that is not in UZS before calling Didox', async () => {
    const invoice = await newInvoice({ currency: 'USD' })
    const error = await failure(createDidoxDraft({ db, didox, invoice, buyer: BUYER, seller: SELLER }))
    expect((error as PermanentError).type).toBe('InvalidInput')
    expect((error as Error).message).toContain('USD')
    expect(Object.keys(fake.state.requests)).toEqual([])
  })

  it('takes the seller TIN from the Didox login when settings leave it blank, filling details from the registry', async () => {
    const invoice = await newInvoice()
    await createDidoxDraft({ db, didox, invoice, buyer: BUYER, seller: { ...SELLER, tin: '', director: '', accountant: '' } })
    expect(documentsNamed(invoice.number)[0]!.json).toMatchObject({
      SellerTin: TAX_ID,
      Seller: { Name: '"EXAMPLE SOFTWARE" MCHJ', Director: 'KARIMOV AZIZ', Accountant: 'RASULOVA DILNOZA' },
      ProductList: { Tin: TAX_ID },
    })
  })

  it('refuses settings whose seller TIN is not the Didox login', async () => {
    const invoice = await newInvoice()
    const error = await failure(createDidoxDraft({ db, didox, invoice, buyer: BUYER, seller: { ...SELLER, tin: '301774512' } }))
    expect((error as PermanentError).type).toBe('InvalidSettings')
    expect((error as Error).message).toContain('301774512')
    expect(fake.state.documents).toEqual([])
  })

  it('does not retry a wrong password', async () => {
    const invoice = await newInvoice()
    const wrong = createDidoxClient({ url: fake.url, partnerToken: PARTNER, taxId: TAX_ID, password: 'wrong', locale: 'ru', tokenCache: new DidoxTokenCache() })
    for (let i = 0; i < 2; i++) {
      expect(await failure(createDidoxDraft({ db, didox: wrong, invoice, buyer: BUYER, seller: SELLER }))).toBeInstanceOf(DidoxLoginRejectedError)
    }
    expect(fake.state.logins.failed).toBe(1)
  })
})

describe('readDidoxStatus', () => {
  it('names every status the workflow waits on', async () => {
    const invoice = await newInvoice()
    const { documentId } = await createDidoxDraft({ db, didox, invoice, buyer: BUYER, seller: SELLER })
    const seen: [number, string][] = []
    for (const code of [0, 1, 2, 3, 4, 5, 6, 8, 40]) {
      fake.setDocumentStatus(documentId, code)
      const status = await readDidoxStatus({ didox, documentId })
      seen.push([status.code, status.meaning])
    }
    expect(seen).toEqual([
      [0, 'draft'],
      [1, 'waiting_partner'],
      [2, 'waiting_us'],
      [3, 'accepted'],
      [4, 'rejected'],
      [5, 'deleted'],
      [6, 'waiting_agent'],
      [8, 'signed_by_agent'],
      [40, 'invalid'],
    ])
  })

  it('fails permanently on a status code it does not know', async () => {
    const invoice = await newInvoice()
    const { documentId } = await createDidoxDraft({ db, didox, invoice, buyer: BUYER, seller: SELLER })
    fake.state.documents[0]!.doc_status = 7
    const error = await failure(readDidoxStatus({ didox, documentId }))
    expect((error as PermanentError).type).toBe('DidoxRejected')
    expect((error as Error).message).toContain('status 7')
  })
})
