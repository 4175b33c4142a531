import { describe, expect, it } from 'vitest'
import { CURRENCY_MINOR_UNITS } from '../billing/currency.js'
import { spellAmount } from './amount-in-words.js'

// Expected strings are written by hand from the languages' rules, never copied from output.

describe('spellAmount in English', () => {
  it.each([
    ['0', 'Zero US dollars and 00 cents'],
    ['1', 'One US dollar and 00 cents'],
    ['2', 'Two US dollars and 00 cents'],
    ['5', 'Five US dollars and 00 cents'],
    ['11', 'Eleven US dollars and 00 cents'],
    ['21', 'Twenty-one US dollars and 00 cents'],
    ['100', 'One hundred US dollars and 00 cents'],
    ['110', 'One hundred ten US dollars and 00 cents'],
    ['1000', 'One thousand US dollars and 00 cents'],
    ['1001', 'One thousand one US dollars and 00 cents'],
    ['2000', 'Two thousand US dollars and 00 cents'],
    ['1000000', 'One million US dollars and 00 cents'],
    ['1000000001', 'One billion one US dollars and 00 cents'],
    [
      '1234567890',
      'One billion two hundred thirty-four million five hundred sixty-seven thousand eight hundred ninety US dollars and 00 cents',
    ],
    ['1234.50', 'One thousand two hundred thirty-four US dollars and 50 cents'],
    ['1234.5', 'One thousand two hundred thirty-four US dollars and 50 cents'],
    ['0.01', 'Zero US dollars and 01 cent'],
    ['99.99', 'Ninety-nine US dollars and 99 cents'],
    ['1.230', 'One US dollar and 23 cents'],
  ])('USD %s', (amount, expected) => {
    expect(spellAmount({ amount, currency: 'USD', language: 'en' })).toBe(expected)
  })

  it.each([
    ['1', 'EUR', 'One euro and 00 cents'],
    ['2.50', 'EUR', 'Two euros and 50 cents'],
    ['1000000', 'UZS', 'One million Uzbek sum and 00 tiyin'],
    ['21.01', 'RUB', 'Twenty-one Russian roubles and 01 kopeck'],
    [
      // Beyond 2^53: exact only because the words come from the decimal string.
      '12345678901234567.89',
      'UZS',
      'Twelve quadrillion three hundred forty-five trillion six hundred seventy-eight billion nine hundred one million two hundred thirty-four thousand five hundred sixty-seven Uzbek sum and 89 tiyin',
    ],
  ])('%s %s', (amount, currency, expected) => {
    expect(spellAmount({ amount, currency, language: 'en' })).toBe(expected)
  })
})

describe('spellAmount in Russian', () => {
  it.each([
    ['0', 'Ноль долларов США 00 центов'],
    ['1', 'Один доллар США 00 центов'],
    ['2', 'Два доллара США 00 центов'],
    ['5', 'Пять долларов США 00 центов'],
    ['11', 'Одиннадцать долларов США 00 центов'],
    ['12', 'Двенадцать долларов США 00 центов'],
    ['21', 'Двадцать один доллар США 00 центов'],
    ['22', 'Двадцать два доллара США 00 центов'],
    ['111', 'Сто одиннадцать долларов США 00 центов'],
    ['1000', 'Одна тысяча долларов США 00 центов'],
    ['1001', 'Одна тысяча один доллар США 00 центов'],
    ['2000', 'Две тысячи долларов США 00 центов'],
    ['5000', 'Пять тысяч долларов США 00 центов'],
    ['11000', 'Одиннадцать тысяч долларов США 00 центов'],
    ['21000', 'Двадцать одна тысяча долларов США 00 центов'],
    ['22000', 'Двадцать две тысячи долларов США 00 центов'],
    ['1000000', 'Один миллион долларов США 00 центов'],
    ['2000000', 'Два миллиона долларов США 00 центов'],
    ['5000000', 'Пять миллионов долларов США 00 центов'],
    [
      '1234567890',
      'Один миллиард двести тридцать четыре миллиона пятьсот шестьдесят семь тысяч восемьсот девяносто долларов США 00 центов',
    ],
    ['1234.50', 'Одна тысяча двести тридцать четыре доллара США 50 центов'],
    ['0.01', 'Ноль долларов США 01 цент'],
    ['0.02', 'Ноль долларов США 02 цента'],
    ['0.11', 'Ноль долларов США 11 центов'],
    ['0.21', 'Ноль долларов США 21 цент'],
  ])('USD %s', (amount, expected) => {
    expect(spellAmount({ amount, currency: 'USD', language: 'ru' })).toBe(expected)
  })

  it.each([
    ['1', 'EUR', 'Один евро 00 центов'],
    ['22.05', 'EUR', 'Двадцать два евро 05 центов'],
    ['3', 'UZS', 'Три сума 00 тийинов'],
    ['1000000', 'UZS', 'Один миллион сумов 00 тийинов'],
    ['1.01', 'RUB', 'Один рубль 01 копейка'],
    ['2.02', 'RUB', 'Два рубля 02 копейки'],
    ['21.21', 'RUB', 'Двадцать один рубль 21 копейка'],
    ['5.12', 'RUB', 'Пять рублей 12 копеек'],
  ])('%s %s', (amount, currency, expected) => {
    expect(spellAmount({ amount, currency, language: 'ru' })).toBe(expected)
  })
})

describe('spellAmount in Uzbek', () => {
  it.each([
    ['0', 'Nol AQSh dollari 00 sent'],
    ['1', 'Bir AQSh dollari 00 sent'],
    ['2', 'Ikki AQSh dollari 00 sent'],
    ['5', 'Besh AQSh dollari 00 sent'],
    ['11', 'Oʻn bir AQSh dollari 00 sent'],
    ['21', 'Yigirma bir AQSh dollari 00 sent'],
    ['1000', 'Bir ming AQSh dollari 00 sent'],
    ['1001', 'Bir ming bir AQSh dollari 00 sent'],
    ['2000', 'Ikki ming AQSh dollari 00 sent'],
    ['1000000', 'Bir million AQSh dollari 00 sent'],
    [
      '1234567890',
      'Bir milliard ikki yuz oʻttiz toʻrt million besh yuz oltmish yetti ming sakkiz yuz toʻqson AQSh dollari 00 sent',
    ],
    ['1234.50', 'Bir ming ikki yuz oʻttiz toʻrt AQSh dollari 50 sent'],
  ])('USD %s', (amount, expected) => {
    expect(spellAmount({ amount, currency: 'USD', language: 'uz' })).toBe(expected)
  })

  it('UZS', () => {
    expect(spellAmount({ amount: '150000.00', currency: 'UZS', language: 'uz' })).toBe('Bir yuz ellik ming soʻm 00 tiyin')
  })
})

describe('spellAmount refuses what it cannot say exactly', () => {
  it.each([
    ['-1', 'USD'],
    ['1.234', 'USD'],
    ['1e3', 'USD'],
    ['', 'USD'],
    ['10', 'GBP'],
  ])('%s %s', (amount, currency) => {
    expect(() => spellAmount({ amount, currency, language: 'en' })).toThrow(RangeError)
  })

  it('has words for every invoicing currency in every language', () => {
    for (const currency of Object.keys(CURRENCY_MINOR_UNITS)) {
      for (const language of ['en', 'ru', 'uz'] as const) {
        expect(spellAmount({ amount: '2.00', currency, language })).not.toContain(currency)
      }
    }
  })
})
