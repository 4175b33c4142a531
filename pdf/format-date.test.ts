import { describe, expect, it } from 'vitest'
import { addDays, parseIsoDate } from './date-only.js'
import { formatDate, formatMonth } from './format-date.js'

describe('formatDate', () => {
  it.each([
    ['2026-11-25', 'en', '25 Nov 2026'],
    ['2026-01-05', 'en', '5 Jan 2026'],
    ['2026-11-25', 'ru', '25.11.2026'],
    ['2026-01-05', 'ru', '05.01.2026'],
    ['2026-11-25', 'uz', '25.11.2026'],
    ['2026-12-31', 'uz', '31.12.2026'],
  ] as const)('%s in %s', (value, language, expected) => {
    expect(formatDate(value, language)).toBe(expected)
  })

  it('refuses an impossible date', () => {
    expect(() => formatDate('2026-02-30', 'en')).toThrow(RangeError)
  })
})

describe('formatMonth', () => {
  it.each([
    ['2026-10-01', 'en', 'October 2026'],
    ['2026-10-01', 'ru', 'Октябрь 2026'],
    ['2026-03-01', 'ru', 'Март 2026'],
    ['2026-10-01', 'uz', 'Oktabr 2026'],
  ] as const)('%s in %s', (value, language, expected) => {
    expect(formatMonth(value, language)).toBe(expected)
  })
})

describe('date-only arithmetic', () => {
  it('adds days across months and years', () => {
    expect(addDays('2026-11-25', 14)).toBe('2026-12-09')
    expect(addDays('2026-12-25', 10)).toBe('2027-01-04')
    expect(addDays('2026-11-01', -1)).toBe('2026-10-31')
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29')
  })

  it('rejects malformed dates', () => {
    expect(parseIsoDate('2026-13-01')).toBeNull()
    expect(parseIsoDate('26-11-01')).toBeNull()
    expect(parseIsoDate('2026-11-25')?.toISOString()).toBe('2026-11-25T00:00:00.000Z')
  })
})
