import type { InvoiceLanguage } from '../sources/types.js'
import { parseIsoDate } from './date-only.js'
import { toIntlLocale } from './intl-locale.js'

const formatCache = new Map<string, Intl.DateTimeFormat>()

/** Intl formatters are costly to build and dates repeat on every page: keep one per pattern. */
function getDateFormat(locale: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${locale}|${JSON.stringify(options)}`
  let format = formatCache.get(key)
  if (format === undefined) {
    format = new Intl.DateTimeFormat(locale, { ...options, timeZone: 'UTC' })
    formatCache.set(key, format)
  }
  return format
}

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
    return getDateFormat(locale, { day: 'numeric', month: 'short', year: 'numeric' }).format(date)
  }
  const parts = getDateFormat(locale, { day: '2-digit', month: '2-digit', year: 'numeric' }).formatToParts(date)
  const pick = (type: Intl.DateTimeFormatPartTypes): string => parts.find((p) => p.type === type)?.value ?? ''
  return `${pick('day')}.${pick('month')}.${pick('year')}`
}

/** A month as a heading, "October 2026" / "Октябрь 2026", from any date in it. */
export function formatMonth(value: string, language: InvoiceLanguage): string {
  const date = toDate(value)
  const month = getDateFormat(toIntlLocale(language), { month: 'long' }).format(date)
  return `${month.charAt(0).toLocaleUpperCase(toIntlLocale(language))}${month.slice(1)} ${date.getUTCFullYear()}`
}
