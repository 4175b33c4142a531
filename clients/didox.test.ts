import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { startDidoxFake, type DidoxFake } from '../fakes/didox-server.js'
import { startSignerFake, type SignerFake } from '../fakes/signer-server.js'
import {
  createDidoxClient,
  createDidoxSigner,
  DidoxLoginRejectedError,
  DidoxRejectedError,
  DidoxTokenCache,
  DidoxUnavailableError,
  type DidoxClient,
  type DidoxClientOptions,
} from './didox.js'

const PARTNER = 'test-partner-token'
const TAX_ID = '305123456'
const PASSWORD = 'correct-horse'

let fake: DidoxFake
let signer: SignerFake
let cache: DidoxTokenCache

beforeAll(async () => {
  fake = await startDidoxFake({ partnerToken: PARTNER, taxId: TAX_ID, password: PASSWORD })
  signer = await startSignerFake()
})
afterAll(async () => {
  await fake.close()
  await signer.close()
})
beforeEach(() => {
  fake.reset()
  // A cache per test: the process-wide one would carry tokens from test to test.
  cache = new DidoxTokenCache()
})

function client(overrides: Partial<DidoxClientOptions> = {}): DidoxClient {
  return createDidoxClient({ url: fake.url, partnerToken: PARTNER, taxId: TAX_ID, password: PASSWORD, locale: 'ru', timeoutMs: 2_000, tokenCache: cache, ...overrides })
}

/** A small ESF written out by hand, as Didox documents the strict body. */
function validEsf(number = 'INV-2026-0001'): Record<string, unknown> {
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
  return {
    Version: 1,
    FacturaType: 0,
    HasRent: false,
    FacturaRentDoc: null,
    FacturaDoc: { FacturaNo: number, FacturaDate: '2026-11-03' },
    ContractDoc: { ContractNo: 'NLS-2025/112', ContractDate: '2025-09-22' },
    ContractId: null,
    OldFacturaDoc: null,
    SellerTin: TAX_ID,
    Seller: party('"EXAMPLE SOFTWARE" MCHJ'),
    ItemReleasedDoc: null,
    BuyerTin: '307458219',
    Buyer: party('"NAVLOGISTICS" MCHJ'),
    FacturaInvestmentObjectDoc: null,
    FacturaEmpowermentDoc: null,
    ForeignCompany: null,
    ProductList: {
      Tin: TAX_ID,
      HasVat: true,
      HasExcise: false,
      HasCommittent: false,
      HasLgota: false,
      Products: [
        {
          OrdNo: 1,
          Name: 'Development',
          CatalogCode: '10305008001000000',
          CatalogName: 'IT services',
          PackageCode: '1503980',
          PackageName: 'service',
          Count: 12.5,
          Summa: '150000.00',
          DeliverySum: '1875000.00',
          VatRate: 12,
          VatSum: '225000.00',
          DeliverySumWithVat: '2100000.00',
          WithoutVat: false,
          Origin: 3,
        },
      ],
    },
  }
}

async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a failure')
    },
    (e: unknown) => e,
  )
}

