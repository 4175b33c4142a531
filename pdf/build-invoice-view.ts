import { spellAmount } from './amount-in-words.js'
import { addDays } from './date-only.js'
import { formatDate, formatMonth } from './format-date.js'
import { formatDecimal, formatMoney, formatMoneyWithCurrency, formatPercent } from './format-number.js'
import { toIntlLocale } from './intl-locale.js'
import type { InvoiceDocument } from './invoice-document.js'
import { INVOICE_LABELS, type InvoiceLabels } from './invoice-labels.js'
import { INVOICE_PHRASES } from './invoice-phrases.js'

/** A label and its value in a details block; rows with an empty value are left out. */
export interface DetailRow {
  label: string
  value: string
}

export interface InvoiceView {
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
  seller: { name: string; legalName: string; rows: DetailRow[] }
  buyer: { name: string; legalName: string; rows: DetailRow[] }
  lines: { position: number; description: string; quantity: string; unit: string; rate: string; amount: string }[]
  subtotal: string
  vatLabel: string
  vatAmount: string
  total: string
  totalInWords: string
  paymentTerms: string
  payment: DetailRow[]
  signers: { role: string; name: string }[]
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
    period: describePeriod(document, date),
    contract: phrases.contractReference({ number: document.contract.number, date: date(document.contract.date) }),
    dealTitle: document.contract.dealTitle,
    currency,
    seller: {
      name: document.seller.name,
      legalName: document.seller.legalName,
      rows: keepFilled([
        { label: t.address, value: document.seller.address },
        { label: t.tin, value: document.seller.tin },
        { label: t.vatRegCode, value: document.seller.vatRegCode },
        { label: t.email, value: document.seller.email },
        { label: t.phone, value: document.seller.phone },
      ]),
    },
    buyer: {
      name: document.buyer.name,
      legalName: document.buyer.legalName,
      rows: keepFilled([
        { label: t.address, value: document.buyer.address },
        { label: t.tin, value: document.buyer.tin ?? '' },
        { label: t.vatRegCode, value: document.buyer.vatRegCode },
        { label: t.bank, value: document.buyer.bankName },
        { label: t.bankAccount, value: document.buyer.bankAccount },
        { label: t.mfo, value: document.buyer.mfo },
        { label: t.swift, value: document.buyer.swift },
      ]),
    },
    lines: document.lines.map((line) => ({
      position: line.position,
      description: line.description,
      quantity: formatDecimal(line.quantity, language),
      unit: t.units[line.unit],
      rate: money(line.rate),
      amount: money(line.amount),
    })),
    subtotal: money(document.subtotal),
    vatLabel: `${t.vat} ${formatPercent(document.vatRate, language)}`,
    vatAmount: money(document.vatAmount),
    total: formatMoneyWithCurrency(document.total, currency, language),
    totalInWords: spellAmount({ amount: document.total, currency, language }),
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
    signers: [
      { role: t.director, name: document.seller.director },
      { role: t.accountant, name: document.seller.accountant },
    ].filter((signer) => signer.name.trim() !== ''),
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

/** "October 2026 (1 Oct 2026 – 31 Oct 2026)"; a range that is not a calendar month shows its dates only. */
function describePeriod(document: InvoiceDocument, date: (value: string) => string): string {
  const range = `${date(document.period.from)} – ${date(addDays(document.period.to, -1))}`
  return /^\d{4}-\d{2}$/.test(document.period.label) ? `${formatMonth(document.period.from, document.language)} (${range})` : range
}

function keepFilled(rows: DetailRow[]): DetailRow[] {
  return rows.filter((row) => row.value.trim() !== '')
}
