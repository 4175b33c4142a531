import { Decimal } from 'decimal.js'

/**
 * The Didox fake's check of an ESF (doc type 002) body, as strict as Didox documents it: no
 * unknown fields, unused objects `null` rather than `{}`, dates `yyyy-MM-dd`, numbers (JSON
 * numbers or plain decimal strings) with at most 2 decimals and `Count` with at most 6, and
 * line arithmetic that adds up. Problems come back as Didox's field map `{ field: [messages] }`.
 *
 * Factura types: 0 standard, 1 additional ("дополнительный": records a difference, within a
 * year of the original; its amounts may be negative, a decrease, all lines the same way), 4
 * corrected ("исправленный": replaces the original). Types 1 and 4 name the original in
 * `OldFacturaDoc`, which must be a signed document of the same seller and buyer; with type 0 it is
 * null.
 */

export type FieldErrors = Record<string, string[]>

/** What the rules need to know of an earlier document that `OldFacturaDoc` names. */
export interface EsfOriginal {
  documentId: string
  sellerTin: string | null
  buyerTin: string
  /** FacturaNo */
  number: string
  /** FacturaDate, yyyy-MM-dd */
  date: string
  status: number
}

/** Finds an earlier document by its `_id` (case-insensitive); undefined when there is none. */
export type FindEsfOriginal = (documentId: string) => EsfOriginal | undefined

export const FACTURA_TYPES = { standard: 0, additional: 1, corrected: 4 } as const
/** Statuses of a document the buyer has signed: 3 accepted, 8 signed by agent. */
const SIGNED_STATUSES = [3, 8]
const OLD_FACTURA_FIELDS = ['OldFacturaId', 'OldFacturaNo', 'OldFacturaDate']
const AMOUNT_FIELDS = ['Summa', 'DeliverySum', 'VatSum', 'DeliverySumWithVat']
const DAY_MS = 86_400_000
/** An additional ESF may follow its original by at most a year. */
const ADDITIONAL_MAX_DAYS = 365

const TOP_REQUIRED = ['Version', 'FacturaType', 'FacturaDoc', 'ContractDoc', 'SellerTin', 'Seller', 'BuyerTin', 'Buyer', 'ProductList']
/** Documented optional fields; the objects among them must be null when unused. */
const TOP_OPTIONAL = ['HasRent', 'FacturaRentDoc', 'ContractId', 'LotId', 'OldFacturaDoc', 'ItemReleasedDoc', 'FacturaInvestmentObjectDoc', 'FacturaEmpowermentDoc', 'ForeignCompany', 'WaybillLocalIds', 'HasMarking', 'SingleSidedType']
const OPTIONAL_OBJECTS = ['FacturaRentDoc', 'OldFacturaDoc', 'ItemReleasedDoc', 'FacturaInvestmentObjectDoc', 'FacturaEmpowermentDoc', 'ForeignCompany']
const PARTY_FIELDS = ['Name', 'Account', 'BankId', 'Address', 'Director', 'Accountant', 'VatRegCode', 'VatRegStatus', 'BranchCode', 'BranchName']
const PRODUCT_LIST_REQUIRED = ['Tin', 'HasVat', 'Products']
const PRODUCT_LIST_OPTIONAL = ['HasExcise', 'HasCommittent', 'HasLgota', 'HideReportCommittent']
const PRODUCT_REQUIRED = ['OrdNo', 'Name', 'CatalogCode', 'CatalogName', 'PackageCode', 'PackageName', 'Count', 'Summa', 'DeliverySum', 'VatRate', 'VatSum', 'DeliverySumWithVat', 'Origin']
const PRODUCT_OPTIONAL = ['WithoutVat', 'LgotaId', 'CommittentName', 'CommittentTin', 'CommittentVatRegCode', 'CommittentVatRegStatus', 'Marks', 'Barcode', 'ExciseRate', 'ExciseSum', 'LgotaType', 'LgotaName', 'LgotaVatSum', 'WarehouseId']
const DATE = /^\d{4}-\d{2}-\d{2}$/
const PLAIN_DECIMAL = /^-?\d+(\.\d+)?$/

/**
 * Validates an ESF body; an empty result means Didox would accept it. `findOriginal` looks up the
 * document an additional or corrected ESF names (without it, none is found).
 */
