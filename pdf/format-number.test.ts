import { describe, expect, it } from 'vitest'
import { formatDecimal, formatMoney, formatMoneyWithCurrency, formatPercent } from './format-number.js'

// Russian and Uzbek group digits with a no-break space (U+00A0); written out as \u00a0 here.
const NBSP = '\u00a0'

describe('formatDecimal', () => {
  it.each([
    ['1234567.5', 'en', 2, '1,234,567.50'],
    ['1234567.5', 'ru', 2, `1${NBSP}234${NBSP}567,50`],
    ['1234567.5', 'uz', 2, `1${NBSP}234${NBSP}567,50`],
    ['0', 'en', 0, '0'],
    ['999', 'ru', 0, '999'],
    ['1000', 'ru', 0, `1${NBSP}000`],
    ['12.3456', 'en', 0, '12.3456'],
    ['-1234.5', 'en', 0, '-1,234.5'],
    ['-0.00', 'en', 0, '0.00'],
    // Beyond 2^53: a float would print ...680.00 or similar.
    ['123456789012345678.99', 'en', 2, '123,456,789,012,345,678.99'],
    ['90071992547409931.07', 'ru', 2, `90${NBSP}071${NBSP}992${NBSP}547${NBSP}409${NBSP}931,07`],
  ] as const)('%s in %s', (value, language, minDecimals, expected) => {
    expect(formatDecimal(value, language, { minDecimals })).toBe(expected)
  })

  it.each(['1e5', '1,5', ' 1', '', 'NaN', '.5'])('refuses %j', (value) => {
    expect(() => formatDecimal(value, 'en')).toThrow(RangeError)
  })
})

describe('formatMoney and formatMoneyWithCurrency', () => {
  it('pads to the minor unit', () => {
    expect(formatMoney('1000', 'USD', 'en')).toBe('1,000.00')
    expect(formatMoney('1000.5', 'UZS', 'ru')).toBe(`1${NBSP}000,50`)
  })

  it.each([
    ['1234.5', 'USD', 'en', `USD${NBSP}1,234.50`],
    ['1234.5', 'USD', 'ru', `1${NBSP}234,50${NBSP}USD`],
    ['1234567890123456.78', 'UZS', 'uz', `1${NBSP}234${NBSP}567${NBSP}890${NBSP}123${NBSP}456,78${NBSP}UZS`],
    ['-12.5', 'EUR', 'ru', `-12,50${NBSP}EUR`],
  ] as const)('%s %s in %s', (value, currency, language, expected) => {
    expect(formatMoneyWithCurrency(value, currency, language)).toBe(expected)
  })
})

describe('formatPercent', () => {
  it.each([
    ['12', 'en', '12%'],
    ['12.00', 'en', '12%'],
    ['12', 'ru', `12${NBSP}%`],
    ['12.50', 'ru', `12,5${NBSP}%`],
    ['15', 'uz', '15%'],
    ['0', 'en', '0%'],
    ['0.00', 'ru', `0${NBSP}%`],
  ] as const)('%s in %s', (value, language, expected) => {
    expect(formatPercent(value, language)).toBe(expected)
  })
})
