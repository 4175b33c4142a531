import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { validateEsf } from '../fakes/didox-esf-rules.js'
import { PermanentError } from '../lib/permanent-error.js'
import { buildEsfParty } from './build-esf-party.js'
import { buildEsf, DEFAULT_ESF_CATALOG, type EsfInvoice, type EsfParty, type EsfSourceLine } from './build-esf.js'

const SELLER: EsfParty = {
  tin: '305123456',
  name: '"EXAMPLE SOFTWARE" MCHJ',
  account: '20208000900100001001',
  bankId: '00401',
  address: 'Tashkent, Amir Temur 1',
  director: 'KARIMOV AZIZ',
  accountant: 'RASULOVA DILNOZA',
  vatRegCode: '326010000001',
  vatRegStatus: 20,
  branchCode: '',
  branchName: '',
}
const BUYER: EsfParty = { ...SELLER, tin: '307458219', name: '"NAVLOGISTICS" MCHJ', director: 'ALIEV BOBUR', vatRegCode: '326040002521', account: '20208000400308125001', bankId: '00974' }

function line(lineId: string, quantity: string, rate: string, amount: string, extra: Partial<EsfSourceLine> = {}): EsfSourceLine {
  return { lineId, kind: 'time', description: `Work ${lineId}`, quantity, rate, amount, appliesToLineId: null, ...extra }
}

function invoice(lines: EsfSourceLine[], figures: { subtotal: string; vatAmount: string; vatRate?: string }): EsfInvoice {
  return {
    number: 'INV-2026-0042',
    issueDate: '2026-11-03',
    contractNumber: 'NLS-2025/112',
    contractDate: '2025-09-22',
    vatRate: figures.vatRate ?? '12',
    subtotal: figures.subtotal,
    vatAmount: figures.vatAmount,
    lines,
  }
}

function vatSums(body: ReturnType<typeof buildEsf>): string[] {
  return body.ProductList.Products.map((p) => p.VatSum)
}

