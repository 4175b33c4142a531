import type { InvoiceLanguage } from '../sources/types.js'
import { spellAmount } from './amount-in-words.js'
import { addDays } from './date-only.js'
import { formatDate, formatMonth } from './format-date.js'
import { formatDecimal, formatMoney, formatMoneyWithCurrency, formatPercent } from './format-number.js'
import { toIntlLocale } from './intl-locale.js'
import type { InvoiceBuyer, InvoiceDocument, InvoiceDocumentLine, InvoiceDocumentPeriod, InvoiceSeller } from './invoice-document.js'
import { INVOICE_LABELS, type InvoiceLabels } from './invoice-labels.js'
import { INVOICE_PHRASES } from './invoice-phrases.js'

/** A label and its value in a details block; rows with an empty value are left out. */
export interface DetailRow {
  label: string
  value: string
}

/** A party block: legal name, trading name, filled detail rows. */
export interface PartyView {
  name: string
  legalName: string
  rows: DetailRow[]
}

/** A row of the lines table, every figure formatted. */
export interface LineView {
  position: number
  description: string
  quantity: string
  unit: string
  rate: string
  amount: string
}

export interface SignerView {
  role: string
  name: string
}

/** The totals under the lines table and the total in words. */
export interface TotalsView {
  subtotal: string
  vatLabel: string
  vatAmount: string
  /** With the currency code. */
  total: string
  totalInWords: string
}

export interface InvoiceView extends TotalsView {
  lang: string
  t: InvoiceLabels
  title: string
  number: string
  issueDate: string
  dueDate: string
  period: string
  contract: string
  dealTitle: string
  currency: string
  seller: PartyView
  buyer: PartyView
  lines: LineView[]
  paymentTerms: string
  payment: DetailRow[]
  signers: SignerView[]
  appendix: {
    title: string
    rows: {
      position: number
      issueKey: string
      summary: string
      summaryMissing: boolean
      category: string
      line: string
      rawHours: string
      billableHours: string
      amount: string
    }[]
  } | null
}

/**
 * Turns the document into the strings the template prints: labels of the invoice language,
 * figures and dates formatted for it, empty details dropped. The template then holds layout
 * only, and everything language-specific is testable without rendering.
 */
export function buildInvoiceView(document: InvoiceDocument): InvoiceView {
  const { language, currency } = document
  const t = INVOICE_LABELS[language]
  const phrases = INVOICE_PHRASES[language]
  const date = (value: string): string => formatDate(value, language)
  const money = (value: string): string => formatMoney(value, currency, language)
  const hours = (value: string): string => formatDecimal(value, language)
  const number = `${t.numberSign} ${document.number}`

  return {
    lang: toIntlLocale(language),
    t,
    title: `${t.documentTitle} ${number}`,
    number: document.number,
    issueDate: date(document.issueDate),
    dueDate: date(document.dueDate),
    period: describePeriod(document.period, language),
    contract: phrases.contractReference({ number: document.contract.number, date: date(document.contract.date) }),
    dealTitle: document.contract.dealTitle,
    currency,
    seller: buildSellerView(document.seller, t),
    buyer: buildBuyerView(document.buyer, t),
    lines: buildLineViews(document.lines, currency, language, t),
    ...buildTotalsView(document, t),
    paymentTerms: phrases.paymentTerms({ days: document.paymentTerms.days, dueDate: date(document.paymentTerms.dueDate) }),
    payment: keepFilled([
      { label: t.beneficiary, value: document.seller.legalName },
      { label: t.tin, value: document.seller.tin },
      { label: t.bank, value: document.seller.bankName },
      { label: t.bankAccount, value: document.seller.bankAccount },
      { label: t.mfo, value: document.seller.mfo },
      { label: t.swift, value: document.seller.swift },
      { label: t.paymentReference, value: phrases.paymentReference({ number: document.number }) },
    ]),
    signers: buildSigners(document.seller, t),
    appendix:
      document.appendix.length === 0
        ? null
        : {
            title: phrases.appendixTitle({ number: document.number, issueDate: date(document.issueDate) }),
            rows: document.appendix.map((row, index) => ({
              position: index + 1,
              issueKey: row.issueKey,
              summary: row.summary ?? t.issueNotFound,
              summaryMissing: row.summary === null,
              category: row.category,
              line: row.linePosition === null ? t.notPriced : String(row.linePosition),
              rawHours: hours(row.rawHours),
              billableHours: hours(row.billableHours),
              amount: row.amount === null ? t.notPriced : money(row.amount),
            })),
          },
  }
}