export function validateEsf(body: unknown, sellerTaxId: string, findOriginal: FindEsfOriginal = () => undefined): FieldErrors {
  const errors: FieldErrors = {}
  const add = (field: string, message: string): void => {
    ;(errors[field] ??= []).push(message)
  }
  if (!isObject(body)) {
    add('body', 'must be a JSON object')
    return errors
  }
  checkKeys(body, '', TOP_REQUIRED, TOP_OPTIONAL, add)
  const facturaType = body.FacturaType
  const refersToOriginal = facturaType === FACTURA_TYPES.additional || facturaType === FACTURA_TYPES.corrected
  for (const name of OPTIONAL_OBJECTS) {
    // A {} OldFacturaDoc of an additional or corrected ESF is reported as missing fields below.
    if (name === 'OldFacturaDoc' && refersToOriginal) continue
    if (name in body && body[name] !== null && isBlankObject(body[name])) add(name, 'an unused object must be null, not {}')
  }
  if (body.Version !== 1) add('Version', 'must be 1')
  if (!Object.values(FACTURA_TYPES).includes(facturaType as 0)) add('FacturaType', 'must be 0 (standard), 1 (additional) or 4 (corrected)')

  checkDoc(body.FacturaDoc, 'FacturaDoc', ['FacturaNo', 'FacturaDate'], add)
  checkDoc(body.ContractDoc, 'ContractDoc', ['ContractNo', 'ContractDate'], add)

  if (typeof body.SellerTin !== 'string' || !/^\d{9}(\d{5})?$/.test(body.SellerTin)) add('SellerTin', 'must be a TIN (9 digits) or PINFL (14 digits)')
  else if (body.SellerTin !== sellerTaxId) add('SellerTin', 'must be the TIN of the signed-in company')
  if (typeof body.BuyerTin !== 'string' || !/^\d{9}(\d{5})?$/.test(body.BuyerTin)) add('BuyerTin', 'must be a TIN (9 digits) or PINFL (14 digits)')
  else if (body.BuyerTin === body.SellerTin) add('BuyerTin', 'must differ from SellerTin')
  checkParty(body.Seller, 'Seller', add)
  checkParty(body.Buyer, 'Buyer', add)
  if (refersToOriginal) checkOriginal(body, facturaType, findOriginal, add)
  else if (facturaType === FACTURA_TYPES.standard && body.OldFacturaDoc !== undefined && body.OldFacturaDoc !== null && !isBlankObject(body.OldFacturaDoc)) {
    add('OldFacturaDoc', 'must be null when FacturaType is 0 (standard)')
  }
  checkProducts(body.ProductList, body.SellerTin, facturaType === FACTURA_TYPES.additional, add)
  return errors
}

/** `OldFacturaDoc` of an additional (1) or corrected (4) ESF: a signed document of the same seller and buyer. */
function checkOriginal(body: Record<string, unknown>, facturaType: unknown, findOriginal: FindEsfOriginal, add: Add): void {
  const kind = facturaType === FACTURA_TYPES.additional ? 'an additional' : 'a corrected'
  const old = body.OldFacturaDoc
  if (!isObject(old)) {
    add('OldFacturaDoc', `is required for ${kind} ESF: { OldFacturaId, OldFacturaNo, OldFacturaDate } of the original`)
    return
  }
  checkKeys(old, 'OldFacturaDoc.', OLD_FACTURA_FIELDS, [], add)
  let complete = true
  for (const field of ['OldFacturaId', 'OldFacturaNo']) {
    if (typeof old[field] !== 'string' || old[field].trim() === '') {
      add(`OldFacturaDoc.${field}`, 'is required')
      complete = false
    }
  }
  const dateErrors: string[] = []
  checkDate(old.OldFacturaDate, 'OldFacturaDoc.OldFacturaDate', (field, message) => {
    dateErrors.push(message)
    add(field, message)
  })
  if (!complete || dateErrors.length > 0) return

  const oldId = old.OldFacturaId as string
  const original = findOriginal(oldId)
  if (original === undefined) {
    add('OldFacturaDoc.OldFacturaId', `names no document (${oldId})`)
    return
  }
  if (original.sellerTin !== null && original.sellerTin !== body.SellerTin) add('OldFacturaDoc.OldFacturaId', 'names a document of another seller')
  if (original.buyerTin !== body.BuyerTin) add('OldFacturaDoc.OldFacturaId', `names a document of another buyer (${original.buyerTin})`)
  if (original.number !== old.OldFacturaNo) add('OldFacturaDoc.OldFacturaNo', `must be the original's number (${original.number})`)
  if (original.date !== old.OldFacturaDate) add('OldFacturaDoc.OldFacturaDate', `must be the original's date (${original.date})`)
  if (!SIGNED_STATUSES.includes(original.status)) {
    add('OldFacturaDoc', `the original must be signed by the buyer (status 3 or 8); it has status ${original.status}`)
  }
  if (facturaType === FACTURA_TYPES.additional && isObject(body.FacturaDoc) && typeof body.FacturaDoc.FacturaDate === 'string' && DATE.test(body.FacturaDoc.FacturaDate)) {
    const days = (Date.parse(`${body.FacturaDoc.FacturaDate}T00:00:00Z`) - Date.parse(`${original.date}T00:00:00Z`)) / DAY_MS
    if (days < 0) add('FacturaDoc.FacturaDate', 'an additional ESF cannot be dated before its original')
    else if (days > ADDITIONAL_MAX_DAYS) add('FacturaDoc.FacturaDate', `an additional ESF must be within a year (${ADDITIONAL_MAX_DAYS} days) of its original; it is ${days} days later`)
  }
}