describe('buildEsf', () => {
  it('builds the strict body Didox documents, field for field', () => {
    const body = buildEsf({
      invoice: invoice(
        [
          line('time:Development', '12.50', '150000.00', '1875000.00'),
          { ...line('fee', '1.00', '2000000.00', '2000000.00'), kind: 'fee', description: 'Monthly support fee' },
        ],
        { subtotal: '3875000.00', vatAmount: '465000.00' },
      ),
      seller: SELLER,
      buyer: BUYER,
    })
    const party = (p: EsfParty) => ({
      Name: p.name,
      Account: p.account,
      BankId: p.bankId,
      Address: p.address,
      Director: p.director,
      Accountant: p.accountant,
      VatRegCode: p.vatRegCode,
      VatRegStatus: 20,
      BranchCode: '',
      BranchName: '',
    })
    const product = { CatalogCode: '10305008001000000', CatalogName: DEFAULT_ESF_CATALOG.name, PackageCode: '1503980', PackageName: 'service' }
    expect(body).toEqual({
      Version: 1,
      FacturaType: 0,
      HasRent: false,
      FacturaRentDoc: null,
      FacturaDoc: { FacturaNo: 'INV-2026-0042', FacturaDate: '2026-11-03' },
      ContractDoc: { ContractNo: 'NLS-2025/112', ContractDate: '2025-09-22' },
      ContractId: null,
      OldFacturaDoc: null,
      SellerTin: '305123456',
      Seller: party(SELLER),
      ItemReleasedDoc: null,
      BuyerTin: '307458219',
      Buyer: party(BUYER),
      FacturaInvestmentObjectDoc: null,
      FacturaEmpowermentDoc: null,
      ForeignCompany: null,
      ProductList: {
        Tin: '305123456',
        HasVat: true,
        HasExcise: false,
        HasCommittent: false,
        HasLgota: false,
        Products: [
          {
            OrdNo: 1,
            Name: 'Work time:Development',
            ...product,
            Count: 12.5,
            Summa: '150000.00',
            DeliverySum: '1875000.00',
            VatRate: 12,
            VatSum: '225000.00',
            DeliverySumWithVat: '2100000.00',
            WithoutVat: false,
            Origin: 3,
          },
          {
            OrdNo: 2,
            Name: 'Monthly support fee',
            ...product,
            Count: 1,
            Summa: '2000000.00',
            DeliverySum: '2000000.00',
            VatRate: 12,
            VatSum: '240000.00',
            DeliverySumWithVat: '2240000.00',
            WithoutVat: false,
            Origin: 3,
          },
        ],
      },
    })
    // No `{}` anywhere, and the fake's strict rules (written from Didox's documentation) accept it.
    expect(JSON.stringify(body)).not.toContain('{}')
    expect(validateEsf(body, '305123456')).toEqual({})
  })

  it('takes a rounding cent off the earliest line when the line VATs add up to more than the invoice VAT', () => {
    const body = buildEsf({
      invoice: invoice([line('a', '1', '10.05', '10.05'), line('b', '1', '10.05', '10.05'), line('c', '1', '10.05', '10.05')], { subtotal: '30.15', vatAmount: '3.62' }),
      seller: SELLER,
      buyer: BUYER,
    })
    expect(vatSums(body)).toEqual(['1.20', '1.21', '1.21'])
  })

  it('gives a missing cent to the line that lost most by rounding', () => {
    // 12 % of 10.04 = 1.2048 (loses 0.0048), of 10.03 = 1.2036 (loses 0.0036); invoice VAT = 12 % of 30.10 = 3.612 -> 3.61.
    const body = buildEsf({
      invoice: invoice([line('a', '1', '10.03', '10.03'), line('b', '1', '10.04', '10.04'), line('c', '1', '10.03', '10.03')], { subtotal: '30.10', vatAmount: '3.61' }),
      seller: SELLER,
      buyer: BUYER,
    })
    expect(vatSums(body)).toEqual(['1.20', '1.21', '1.20'])
  })

  it('always adds the line VATs up to the invoice VAT to the cent, in a body the strict rules accept', () => {
    const amounts = fc.array(fc.integer({ min: 1, max: 5_000_000_00 }), { minLength: 1, maxLength: 12 })
    const rates = fc.constantFrom('12', '15', '0', '12.5', '7.25')
    fc.assert(
      fc.property(amounts, rates, (cents, rate) => {
        const lines = cents.map((c, i) => line(`l${i}`, '1', (c / 100).toFixed(2), (c / 100).toFixed(2)))
        const subtotal = cents.reduce((a, b) => a + b, 0)
        // Half-up on the subtotal, as the billing core does (integers: exact).
        const vatCents = Math.floor((subtotal * Number(rate) * 100 + 5000) / 10000)
        const body = buildEsf({
          invoice: invoice(lines, { subtotal: (subtotal / 100).toFixed(2), vatAmount: (vatCents / 100).toFixed(2), vatRate: rate }),
          seller: SELLER,
          buyer: BUYER,
        })
        const total = body.ProductList.Products.reduce((sum, p) => sum + Math.round(Number(p.VatSum) * 100), 0)
        expect(total).toBe(vatCents)
        expect(validateEsf(body, SELLER.tin)).toEqual({})
      }),
      { numRuns: 200 },
    )
  })

  it('nets an hours cap into the line it applies to', () => {
    const body = buildEsf({
      invoice: invoice(
        [line('time:Dev', '20.00', '100.00', '2000.00'), { ...line('cap:hours:time:Dev', '-4.00', '100.00', '-400.00'), kind: 'cap', appliesToLineId: 'time:Dev' }],
        { subtotal: '1600.00', vatAmount: '192.00' },
      ),
      seller: SELLER,
      buyer: BUYER,
    })
    expect(body.ProductList.Products).toHaveLength(1)
    expect(body.ProductList.Products[0]).toMatchObject({ Count: 16, Summa: '100.00', DeliverySum: '1600.00', VatSum: '192.00' })
  })

  it('shares an amount cap out over the lines in proportion, cents to the earliest on a tie', () => {
    const body = buildEsf({
      invoice: invoice(
        [
          line('a', '1', '100.00', '100.00'),
          line('b', '1', '100.00', '100.00'),
          line('c', '1', '100.00', '100.00'),
          { ...line('cap:amount', '1.00', '-100.00', '-100.00'), kind: 'cap' },
        ],
        { subtotal: '200.00', vatAmount: '24.00' },
      ),
      seller: SELLER,
      buyer: BUYER,
    })
    expect(body.ProductList.Products.map((p) => [p.Count, p.Summa, p.DeliverySum])).toEqual([
      [1, '66.66', '66.66'],
      [1, '66.67', '66.67'],
      [1, '66.67', '66.67'],
    ])
    expect(vatSums(body).reduce((sum, v) => sum + Number(v), 0)).toBeCloseTo(24, 10)
  })

  it('shows a line as one unit when its rate has more than 2 decimals', () => {
    const body = buildEsf({
      invoice: invoice([line('a', '3.00', '33.3333', '100.00')], { subtotal: '100.00', vatAmount: '12.00' }),
      seller: SELLER,
      buyer: BUYER,
    })
    expect(body.ProductList.Products[0]).toMatchObject({ Count: 1, Summa: '100.00', DeliverySum: '100.00' })
  })

  it('leaves WithoutVat out when there is no VAT', () => {
    const body = buildEsf({ invoice: invoice([line('a', '2', '50.00', '100.00')], { subtotal: '100.00', vatAmount: '0.00', vatRate: '0' }), seller: SELLER, buyer: BUYER })
    expect(body.ProductList.HasVat).toBe(false)
    expect(body.ProductList.Products[0]).not.toHaveProperty('WithoutVat')
    expect(body.ProductList.Products[0]).toMatchObject({ VatRate: 0, VatSum: '0.00', DeliverySumWithVat: '100.00' })
    expect(validateEsf(body, SELLER.tin)).toEqual({})
  })

  it('refuses an invoice that cannot be an ESF, naming every problem', () => {
    const build = () =>
      buildEsf({
        invoice: { ...invoice([line('a', '1', '100.00', '100.00')], { subtotal: '100.00', vatAmount: '12.00' }), contractNumber: '', issueDate: '2026-11-03T00:00:00Z' },
        seller: { ...SELLER, director: '' },
        buyer: BUYER,
      })
    expect(build).toThrow(PermanentError)
    expect(build).toThrow(/no contract number/)
    expect(build).toThrow(/seller has no director/)
    expect(build).toThrow(/issue date "2026-11-03T00:00:00Z" is not yyyy-MM-dd/)
  })

  it('refuses a VAT that does not belong to the lines', () => {
    expect(() => buildEsf({ invoice: invoice([line('a', '1', '100.00', '100.00')], { subtotal: '100.00', vatAmount: '15.00' }), seller: SELLER, buyer: BUYER })).toThrow(
      /VAT 15.00 does not match 12 % of its lines/,
    )
  })
})

describe('buildEsfParty', () => {
  it('prefers our records and fills blanks and the VAT status from the tax registry', () => {
    const party = buildEsfParty(
      { tin: '307458219', name: 'Navlogistics', legalName: '"NAVLOGISTICS" MCHJ', bankAccount: '', mfo: '', address: 'Our address', director: '', accountant: 'OURS', vatRegCode: '' },
      {
        tin: '307458219',
        name: 'REGISTRY NAME',
        fullName: 'REGISTRY FULL NAME',
        address: 'Registry address',
        mfo: '00974',
        account: '20208000400308125001',
        director: 'ALIEV BOBUR',
        accountant: 'THEIRS',
        vatRegCode: '326040002521',
        vatRegStatus: 20,
      },
    )
    expect(party).toEqual({
      tin: '307458219',
      name: '"NAVLOGISTICS" MCHJ',
      account: '20208000400308125001',
      bankId: '00974',
      address: 'Our address',
      director: 'ALIEV BOBUR',
      accountant: 'OURS',
      vatRegCode: '326040002521',
      vatRegStatus: 20,
      branchCode: '',
      branchName: '',
    })
  })
})
