import type { InvoiceLanguage } from '../sources/types.js'
import { pluralRu } from './plural-ru.js'

/**
 * The sentences of the invoice that embed figures. Written per language rather than assembled
 * from labels, because word order and case endings differ (Russian "в течение 10 дней").
 * Arguments are already formatted for the language.
 */
export interface InvoicePhrases {
  contractReference(input: { number: string; date: string }): string
  paymentTerms(input: { days: number; dueDate: string }): string
  paymentReference(input: { number: string }): string
  appendixTitle(input: { number: string; issueDate: string }): string
}

const EN: InvoicePhrases = {
  contractReference: ({ number, date }) => `No. ${number} of ${date}`,
  paymentTerms: ({ days, dueDate }) =>
    days === 0 ? `Payment due on ${dueDate}.` : `Payment within ${days} ${days === 1 ? 'day' : 'days'} of the issue date, by ${dueDate}.`,
  paymentReference: ({ number }) => `Invoice No. ${number}`,
  appendixTitle: ({ number, issueDate }) => `Appendix 1 to invoice No. ${number} of ${issueDate}`,
}

const RU: InvoicePhrases = {
  contractReference: ({ number, date }) => `№ ${number} от ${date}`,
  paymentTerms: ({ days, dueDate }) =>
    days === 0
      ? `Оплата не позднее ${dueDate}.`
      : `Оплата в течение ${days} ${pluralRu(days, { one: 'дня', few: 'дней', many: 'дней' })} с даты счёта, не позднее ${dueDate}.`,
  paymentReference: ({ number }) => `Оплата по счёту № ${number}`,
  appendixTitle: ({ number, issueDate }) => `Приложение № 1 к счёту № ${number} от ${issueDate}`,
}

const UZ: InvoicePhrases = {
  contractReference: ({ number, date }) => `№ ${number}, ${date}`,
  paymentTerms: ({ days, dueDate }) =>
    days === 0 ? `Toʻlov ${dueDate} gacha amalga oshiriladi.` : `Toʻlov hisobvaraq sanasidan boshlab ${days} kun ichida, ${dueDate} gacha amalga oshiriladi.`,
  paymentReference: ({ number }) => `№ ${number} hisobvaraq boʻyicha toʻlov`,
  appendixTitle: ({ number, issueDate }) => `${issueDate} sanadagi № ${number} hisobvaraqqa 1-ilova`,
}

/** The phrase builders of each invoice language. */
export const INVOICE_PHRASES: Readonly<Record<InvoiceLanguage, InvoicePhrases>> = Object.freeze({ en: EN, ru: RU, uz: UZ })