type Add = (field: string, message: string) => void

function checkKeys(object: Record<string, unknown>, prefix: string, required: string[], optional: string[], add: Add): void {
  for (const key of required) if (!(key in object)) add(`${prefix}${key}`, 'is required')
  for (const key of Object.keys(object)) {
    if (!required.includes(key) && !optional.includes(key)) add(`${prefix}${key}`, 'unknown field')
  }
}

function checkDoc(value: unknown, name: string, [numberField, dateField]: [string, string], add: Add): void {
  if (!isObject(value)) {
    add(name, 'must be an object')
    return
  }
  checkKeys(value, `${name}.`, [numberField, dateField], [], add)
  if (typeof value[numberField] !== 'string' || value[numberField].trim() === '') add(`${name}.${numberField}`, 'is required')
  checkDate(value[dateField], `${name}.${dateField}`, add)
}

function checkParty(value: unknown, name: string, add: Add): void {
  if (!isObject(value)) {
    add(name, 'must be an object')
    return
  }
  checkKeys(value, `${name}.`, ['Name', 'Director'], PARTY_FIELDS.filter((f) => f !== 'Name' && f !== 'Director'), add)
  for (const field of PARTY_FIELDS) {
    if (!(field in value)) continue
    const v = value[field]
    if (field === 'VatRegStatus') {
      if (v !== null && !Number.isInteger(v)) add(`${name}.${field}`, 'must be an integer status code or null')
    } else if (typeof v !== 'string') add(`${name}.${field}`, 'must be a string')
  }
  if (typeof value.Name === 'string' && value.Name.trim() === '') add(`${name}.Name`, 'is required')
  if (typeof value.Director === 'string' && value.Director.trim() === '') add(`${name}.Director`, 'is required')
}

function checkProducts(value: unknown, sellerTin: unknown, mayDecrease: boolean, add: Add): void {
  if (!isObject(value)) {
    add('ProductList', 'must be an object')
    return
  }
  checkKeys(value, 'ProductList.', PRODUCT_LIST_REQUIRED, PRODUCT_LIST_OPTIONAL, add)
  if (value.Tin !== sellerTin) add('ProductList.Tin', 'must equal SellerTin')
  for (const flag of ['HasVat', ...PRODUCT_LIST_OPTIONAL]) {
    if (flag in value && typeof value[flag] !== 'boolean') add(`ProductList.${flag}`, 'must be true or false')
  }
  const hasVat = value.HasVat === true
  const products = value.Products
  if (!Array.isArray(products) || products.length === 0) {
    add('ProductList.Products', 'at least one product is required')
    return
  }
  const signs = new Set<number>()
  products.forEach((product: unknown, i) => {
    const sign = checkProduct(product, i, hasVat, mayDecrease, add)
    if (sign !== 0) signs.add(sign)
  })
  if (signs.size > 1) add('ProductList.Products', 'all products of an additional ESF must change the amounts the same way (all increases or all decreases)')
}