/** The supplier block: the seller's identity and contact details (its bank details go to the payment block). */
export function buildSellerView(seller: InvoiceSeller, t: InvoiceLabels): PartyView {
  return {
    name: seller.name,
    legalName: seller.legalName,
    rows: keepFilled([
      { label: t.address, value: seller.address },
      { label: t.tin, value: seller.tin },
      { label: t.vatRegCode, value: seller.vatRegCode },
      { label: t.email, value: seller.email },
      { label: t.phone, value: seller.phone },
    ]),
  }
}

/** The customer block: legal and bank details, empty ones left out. */
export function buildBuyerView(buyer: InvoiceBuyer, t: InvoiceLabels): PartyView {
  return {
    name: buyer.name,
    legalName: buyer.legalName,
    rows: keepFilled([
      { label: t.address, value: buyer.address },
      { label: t.tin, value: buyer.tin ?? '' },
      { label: t.vatRegCode, value: buyer.vatRegCode },
      { label: t.bank, value: buyer.bankName },
      { label: t.bankAccount, value: buyer.bankAccount },
      { label: t.mfo, value: buyer.mfo },
      { label: t.swift, value: buyer.swift },
    ]),
  }
}

/** The lines table's rows, figures in the document's language. */
export function buildLineViews(lines: InvoiceDocumentLine[], currency: string, language: InvoiceLanguage, t: InvoiceLabels): LineView[] {
  return lines.map((line) => ({
    position: line.position,
    description: line.description,
    quantity: formatDecimal(line.quantity, language),
    unit: t.units[line.unit],
    rate: formatMoney(line.rate, currency, language),
    amount: formatMoney(line.amount, currency, language),
  }))
}

/** Subtotal, VAT, total and the total in words of a document's figures. */
export function buildTotalsView(
  figures: { language: InvoiceLanguage; currency: string; subtotal: string; vatRate: string; vatAmount: string; total: string },
  t: InvoiceLabels,
): TotalsView {
  const { language, currency } = figures
  return {
    subtotal: formatMoney(figures.subtotal, currency, language),
    vatLabel: `${t.vat} ${formatPercent(figures.vatRate, language)}`,
    vatAmount: formatMoney(figures.vatAmount, currency, language),
    total: formatMoneyWithCurrency(figures.total, currency, language),
    totalInWords: spellAmount({ amount: figures.total, currency, language }),
  }
}

/** The seller's signers, those without a name left out. */
export function buildSigners(seller: InvoiceSeller, t: InvoiceLabels): SignerView[] {
  return [
    { role: t.director, name: seller.director },
    { role: t.accountant, name: seller.accountant },
  ].filter((signer) => signer.name.trim() !== '')
}

/** "October 2026 (1 Oct 2026 – 31 Oct 2026)"; a range that is not a calendar month shows its dates only. */
export function describePeriod(period: InvoiceDocumentPeriod, language: InvoiceLanguage): string {
  const date = (value: string): string => formatDate(value, language)
  const range = `${date(period.from)} – ${date(addDays(period.to, -1))}`
  return /^\d{4}-\d{2}$/.test(period.label) ? `${formatMonth(period.from, language)} (${range})` : range
}

export function keepFilled(rows: DetailRow[]): DetailRow[] {
  return rows.filter((row) => row.value.trim() !== '')
}
