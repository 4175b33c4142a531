import { Decimal } from 'decimal.js'
import { ERROR_TYPES } from '../lib/error-types.js'
import { PermanentError } from '../lib/permanent-error.js'

/**
 * The ESF (electronic invoice, Didox doc type 002) body, built from a finalized invoice. Didox
 * and the tax service check it strictly: no unknown fields, unused objects `null` (never `{}`),
 * dates `yyyy-MM-dd`, amounts with at most 2 decimals and `Count` with at most 6, no document
 * totals (they derive from the lines). Money is decimal throughout (decimal.js), never floats.
 */

/** IKPU/MXIK catalog entry the service lines are reported under. */
export interface EsfCatalog {
  /** 17 digits from the tax catalog (tasnif.soliq.uz). */
  code: string
  name: string
  /** Unit ("package") code allowed for that catalog code. */
  packageCode: string
  packageName: string
}

/**
 * Placeholder for IT services. The real code and its package come from the tax catalog
 * (tasnif.soliq.uz, or Didox `GET /v1/profile/productClassCodes` for the codes bound to the
 * seller); pass the company's own `catalog` to `buildEsf` in production.
 */
export const DEFAULT_ESF_CATALOG: EsfCatalog = Object.freeze({
  code: '10305008001000000',
  name: 'Software development and IT consulting services',
  packageCode: '1503980',
  packageName: 'service',
})

/** One side of the invoice as the ESF shows it. */
export interface EsfParty {
  /** 9-digit TIN. */
  tin: string
  name: string
  account: string
  /** MFO, the bank code. */
  bankId: string
  address: string
  director: string
  accountant: string
  vatRegCode: string
  /** From the tax service (utils/info), e.g. 20 = active VAT certificate; null when unknown. */
  vatRegStatus: number | null
  branchCode: string
  branchName: string
}

/** An invoice line as finalized (the preview's line shape, decimal strings). */
export interface EsfSourceLine {
  lineId: string
  kind: string
  description: string
  quantity: string
  rate: string
  amount: string
  /** For hours-cap lines: the line whose hours they remove. */
  appliesToLineId: string | null
}

export interface EsfInvoice {
  /** Becomes FacturaNo; Didox drafts are searched by it. */
  number: string
  /** yyyy-MM-dd */
  issueDate: string
  contractNumber: string
  /** yyyy-MM-dd */
  contractDate: string
  /** Percent, decimal string ("12", "0"). */
  vatRate: string
  /** Decimal strings with 2 decimals, as on the invoice. */
  subtotal: string
  vatAmount: string
  lines: EsfSourceLine[]
}

export interface EsfPartyBody {
  Name: string
  Account: string
  BankId: string
  Address: string
  Director: string
  Accountant: string
  VatRegCode: string
  VatRegStatus: number | null
  BranchCode: string
  BranchName: string
}

export interface EsfProduct {
  OrdNo: number
  Name: string
  CatalogCode: string
  CatalogName: string
  PackageCode: string
  PackageName: string
  /** Up to 6 decimals. */
  Count: number
  /** Unit price, 2 decimals. */
  Summa: string
  /** Count x Summa. */
  DeliverySum: string
  VatRate: number
  VatSum: string
  DeliverySumWithVat: string
  /** Only present when ProductList.HasVat is true. */
  WithoutVat?: boolean
  /** 3 = services. */
  Origin: 3
}

export interface EsfBody {
  Version: 1
  FacturaType: 0
  HasRent: false
  FacturaRentDoc: null
  FacturaDoc: { FacturaNo: string; FacturaDate: string }
  ContractDoc: { ContractNo: string; ContractDate: string }
  ContractId: null
  OldFacturaDoc: null
  SellerTin: string
  Seller: EsfPartyBody
  ItemReleasedDoc: null
  BuyerTin: string
  Buyer: EsfPartyBody
  FacturaInvestmentObjectDoc: null
  FacturaEmpowermentDoc: null
  ForeignCompany: null
  ProductList: {
    Tin: string
    HasVat: boolean
    HasExcise: false
    HasCommittent: false
    HasLgota: false
    Products: EsfProduct[]
  }
}

