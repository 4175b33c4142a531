import { getMinorUnit } from '../billing/currency.js'
import type { InvoiceLanguage } from '../sources/types.js'
import { CURRENCY_WORDS, findCurrencyWords } from './currency-words.js'
import { pluralRu } from './plural-ru.js'
import { spellNumberEn } from './spell-number-en.js'
import { spellNumberRu } from './spell-number-ru.js'
import { spellNumberUz } from './spell-number-uz.js'

const AMOUNT = /^(\d+)(?:\.(\d+))?$/

export interface SpellAmountInput {
  /** Non-negative decimal string with at most the currency's minor-unit decimals. */
  amount: string
  /** ISO 4217 code, one of the invoicing currencies. */
  currency: string
  language: InvoiceLanguage
}

/**
 * The amount in words that invoices carry next to the total, so the figure cannot be misread
 * or altered: whole units in words, the minor units as two digits, e.g.
 * "One thousand two hundred thirty-four US dollars and 50 cents",
 * "Одна тысяча двести тридцать четыре доллара США 50 центов",
 * "Bir ming ikki yuz oʻttiz toʻrt AQSh dollari 50 sent".
 * Works on the decimal string, so any size of amount is exact.
 */
export function spellAmount({ amount, currency, language }: SpellAmountInput): string {
  const match = AMOUNT.exec(amount)
  if (match === null) throw new RangeError(`Cannot spell "${amount}": a non-negative decimal string is expected`)
  const minorUnit = getMinorUnit(currency)
  if (minorUnit === null) throw new RangeError(`Cannot spell an amount in ${currency}: unknown currency`)
  const [, integer = '0', fraction = ''] = match
  if (fraction.length > minorUnit && !/^0*$/.test(fraction.slice(minorUnit))) {
    throw new RangeError(`Cannot spell "${amount}": more decimals than ${currency} has`)
  }
  const major = BigInt(integer)
  const minorDigits = fraction.slice(0, minorUnit).padEnd(minorUnit, '0')
  const minor = BigInt(minorDigits === '' ? '0' : minorDigits)

  switch (language) {
    case 'en': {
      const words = requireWords(findCurrencyWords(CURRENCY_WORDS.en, currency), currency, language)
      const majorPart = `${capitalize(spellNumberEn(major))} ${major === 1n ? words.major.one : words.major.other}`
      return minorUnit === 0 ? majorPart : `${majorPart} and ${minorDigits} ${minor === 1n ? words.minor.one : words.minor.other}`
    }
    case 'ru': {
      const words = requireWords(findCurrencyWords(CURRENCY_WORDS.ru, currency), currency, language)
      const majorPart = `${capitalize(spellNumberRu(major, words.major.gender))} ${pluralRu(major, words.major)}`
      return minorUnit === 0 ? majorPart : `${majorPart} ${minorDigits} ${pluralRu(minor, words.minor)}`
    }
    case 'uz': {
      const words = requireWords(findCurrencyWords(CURRENCY_WORDS.uz, currency), currency, language)
      const majorPart = `${capitalize(spellNumberUz(major))} ${words.major}`
      return minorUnit === 0 ? majorPart : `${majorPart} ${minorDigits} ${words.minor}`
    }
  }
}

function requireWords<T>(words: T | null, currency: string, language: InvoiceLanguage): T {
  if (words === null) throw new RangeError(`No words for ${currency} in language "${language}"`)
  return words
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1)
}
