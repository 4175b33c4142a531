import type { InvoiceLanguage } from '../sources/types.js'

/**
 * The Intl locale of each invoice language. British English gives "25 Nov 2026" dates and
 * "1,234.50" numbers; Uzbek is the Latin script used in official documents.
 */
export const INTL_LOCALES: Readonly<Record<InvoiceLanguage, string>> = Object.freeze({
  en: 'en-GB',
  ru: 'ru-RU',
  uz: 'uz-Latn-UZ',
})

/** The Intl locale tag for an invoice language; also the HTML `lang` attribute. */
export function toIntlLocale(language: InvoiceLanguage): string {
  return INTL_LOCALES[language]
}