describe('Didox client', () => {
  it('logs in once and re-uses the token for later calls, also from another client in the process', async () => {
    const didox = client()
    await didox.getCompanyInfo('307458219')
    await didox.listDocuments({ name: 'X', status: 0 })
    await client().getCompanyInfo('305112847')
    expect(fake.state.logins).toEqual({ succeeded: 1, failed: 0 })
    expect(fake.state.requests['POST /v1/auth/{taxId}/password/{locale}']).toBe(1)
  })

  it('logs in once for concurrent first calls', async () => {
    const didox = client()
    await Promise.all(Array.from({ length: 5 }, () => didox.getCompanyInfo('307458219')))
    expect(fake.state.logins.succeeded).toBe(1)
  })

  it('logs in again once when the token is refused (401), and the call succeeds', async () => {
    const didox = client()
    await didox.getCompanyInfo('307458219')
    fake.expireTokens()
    const info = await didox.getCompanyInfo('307458219')
    expect(info?.tin).toBe('307458219')
    expect(fake.state.logins.succeeded).toBe(2)
    expect(fake.state.requests['GET /v1/utils/info/{tin}']).toBe(3)
  })

  it('never sends a rejected password twice', async () => {
    const wrong = client({ password: 'wrong' })
    const first = await failure(wrong.getCompanyInfo('307458219'))
    expect(first).toBeInstanceOf(DidoxLoginRejectedError)
    expect((first as DidoxLoginRejectedError).type).toBe('DidoxLoginRejected')
    expect((first as DidoxLoginRejectedError).status).toBe(422)
    expect((first as Error).message).toContain('Incorrect login')

    const second = await failure(wrong.listDocuments({ name: 'X', status: 0 }))
    expect(second).toBeInstanceOf(DidoxLoginRejectedError)
    expect(fake.state.logins.failed).toBe(1)
    expect(fake.state.requests['POST /v1/auth/{taxId}/password/{locale}']).toBe(1)
    expect(fake.state.requests['GET /v2/documents']).toBeUndefined()
  })

  it('fails permanently on an unknown user', async () => {
    const error = await failure(client({ taxId: '999999999' }).getCompanyInfo('307458219'))
    expect(error).toBeInstanceOf(DidoxLoginRejectedError)
    expect((error as Error).message).toContain('User not registered')
  })

  it('fails permanently on a blocked account (423)', async () => {
    fake.state.blockedUntil = Date.now() + 60_000
    const error = await failure(client().getCompanyInfo('307458219'))
    expect(error).toBeInstanceOf(DidoxLoginRejectedError)
    expect((error as DidoxLoginRejectedError).status).toBe(423)
    expect((error as Error).message).toContain('blocked')
  })

  it('(fake) blocks the account after three wrong passwords in a minute', async () => {
    for (let i = 0; i < 3; i++) {
      await failure(client({ password: 'wrong', tokenCache: new DidoxTokenCache() }).getCompanyInfo('307458219'))
    }
    const blocked = await failure(client({ tokenCache: new DidoxTokenCache() }).getCompanyInfo('307458219'))
    expect((blocked as DidoxLoginRejectedError).status).toBe(423)
    expect(fake.state.logins).toEqual({ succeeded: 0, failed: 3 })
  })

  it('creates a draft, lists it among drafts only, reads its status, and signs it', async () => {
    const didox = client()
    const created = await didox.createInvoiceDraft(validEsf('INV-2026-0042'))
    expect(created.documentId).toMatch(/^[0-9a-f]{32}$/)
    expect(fake.state.documents).toHaveLength(1)
    expect(fake.state.documents[0]!.json).toEqual(validEsf('INV-2026-0042'))

    const drafts = await didox.listDocuments({ name: 'INV-2026-0042', status: 0 })
    expect(drafts.map((d) => [d.documentId.toLowerCase(), d.docStatus, d.partnerTin])).toEqual([[created.documentId, 0, '307458219']])
    expect(await didox.listDocuments({ name: 'INV-2026-0042', status: null })).toEqual([])
    expect(await didox.listDocuments({ name: 'INV-2026-0043', status: 0 })).toEqual([])

    const document = await didox.getDocument(created.documentId)
    expect(document.docStatus).toBe(0)
    expect(document.json).toMatchObject({ facturadoc: { facturano: 'INV-2026-0042' } })

    await didox.signDocument(created.documentId, 'c2lnbmF0dXJl')
    expect((await didox.getDocument(created.documentId)).docStatus).toBe(1)
    expect((await didox.listDocuments({ name: 'INV-2026-0042', status: null })).map((d) => d.docStatus)).toEqual([1])

    const again = await failure(didox.signDocument(created.documentId, 'c2lnbmF0dXJl'))
    expect(again).toBeInstanceOf(DidoxRejectedError)
    expect((again as Error).message).toContain('не является черновиком')
  })

  it('rejects a malformed ESF permanently (422), naming every field', async () => {
    const body = validEsf()
    body.FacturaEmpowermentDoc = {}
    body.Expansion = { OrderNumber: '' }
    const products = (body.ProductList as { Products: Record<string, unknown>[] }).Products
    products[0]!.Summa = '150000.005'
    products[0]!.Count = 1.1234567
    const error = await failure(client().createInvoiceDraft(body))
    expect(error).toBeInstanceOf(DidoxRejectedError)
    const rejected = error as DidoxRejectedError
    expect(rejected.type).toBe('DidoxRejected')
    expect(rejected.status).toBe(422)
    expect(rejected.message).toContain('FacturaEmpowermentDoc: an unused object must be null, not {}')
    expect(rejected.message).toContain('Expansion: unknown field')
    expect(rejected.message).toContain('ProductList.Products.0.Summa: must have at most 2 decimals')
    expect(rejected.message).toContain('ProductList.Products.0.Count: must have at most 6 decimals')
    expect(fake.state.documents).toHaveLength(0)
  })

  it('rejects a create it may not do (403) permanently', async () => {
    fake.setBehavior({ forbidCreate: true })
    const error = await failure(client().createInvoiceDraft(validEsf()))
    expect(error).toBeInstanceOf(DidoxRejectedError)
    expect((error as DidoxRejectedError).status).toBe(403)
    expect((error as Error).message).toContain('Нет полномочий')
  })

  it('is retryable while the tax service is down (503) and works after', async () => {
    const didox = client()
    fake.setBehavior({ outage: true })
    const error = await failure(didox.createInvoiceDraft(validEsf()))
    expect(error).toBeInstanceOf(DidoxUnavailableError)
    expect((error as { type?: unknown }).type).toBeUndefined()
    expect((error as DidoxUnavailableError).status).toBe(503)
    fake.setBehavior({ outage: false })
    await didox.createInvoiceDraft(validEsf())
    expect(fake.state.documents).toHaveLength(1)
  })

  it('reads company details by TIN, and null for a TIN the tax service does not know', async () => {
    const didox = client()
    expect(await didox.getCompanyInfo(TAX_ID)).toEqual({
      tin: TAX_ID,
      name: '"EXAMPLE SOFTWARE" MCHJ',
      fullName: '"EXAMPLE SOFTWARE" MAS\'ULIYATI CHEKLANGAN JAMIYAT',
      address: "Toshkent sh., Mirobod tumani, Amir Temur ko'chasi, 1",
      mfo: '00401',
      account: '20208000900100001001',
      director: 'KARIMOV AZIZ',
      accountant: 'RASULOVA DILNOZA',
      vatRegCode: '326010000001',
      vatRegStatus: 20,
    })
    fake.setBehavior({ unknownTins: ['300000001'] })
    expect(await didox.getCompanyInfo('300000001')).toBeNull()
  })

  it('fails permanently on a wrong partner token', async () => {
    const error = await failure(client({ partnerToken: 'nope' }).getCompanyInfo('307458219'))
    expect(error).toBeInstanceOf(DidoxRejectedError)
    expect((error as DidoxRejectedError).status).toBe(401)
  })
})