const Dec = Decimal.clone({ precision: 60, rounding: Decimal.ROUND_HALF_UP, toExpNeg: -60, toExpPos: 60 })
type Dec = Decimal

const DATE = /^\d{4}-\d{2}-\d{2}$/
const MAX_COUNT_DECIMALS = 6
const CENT = new Dec('0.01')

interface NetLine {
  description: string
  quantity: Dec
  rate: Dec
  amount: Dec
  /** The unit price no longer fits the amount (a share of an amount cap was taken off). */
  priceChanged: boolean
}

/**
 * Builds the strict ESF body. Cap lines cannot appear in an ESF (no negative lines): an hours
 * cap is netted into the line it applies to, an amount cap is shared out over the lines in
 * proportion to their amounts. Each line's VAT is its amount times the rate, rounded to the
 * cent, and the rounding difference to the invoice VAT is given out one cent at a time in a
 * fixed order, so the lines add up to the invoice exactly and the same invoice always gives
 * the same body.
 */
export function buildEsf(input: { invoice: EsfInvoice; seller: EsfParty; buyer: EsfParty; catalog?: EsfCatalog }): EsfBody {
  const { invoice, seller, buyer } = input
  const catalog = input.catalog ?? DEFAULT_ESF_CATALOG
  checkDocument(invoice, seller, buyer, catalog)

  const lines = netLines(invoice)
  const vatRate = new Dec(invoice.vatRate)
  const vatSums = distributeVat(lines, vatRate, new Dec(invoice.vatAmount), invoice.number)
  const hasVat = vatRate.gt(0)

  const products = lines.map((line, i): EsfProduct => {
    const { count, price } = presentQuantity(line)
    const vatSum = vatSums[i]!
    return {
      OrdNo: i + 1,
      Name: line.description,
      CatalogCode: catalog.code,
      CatalogName: catalog.name,
      PackageCode: catalog.packageCode,
      PackageName: catalog.packageName,
      Count: count.toNumber(),
      Summa: price.toFixed(2),
      DeliverySum: line.amount.toFixed(2),
      VatRate: vatRate.toNumber(),
      VatSum: vatSum.toFixed(2),
      DeliverySumWithVat: line.amount.plus(vatSum).toFixed(2),
      // Didox: WithoutVat is sent only when HasVat is true.
      ...(hasVat ? { WithoutVat: false } : {}),
      Origin: 3,
    }
  })

  return {
    Version: 1,
    FacturaType: 0,
    HasRent: false,
    FacturaRentDoc: null,
    FacturaDoc: { FacturaNo: invoice.number, FacturaDate: invoice.issueDate },
    ContractDoc: { ContractNo: invoice.contractNumber, ContractDate: invoice.contractDate },
    ContractId: null,
    OldFacturaDoc: null,
    SellerTin: seller.tin,
    Seller: partyBody(seller),
    ItemReleasedDoc: null,
    BuyerTin: buyer.tin,
    Buyer: partyBody(buyer),
    FacturaInvestmentObjectDoc: null,
    FacturaEmpowermentDoc: null,
    ForeignCompany: null,
    ProductList: {
      Tin: seller.tin,
      HasVat: hasVat,
      HasExcise: false,
      HasCommittent: false,
      HasLgota: false,
      Products: products,
    },
  }
}

function partyBody(party: EsfParty): EsfPartyBody {
  return {
    Name: party.name,
    Account: party.account,
    BankId: party.bankId,
    Address: party.address,
    Director: party.director,
    Accountant: party.accountant,
    VatRegCode: party.vatRegCode,
    VatRegStatus: party.vatRegStatus,
    BranchCode: party.branchCode,
    BranchName: party.branchName,
  }
}