/** Checks a product; answers the sign of its amounts (-1 a decrease, 1, or 0 when zero or unreadable). */
function checkProduct(product: unknown, i: number, hasVat: boolean, mayDecrease: boolean, add: Add): number {
  const at = `ProductList.Products.${i}`
  if (!isObject(product)) {
    add(at, 'must be an object')
    return 0
  }
  checkKeys(product, `${at}.`, PRODUCT_REQUIRED, PRODUCT_OPTIONAL, add)
  if (product.OrdNo !== i + 1 && product.OrdNo !== String(i + 1)) add(`${at}.OrdNo`, `must be ${i + 1}`)
  for (const field of ['Name', 'CatalogName', 'PackageName']) {
    if (typeof product[field] !== 'string' || product[field].trim() === '') add(`${at}.${field}`, 'is required')
  }
  if (typeof product.CatalogCode !== 'string' || !/^\d{17}$/.test(product.CatalogCode)) add(`${at}.CatalogCode`, 'must be a 17-digit IKPU code')
  if (typeof product.PackageCode !== 'string' && typeof product.PackageCode !== 'number') add(`${at}.PackageCode`, 'is required')
  if (![1, 2, 3, 4].includes(product.Origin as number)) add(`${at}.Origin`, 'must be 1, 2, 3 or 4')
  if (hasVat && typeof product.WithoutVat !== 'boolean') add(`${at}.WithoutVat`, 'is required when HasVat is true')
  if (!hasVat && 'WithoutVat' in product) add(`${at}.WithoutVat`, 'must not be sent when HasVat is false')

  const count = readNumber(product.Count, `${at}.Count`, 6, add)
  const summa = readNumber(product.Summa, `${at}.Summa`, 2, add)
  const deliverySum = readNumber(product.DeliverySum, `${at}.DeliverySum`, 2, add)
  const vatRate = readNumber(product.VatRate, `${at}.VatRate`, 2, add)
  const vatSum = readNumber(product.VatSum, `${at}.VatSum`, 2, add)
  const withVat = readNumber(product.DeliverySumWithVat, `${at}.DeliverySumWithVat`, 2, add)
  for (const field of ['ExciseRate', 'ExciseSum', 'LgotaVatSum']) {
    if (field in product && product[field] !== null) readNumber(product[field], `${at}.${field}`, 2, add)
  }
  if (count && count.lte(0)) add(`${at}.Count`, 'must be positive')
  const amounts = { Summa: summa, DeliverySum: deliverySum, VatSum: vatSum, DeliverySumWithVat: withVat }
  const signs = new Set<number>()
  for (const field of AMOUNT_FIELDS) {
    const amount = amounts[field as keyof typeof amounts]
    if (!amount || amount.isZero()) continue
    if (amount.isNegative() && !mayDecrease) add(`${at}.${field}`, 'must not be negative (only an additional ESF, FacturaType 1, may decrease amounts)')
    signs.add(amount.isNegative() ? -1 : 1)
  }
  if (mayDecrease && signs.size > 1) add(at, 'amounts must all be decreases or all increases')
  if (count && summa && deliverySum && !count.times(summa).toDecimalPlaces(2, Decimal.ROUND_HALF_UP).eq(deliverySum)) {
    add(`${at}.DeliverySum`, 'must equal Count x Summa')
  }
  if (deliverySum && vatSum && withVat && !deliverySum.plus(vatSum).eq(withVat)) add(`${at}.DeliverySumWithVat`, 'must equal DeliverySum + VatSum')
  if (deliverySum && vatRate && vatSum) {
    const expected = deliverySum.times(vatRate).div(100)
    if (expected.minus(vatSum).abs().gt('0.01')) add(`${at}.VatSum`, 'must be DeliverySum x VatRate / 100 (to the cent)')
  }
  return signs.size === 1 ? [...signs][0]! : 0
}

function readNumber(value: unknown, field: string, maxDecimals: number, add: Add): Decimal | null {
  let text: string
  if (typeof value === 'number' && Number.isFinite(value)) text = String(value)
  else if (typeof value === 'string') text = value
  else {
    add(field, 'must be a number')
    return null
  }
  if (!PLAIN_DECIMAL.test(text)) {
    add(field, 'must be a plain decimal number with a dot (no exponent, no thousands separators)')
    return null
  }
  const decimals = text.includes('.') ? text.length - text.indexOf('.') - 1 : 0
  if (decimals > maxDecimals) {
    add(field, `must have at most ${maxDecimals} decimals`)
    return null
  }
  return new Decimal(text)
}

function checkDate(value: unknown, field: string, add: Add): void {
  if (typeof value !== 'string' || !DATE.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`))) add(field, 'must be a date yyyy-MM-dd')
}

function isBlankObject(value: unknown): boolean {
  return isObject(value) && Object.values(value).every((v) => v === '' || v === null || isBlankObject(v))
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
