import {
  buildBuyerView,
  buildLineViews,
  buildSellerView,
  buildSigners,
  buildTotalsView,
  describePeriod,
  type LineView,
  type PartyView,
  type SignerView,
  type TotalsView,
} from './build-invoice-view.js'
import type { CreditNoteDocument } from './credit-note-document.js'
import { CREDIT_NOTE_LABELS, CREDIT_NOTE_PHRASES, type CreditNoteLabels } from './credit-note-labels.js'
import { formatDate } from './format-date.js'
import { formatMoneyWithCurrency } from './format-number.js'
import { toIntlLocale } from './intl-locale.js'
import { INVOICE_PHRASES } from './invoice-phrases.js'

/**
 * The strings `templates/credit-note.njk` prints. The parts it shares with the invoice (parties,
 * lines, totals, signatures) have the invoice view's shape, so the invoice partials print them.
 */
export interface CreditNoteView extends TotalsView {
  lang: string
  t: CreditNoteLabels
  title: string
  number: string
  issueDate: string
  /** "to invoice No. INV-… of 25 Nov 2026" */
  invoiceReference: string
  invoice: { number: string; issueDate: string; total: string }
  period: string
  contract: string
  dealTitle: string
  currency: string
  seller: PartyView
  buyer: PartyView
  lines: LineView[]
  reason: string
  /** "Cancels invoice … in full." on a void, null on a partial credit note. */
  voidNote: string | null
  remainingAfter: string
  signers: SignerView[]
}

/** Turns the credit note document into the strings the template prints, as `buildInvoiceView` does. */
export function buildCreditNoteView(document: CreditNoteDocument): CreditNoteView {
  const { language, currency } = document
  const t = CREDIT_NOTE_LABELS[language]
  const phrases = CREDIT_NOTE_PHRASES[language]
  const date = (value: string): string => formatDate(value, language)
  const moneyWithCurrency = (value: string): string => formatMoneyWithCurrency(value, currency, language)
  const invoiceRef = { number: document.invoice.number, date: date(document.invoice.issueDate) }

  return {
    lang: toIntlLocale(language),
    t,
    title: `${t.documentTitle} ${t.numberSign} ${document.number}`,
    number: document.number,
    issueDate: date(document.issueDate),
    invoiceReference: phrases.invoiceReference(invoiceRef),
    invoice: { number: document.invoice.number, issueDate: invoiceRef.date, total: moneyWithCurrency(document.invoice.total) },
    period: describePeriod(document.period, language),
    contract: INVOICE_PHRASES[language].contractReference({ number: document.contract.number, date: date(document.contract.date) }),
    dealTitle: document.contract.dealTitle,
    currency,
    seller: buildSellerView(document.seller, t),
    buyer: buildBuyerView(document.buyer, t),
    lines: buildLineViews(document.lines, currency, language, t),
    ...buildTotalsView(document, t),
    reason: document.reason,
    voidNote: document.kind === 'void' ? phrases.cancelsInFull(invoiceRef) : null,
    remainingAfter: moneyWithCurrency(document.remainingAfter),
    signers: buildSigners(document.seller, t),
  }
}