describe('Didox client: cancelling and the buyer\'s answer', () => {
  async function sent(didox: DidoxClient, number = 'INV-2026-0050'): Promise<string> {
    const { documentId } = await didox.createInvoiceDraft(validEsf(number))
    await didox.signDocument(documentId, 'c2lnbmF0dXJl')
    return documentId
  }

  it('cancels a document the buyer has not signed: tosign cancel, then the signed delete (5)', async () => {
    const didox = client()
    const documentId = await sent(didox)
    await didox.requestCancel(documentId)
    expect(fake.state.documents[0]).toMatchObject({ cancelRequested: true, doc_status: 1 })
    await didox.deleteDocument(documentId, 'ZGVsZXRl')
    expect((await didox.getDocument(documentId)).docStatus).toBe(5)
    expect(fake.state.requests['POST /v1/documents/{id}/tosign']).toBe(1)
    expect(fake.state.requests['POST /v1/documents/{id}/delete']).toBe(1)
  })

  it('cancels a draft too', async () => {
    const didox = client()
    const { documentId } = await didox.createInvoiceDraft(validEsf())
    await didox.requestCancel(documentId)
    await didox.deleteDocument(documentId, 'ZGVsZXRl')
    expect((await didox.getDocument(documentId)).docStatus).toBe(5)
  })

  it('surfaces Didox refusing to cancel a document the buyer signed as a permanent 422 with its message', async () => {
    const didox = client()
    const documentId = await sent(didox)
    fake.signAsBuyer(documentId)
    const error = await failure(didox.requestCancel(documentId))
    expect(error).toBeInstanceOf(DidoxRejectedError)
    expect((error as DidoxRejectedError).status).toBe(422)
    expect((error as DidoxRejectedError).type).toBe('DidoxRejected')
    expect((error as Error).message).toContain('не может быть отменён')
    expect(fake.state.documents[0]!.cancelRequested).toBe(false)
  })

  it('refuses a delete without a cancel request first, or without a signature', async () => {
    const didox = client()
    const documentId = await sent(didox)
    const early = await failure(didox.deleteDocument(documentId, 'ZGVsZXRl'))
    expect((early as DidoxRejectedError).status).toBe(422)
    expect((early as Error).message).toContain('Сначала запросите отмену документа')
    await didox.requestCancel(documentId)
    const unsigned = await failure(didox.deleteDocument(documentId, ''))
    expect((unsigned as Error).message).toContain('signature: The signature field is required.')
    expect((await didox.getDocument(documentId)).docStatus).toBe(1)
  })

  it('reads the buyer\'s rejection comment; null while there is none', async () => {
    const didox = client()
    const documentId = await sent(didox)
    expect((await didox.getDocument(documentId)).comment).toBeNull()
    fake.rejectAsBuyer(documentId, 'Неверная сумма: по договору 1 800 000')
    const document = await didox.getDocument(documentId)
    expect(document.docStatus).toBe(4)
    expect(document.comment).toBe('Неверная сумма: по договору 1 800 000')
  })

  it('is permanent (404) for cancelling an unknown document', async () => {
    const error = await failure(client().requestCancel('0'.repeat(32)))
    expect(error).toBeInstanceOf(DidoxRejectedError)
    expect((error as DidoxRejectedError).status).toBe(404)
  })
})

describe('Didox signer client', () => {
  it('gets a signature over the document JSON', async () => {
    signer.setBehavior({ failWith: null })
    const signature = await createDidoxSigner({ url: signer.url }).sign({ documentId: 'abc', document: { a: 1 } })
    expect(Buffer.from(signature, 'base64').toString()).toMatch(/^pkcs7:abc:[0-9a-f]{64}$/)
  })

  it('is retryable when the signer fails with 5xx and permanent on 4xx', async () => {
    signer.setBehavior({ failWith: 502 })
    expect(await failure(createDidoxSigner({ url: signer.url }).sign({ documentId: 'abc', document: {} }))).toBeInstanceOf(DidoxUnavailableError)
    signer.setBehavior({ failWith: 400 })
    expect(await failure(createDidoxSigner({ url: signer.url }).sign({ documentId: 'abc', document: {} }))).toBeInstanceOf(DidoxRejectedError)
    signer.setBehavior({ failWith: null })
  })
})
