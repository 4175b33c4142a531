import type { InvoiceLanguage } from '../sources/types.js'
import { INVOICE_LABELS, type InvoiceLabels } from './invoice-labels.js'

/**
 * Every fixed text of the credit note template: the invoice's labels (the shared partials print
 * them), with the document's own title, totals and footer, and the few labels only a credit
 * note has.
 */
export interface CreditNoteLabels extends InvoiceLabels {
  /** Label of the corrected invoice in the header facts. */
  invoice: string
  reason: string
  invoiceTotal: string
  remainingAfter: string
}

const EN: CreditNoteLabels = {
  ...INVOICE_LABELS.en,
  documentTitle: 'Credit note',
  number: 'Credit note no.',
  total: 'Total credited',
  amountInWords: 'Credited amount in words',
  footerDocument: 'Credit note',
  invoice: 'Invoice',
  reason: 'Reason',
  invoiceTotal: 'Invoice total',
  remainingAfter: 'Invoice total after this credit note',
}

const RU: CreditNoteLabels = {
  ...INVOICE_LABELS.ru,
  documentTitle: 'Кредит-нота',
  number: 'Номер кредит-ноты',
  issueDate: 'Дата',
  total: 'Итого по кредит-ноте',
  amountInWords: 'Сумма кредит-ноты прописью',
  footerDocument: 'Кредит-нота',
  invoice: 'Счёт',
  reason: 'Основание',
  invoiceTotal: 'Сумма счёта',
  remainingAfter: 'Сумма счёта после этой кредит-ноты',
}

const UZ: CreditNoteLabels = {
  ...INVOICE_LABELS.uz,
  documentTitle: 'Kredit-nota',
  number: 'Kredit-nota raqami',
  total: 'Kredit-nota boʻyicha jami',
  amountInWords: 'Kredit-nota summasi soʻz bilan',
  footerDocument: 'Kredit-nota',
  invoice: 'Hisobvaraq',
  reason: 'Asos',
  invoiceTotal: 'Hisobvaraq summasi',
  remainingAfter: 'Ushbu kredit-notadan keyingi hisobvaraq summasi',
}

/** The credit note's label dictionaries, one per invoice language. */
export const CREDIT_NOTE_LABELS: Readonly<Record<InvoiceLanguage, CreditNoteLabels>> = Object.freeze({ en: EN, ru: RU, uz: UZ })

/**
 * The credit note's sentences that embed figures, written per language like `InvoicePhrases`.
 * Arguments are already formatted for the language.
 */
export interface CreditNotePhrases {
  /** Under the title: which invoice this corrects. */
  invoiceReference(input: { number: string; date: string }): string
  /** What a void credit note says. */
  cancelsInFull(input: { number: string; date: string }): string
}

/** The phrase builders of each language. */
export const CREDIT_NOTE_PHRASES: Readonly<Record<InvoiceLanguage, CreditNotePhrases>> = Object.freeze({
  en: {
    invoiceReference: ({ number, date }) => `to invoice No. ${number} of ${date}`,
    cancelsInFull: ({ number, date }) => `Cancels invoice No. ${number} of ${date} in full.`,
  },
  ru: {
    invoiceReference: ({ number, date }) => `к счёту № ${number} от ${date}`,
    cancelsInFull: ({ number, date }) => `Полностью аннулирует счёт № ${number} от ${date}.`,
  },
  uz: {
    invoiceReference: ({ number, date }) => `${date} sanadagi № ${number} hisobvaraqqa`,
    cancelsInFull: ({ number, date }) => `${date} sanadagi № ${number} hisobvaraqni toʻliq bekor qiladi.`,
  },
})
