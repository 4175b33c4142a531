import { getMinorUnit } from '../billing/currency.js'
import type { InvoiceLanguage } from '../sources/types.js'
import { toIntlLocale } from './intl-locale.js'

const DECIMAL = /^(-)?(\d+)(?:\.(\d+))?$/

interface LocaleNumbers {
  /** Groups the digits of a BigInt. */
  integer: Intl.NumberFormat
  decimal: string
  minus: string
}

// Building an Intl formatter costs far more than using one; an appendix formats thousands of figures.
const localeCache = new Map<string, LocaleNumbers>()
const patternCache = new Map<string, Intl.NumberFormat>()

function readLocaleNumbers(locale: string): LocaleNumbers {
  let cached = localeCache.get(locale)
  if (cached === undefined) {
    const parts = new Intl.NumberFormat(locale).formatToParts(-1.5)
    cached = {
      integer: new Intl.NumberFormat(locale, { useGrouping: true }),
      decimal: parts.find((p) => p.type === 'decimal')?.value ?? '.',
      minus: parts.find((p) => p.type === 'minusSign')?.value ?? '-',
    }
    localeCache.set(locale, cached)
  }
  return cached
}

function getPatternFormat(locale: string, options: Intl.NumberFormatOptions): Intl.NumberFormat {
  const key = `${locale}|${JSON.stringify(options)}`
  let format = patternCache.get(key)
  if (format === undefined) {
    format = new Intl.NumberFormat(locale, options)
    patternCache.set(key, format)
  }
  return format
}

/**
 * Writes a decimal string with the language's digit grouping and decimal separator, keeping
 * every digit it has (padded to `minDecimals`). The integer part goes through Intl as a BigInt
 * and the fraction is appended as text, so amounts beyond 2^53 (large UZS totals) lose nothing
 * to binary floating point.
 */
export function formatDecimal(value: string, language: InvoiceLanguage, options: { minDecimals?: number } = {}): string {
  const match = DECIMAL.exec(value)
  if (match === null) throw new RangeError(`Not a plain decimal string: "${value}"`)
  const [, sign, integer = '0', rawFraction = ''] = match
  const fraction = rawFraction.padEnd(options.minDecimals ?? 0, '0')
  const { integer: grouping, decimal, minus } = readLocaleNumbers(toIntlLocale(language))
  const grouped = grouping.format(BigInt(integer))
  const isZero = /^0*$/.test(integer + fraction)
  return `${sign !== undefined && !isZero ? minus : ''}${grouped}${fraction === '' ? '' : decimal + fraction}`
}

/** Money in the table cells: exactly the currency's minor-unit decimals ("1 234,50"). */
export function formatMoney(value: string, currency: string, language: InvoiceLanguage): string {
  return formatDecimal(value, language, { minDecimals: getMinorUnit(currency) ?? 2 })
}

/**
 * Money with its currency code where the language puts it ("USD 1,234.50", "1 234,50 USD"):
 * Intl decides the pattern from a zero amount, the digits come from `formatMoney`.
 */
export function formatMoneyWithCurrency(value: string, currency: string, language: InvoiceLanguage): string {
  const format = getPatternFormat(toIntlLocale(language), { style: 'currency', currency, currencyDisplay: 'code' })
  return substituteNumber(format, value, formatMoney(value, currency, language))
}

/** A percentage such as a VAT rate, without trailing zeros ("12%", "12 %", "12,5 %"). */
export function formatPercent(value: string, language: InvoiceLanguage): string {
  const trimmed = value.includes('.') ? value.replace(/\.?0+$/, '') : value
  return substituteNumber(getPatternFormat(toIntlLocale(language), { style: 'percent' }), trimmed, formatDecimal(trimmed, language))
}

const DIGIT_PARTS = new Set(['integer', 'group', 'decimal', 'fraction'])

/** The text around the digits Intl writes for 1 and -1, per formatter: asked once, then reused. */
const affixCache = new WeakMap<Intl.NumberFormat, { positive: [string, string]; negative: [string, string] }>()

function affixesOf(format: Intl.NumberFormat, sign: 1 | -1): [string, string] | null {
  let cached = affixCache.get(format)
  if (cached === undefined) {
    const split = (n: number): [string, string] | null => {
      const parts = format.formatToParts(n)
      const first = parts.findIndex((p) => DIGIT_PARTS.has(p.type))
      if (first < 0) return null
      const last = parts.length - 1 - [...parts].reverse().findIndex((p) => DIGIT_PARTS.has(p.type))
      const text = (from: number, to: number) =>
        parts
          .slice(from, to)
          .filter((p) => !DIGIT_PARTS.has(p.type))
          .map((p) => p.value)
          .join('')
      return [text(0, first), text(last + 1, parts.length)]
    }
    const positive = split(1)
    const negative = split(-1)
    if (positive === null || negative === null) return null
    cached = { positive, negative }
    affixCache.set(format, cached)
  }
  return sign === 1 ? cached.positive : cached.negative
}

/**
 * Lets Intl place the currency code, percent sign and minus sign (it formats 1 or -1) and puts
 * our exactly formatted digits where its digits were. What Intl puts around the digits is asked
 * once per formatter: a page of amounts formats each in microseconds.
 */
function substituteNumber(format: Intl.NumberFormat, value: string, formatted: string): string {
  const digits = formatted.replace(/^\D+/, '')
  const affixes = affixesOf(format, formatted !== digits ? -1 : 1)
  if (affixes === null) throw new RangeError(`Intl gave no digits for "${value}"`)
  return `${affixes[0]}${digits}${affixes[1]}`
}