function checkDocument(invoice: EsfInvoice, seller: EsfParty, buyer: EsfParty, catalog: EsfCatalog): void {
  const problems: string[] = []
  if (invoice.number.trim() === '') problems.push('the invoice has no number')
  if (!DATE.test(invoice.issueDate)) problems.push(`issue date ${JSON.stringify(invoice.issueDate)} is not yyyy-MM-dd`)
  if (invoice.contractNumber.trim() === '') problems.push('the deal has no contract number (an ESF needs ContractDoc)')
  if (!DATE.test(invoice.contractDate)) problems.push(`contract date ${JSON.stringify(invoice.contractDate)} is not yyyy-MM-dd`)
  for (const [role, party] of [['seller', seller], ['buyer', buyer]] as const) {
    if (!/^\d{9}$/.test(party.tin)) problems.push(`${role} TIN ${JSON.stringify(party.tin)} is not 9 digits`)
    if (party.name.trim() === '') problems.push(`${role} has no name`)
    if (party.director.trim() === '') problems.push(`${role} has no director (required by the ESF)`)
  }
  if (!/^\d{17}$/.test(catalog.code)) problems.push(`catalog code ${JSON.stringify(catalog.code)} is not 17 digits`)
  for (const [field, value] of [['vat rate', invoice.vatRate], ['subtotal', invoice.subtotal], ['VAT', invoice.vatAmount]] as const) {
    if (!/^\d+(\.\d{1,2})?$/.test(value)) problems.push(`${field} ${JSON.stringify(value)} is not a non-negative decimal with at most 2 decimals`)
  }
  if (problems.length > 0) throw invalid(invoice, problems.join('; '))
}

/** Folds cap lines into the lines they reduce and drops lines that bill nothing. */
function netLines(invoice: EsfInvoice): NetLine[] {
  const parse = (value: string, what: string): Dec => {
    if (!/^-?\d+(\.\d+)?$/.test(value)) throw invalid(invoice, `${what} ${JSON.stringify(value)} is not a decimal`)
    return new Dec(value)
  }
  const byId = new Map<string, NetLine>()
  const lines: NetLine[] = []
  const amountCaps: Dec[] = []
  for (const source of invoice.lines) {
    const line: NetLine = {
      description: source.description,
      quantity: parse(source.quantity, `line ${source.lineId} quantity`),
      rate: parse(source.rate, `line ${source.lineId} rate`),
      amount: parse(source.amount, `line ${source.lineId} amount`),
      priceChanged: false,
    }
    if (source.kind !== 'cap') {
      lines.push(line)
      byId.set(source.lineId, line)
    } else if (source.appliesToLineId !== null) {
      const target = byId.get(source.appliesToLineId)
      if (!target) throw invalid(invoice, `cap line ${source.lineId} applies to ${source.appliesToLineId}, which is not before it`)
      target.quantity = target.quantity.plus(line.quantity)
      target.amount = target.amount.plus(line.amount)
    } else {
      amountCaps.push(line.amount)
    }
  }
  const billed = lines.filter((l) => !l.amount.isZero())
  shareOutAmountCaps(invoice, billed, amountCaps.reduce((sum, a) => sum.plus(a), new Dec(0)))

  const result = billed.filter((l) => !l.amount.isZero())
  if (result.length === 0) throw invalid(invoice, 'no line bills anything')
  for (const line of result) {
    if (line.amount.isNegative()) throw invalid(invoice, `line "${line.description}" nets to a negative amount, which an ESF cannot carry`)
  }
  const sum = result.reduce((total, l) => total.plus(l.amount), new Dec(0))
  if (!sum.eq(new Dec(invoice.subtotal))) throw invalid(invoice, `the lines add up to ${sum.toFixed(2)}, the subtotal is ${invoice.subtotal}`)
  return result
}

/**
 * Takes an amount cap (negative) off the lines in proportion to their amounts, in cents;
 * leftover cents go to the largest remainders, ties to the earlier line.
 */
