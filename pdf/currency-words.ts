import type { RussianForms } from './plural-ru.js'
import type { RussianGender } from './spell-number-ru.js'

export interface EnglishCurrencyWords {
  major: { one: string; other: string }
  minor: { one: string; other: string }
}

export interface RussianCurrencyWords {
  major: RussianForms & { gender: RussianGender }
  minor: RussianForms & { gender: RussianGender }
}

/** Uzbek nouns stay singular after a numeral ("ikki ming soʻm"). */
export interface UzbekCurrencyWords {
  major: string
  minor: string
}

/**
 * Names of the invoicing currencies (the same set as `CURRENCY_MINOR_UNITS`) for the amount in
 * words. A currency missing here fails the render rather than printing a code in a sentence.
 */
export const CURRENCY_WORDS = {
  en: {
    USD: { major: { one: 'US dollar', other: 'US dollars' }, minor: { one: 'cent', other: 'cents' } },
    EUR: { major: { one: 'euro', other: 'euros' }, minor: { one: 'cent', other: 'cents' } },
    UZS: { major: { one: 'Uzbek sum', other: 'Uzbek sum' }, minor: { one: 'tiyin', other: 'tiyin' } },
    RUB: { major: { one: 'Russian rouble', other: 'Russian roubles' }, minor: { one: 'kopeck', other: 'kopecks' } },
  } satisfies Record<string, EnglishCurrencyWords>,
  ru: {
    USD: {
      major: { one: 'доллар США', few: 'доллара США', many: 'долларов США', gender: 'masculine' },
      minor: { one: 'цент', few: 'цента', many: 'центов', gender: 'masculine' },
    },
    EUR: {
      major: { one: 'евро', few: 'евро', many: 'евро', gender: 'masculine' },
      minor: { one: 'цент', few: 'цента', many: 'центов', gender: 'masculine' },
    },
    UZS: {
      major: { one: 'сум', few: 'сума', many: 'сумов', gender: 'masculine' },
      minor: { one: 'тийин', few: 'тийина', many: 'тийинов', gender: 'masculine' },
    },
    RUB: {
      major: { one: 'рубль', few: 'рубля', many: 'рублей', gender: 'masculine' },
      minor: { one: 'копейка', few: 'копейки', many: 'копеек', gender: 'feminine' },
    },
  } satisfies Record<string, RussianCurrencyWords>,
  uz: {
    USD: { major: 'AQSh dollari', minor: 'sent' },
    EUR: { major: 'yevro', minor: 'sent' },
    UZS: { major: 'soʻm', minor: 'tiyin' },
    RUB: { major: 'Rossiya rubli', minor: 'kopeyka' },
  } satisfies Record<string, UzbekCurrencyWords>,
}

/** Looks a currency up in one language's table without trusting an arbitrary key. */
export function findCurrencyWords<T>(table: Record<string, T>, currency: string): T | null {
  return Object.prototype.hasOwnProperty.call(table, currency) ? (table[currency] ?? null) : null
}
