import type { InvoiceLanguage } from '../sources/types.js'
import { parseIsoDate } from './date-only.js'
import { toIntlLocale } from './intl-locale.js'

function toDate(value: string): Date {
  const date = parseIsoDate(value)
  if (date === null) throw new RangeError(`Not a YYYY-MM-DD date: "${value}"`)
  return date
}

/**
 * A calendar date as the language writes it in business documents: "25 Nov 2026" in English,
 * "25.11.2026" in Russian and Uzbek. Intl gives the digits and their order; Uzbek documents use
 * dots where Intl's Uzbek pattern uses slashes, so the separators are replaced.
 */
export function formatDate(value: string, language: InvoiceLanguage): string {
  const date = toDate(value)
  const locale = toIntlLocale(language)
  if (language === 'en') {
    return new Intl.DateTimeFormat(locale, { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' }).format(date)
  }
  const parts = new Intl.DateTimeFormat(locale, { day: '2-digit', month: '2-digit', year: 'numeric', timeZone: 'UTC' }).formatToParts(date)
  const pick = (type: Intl.DateTimeFormatPartTypes): string => parts.find((p) => p.type === type)?.value ?? ''
  return `${pick('day')}.${pick('month')}.${pick('year')}`
}

/** A month as a heading, "October 2026" / "Октябрь 2026", from any date in it. */
export function formatMonth(value: string, language: InvoiceLanguage): string {
  const date = toDate(value)
  const month = new Intl.DateTimeFormat(toIntlLocale(language), { month: 'long', timeZone: 'UTC' }).format(date)
  return `${month.charAt(0).toLocaleUpperCase(toIntlLocale(language))}${month.slice(1)} ${date.getUTCFullYear()}`
}