function shareOutAmountCaps(invoice: EsfInvoice, lines: NetLine[], cap: Dec): void {
  if (cap.isZero()) return
  const total = lines.reduce((sum, l) => sum.plus(l.amount), new Dec(0))
  const reduction = cap.neg()
  if (total.lte(0) || reduction.gt(total)) throw invalid(invoice, `an amount cap of ${cap.toFixed(2)} exceeds the lines (${total.toFixed(2)})`)
  const exact = lines.map((l) => l.amount.times(reduction).div(total))
  const shares = exact.map((e) => e.toDecimalPlaces(2, Decimal.ROUND_DOWN))
  let leftover = reduction.minus(shares.reduce((sum, s) => sum.plus(s), new Dec(0))).div(CENT).toNumber()
  const order = exact.map((e, i) => ({ i, remainder: e.minus(shares[i]!) })).sort((a, b) => b.remainder.comparedTo(a.remainder) || a.i - b.i)
  for (const { i } of order) {
    if (leftover <= 0) break
    shares[i] = shares[i]!.plus(CENT)
    leftover -= 1
  }
  lines.forEach((line, i) => {
    if (shares[i]!.isZero()) return
    line.amount = line.amount.minus(shares[i]!)
    line.priceChanged = true
  })
}

/**
 * Count and unit price such that Count x Summa = DeliverySum exactly. Hours and the rate are
 * kept when they allow it; otherwise the line is shown as one unit at its amount.
 */
function presentQuantity(line: NetLine): { count: Dec; price: Dec } {
  const keepsUnits =
    !line.priceChanged &&
    line.quantity.gt(0) &&
    line.quantity.decimalPlaces() <= MAX_COUNT_DECIMALS &&
    line.rate.decimalPlaces() <= 2 &&
    line.quantity.times(line.rate).toDecimalPlaces(2, Decimal.ROUND_HALF_UP).eq(line.amount)
  return keepsUnits ? { count: line.quantity, price: line.rate } : { count: new Dec(1), price: line.amount }
}

/**
 * Each line's VAT rounded half-up to the cent, then the difference to the invoice's VAT given
 * out a cent at a time: to the lines that lost most by rounding when VAT is short, taken from
 * those that gained most when it is over; ties go to the earlier line.
 */
function distributeVat(lines: NetLine[], rate: Dec, target: Dec, number: string): Dec[] {
  const exact = lines.map((l) => l.amount.times(rate).div(100))
  const sums = exact.map((e) => e.toDecimalPlaces(2, Decimal.ROUND_HALF_UP))
  const rounded = sums.reduce((total, s) => total.plus(s), new Dec(0))
  let cents = target.minus(rounded).div(CENT).toNumber()
  if (!Number.isInteger(cents) || Math.abs(cents) > lines.length) {
    throw new PermanentError(
      ERROR_TYPES.invalidDocument,
      `ESF for invoice ${number}: the invoice VAT ${target.toFixed(2)} does not match ${rate.toString()} % of its lines (${rounded.toFixed(2)})`,
    )
  }
  const step = cents > 0 ? CENT : CENT.neg()
  const order = exact
    .map((e, i) => ({ i, loss: e.minus(sums[i]!) }))
    .sort((a, b) => (cents > 0 ? b.loss.comparedTo(a.loss) : a.loss.comparedTo(b.loss)) || a.i - b.i)
  for (const { i } of order) {
    if (cents === 0) break
    if (step.isNegative() && sums[i]!.lt(CENT)) continue
    sums[i] = sums[i]!.plus(step)
    cents -= Math.sign(cents)
  }
  if (cents !== 0) {
    throw new PermanentError(ERROR_TYPES.invalidDocument, `ESF for invoice ${number}: the invoice VAT ${target.toFixed(2)} cannot be shared out over its lines`)
  }
  return sums
}

function invalid(invoice: EsfInvoice, problem: string): PermanentError {
  return new PermanentError(ERROR_TYPES.invalidDocument, `ESF for invoice ${invoice.number || '(no number)'}: ${problem}`)
}
