import { describe, expect, it } from 'vitest'
import { makeDeal, makeSettings } from './test-builders.js'
import { computeBillableMinutes, computeRawSeconds, computeRoundedMinutes, resolveRounding } from './worklog-minutes.js'

describe('computeRawSeconds', () => {
  it.each([
    { billableSeconds: 1800, timeSpentSeconds: 3600, raw: 1800, why: 'billable: Tempo billable seconds' },
    { billableSeconds: 0, timeSpentSeconds: 3600, raw: 3600, why: 'non-billable: logged time' },
    { billableSeconds: -5, timeSpentSeconds: 100, raw: 100, why: 'negative billable seconds count as non-billable' },
    { billableSeconds: 0, timeSpentSeconds: 0, raw: 0, why: 'zero stays zero (skipped later)' },
    { billableSeconds: 0, timeSpentSeconds: -60, raw: -60, why: 'negative stays negative (skipped later)' },
  ])('$why', ({ billableSeconds, timeSpentSeconds, raw }) => {
    expect(computeRawSeconds({ billableSeconds, timeSpentSeconds })).toBe(raw)
  })

  it('refuses fractional seconds', () => {
    expect(() => computeRawSeconds({ billableSeconds: 90.5, timeSpentSeconds: 100 })).toThrow(/whole seconds/)
  })
})

describe('computeRoundedMinutes and computeBillableMinutes', () => {
  it.each([
    { min: 15, inc: 15, raw: 1, rounded: 15, billable: 15 },
    { min: 15, inc: 15, raw: 60, rounded: 15, billable: 15 },
    { min: 15, inc: 15, raw: 900, rounded: 15, billable: 15 },
    { min: 15, inc: 15, raw: 901, rounded: 30, billable: 30 },
    { min: 15, inc: 15, raw: 3600, rounded: 60, billable: 60 },
    // A minimum that is not a multiple of the increment is itself rounded up to one.
    { min: 20, inc: 15, raw: 60, rounded: 15, billable: 30 },
    { min: 20, inc: 15, raw: 1500, rounded: 30, billable: 30 },
    { min: 20, inc: 15, raw: 2700, rounded: 45, billable: 45 },
    { min: 15, inc: 6, raw: 60, rounded: 6, billable: 18 },
    { min: 15, inc: 6, raw: 1000, rounded: 18, billable: 18 },
    { min: 0, inc: 15, raw: 60, rounded: 15, billable: 15 },
    { min: 30, inc: 1, raw: 61, rounded: 2, billable: 30 },
    { min: 1, inc: 1, raw: 60, rounded: 1, billable: 1 },
    { min: 10, inc: 5, raw: 3601, rounded: 65, billable: 65 },
    { min: 60, inc: 15, raw: 1, rounded: 15, billable: 60 },
  ])('min $min, increment $inc, $raw s raw: rounded $rounded, billable $billable', ({ min, inc, raw, rounded, billable }) => {
    const rounding = { minBillableMinutes: min, roundingIncrementMinutes: inc }
    expect(computeRoundedMinutes(raw, rounding)).toBe(rounded)
    expect(computeBillableMinutes(raw, rounding)).toBe(billable)
  })

  it.each([0, -60])('refuses a duration of %i s, which is skipped rather than billed', (raw) => {
    const rounding = { minBillableMinutes: 15, roundingIncrementMinutes: 15 }
    expect(() => computeBillableMinutes(raw, rounding)).toThrow(/positive/)
    expect(() => computeRoundedMinutes(raw, rounding)).toThrow(/positive/)
  })

  it.each([
    { min: 15, inc: 0, message: /roundingIncrementMinutes/ },
    { min: -1, inc: 15, message: /minBillableMinutes/ },
    { min: 15, inc: 7.5, message: /roundingIncrementMinutes/ },
  ])('refuses rounding settings min $min, increment $inc', ({ min, inc, message }) => {
    expect(() => computeBillableMinutes(60, { minBillableMinutes: min, roundingIncrementMinutes: inc })).toThrow(message)
  })
})

describe('resolveRounding', () => {
  it('uses the settings when the deal has no values of its own', () => {
    expect(resolveRounding(makeDeal(), makeSettings({ minBillableMinutes: 10, roundingIncrementMinutes: 5 }))).toEqual({
      minBillableMinutes: 10,
      roundingIncrementMinutes: 5,
    })
  })

  it('lets each non-null deal value override its setting', () => {
    const settings = makeSettings({ minBillableMinutes: 10, roundingIncrementMinutes: 5 })
    expect(resolveRounding(makeDeal({ minBillableMinutes: 30 }), settings)).toEqual({ minBillableMinutes: 30, roundingIncrementMinutes: 5 })
    expect(resolveRounding(makeDeal({ roundingIncrementMinutes: 6 }), settings)).toEqual({ minBillableMinutes: 10, roundingIncrementMinutes: 6 })
    expect(resolveRounding(makeDeal({ minBillableMinutes: 0 }), settings)).toEqual({ minBillableMinutes: 0, roundingIncrementMinutes: 5 })
  })
})
