import { Decimal } from 'decimal.js'
import { describe, expect, it } from 'vitest'
import { buildPreview } from './build-preview.js'
import { makeDeal, makeEntry, makeInput, makeRateRule } from './test-builders.js'
import type { InvoicePreview } from './types.js'

function lineFigures(preview: InvoicePreview): [string, string, string, string][] {
  return preview.lines.map((line) => [line.lineId, line.quantity, line.rate, line.amount])
}

/** Two rates in October: 50 until the 16th, 60 from it. Work: 6 h on the 10th, 3 h on the 20th, 3 h on the 25th. */
const rateRules = [
  makeRateRule({ id: 'A', dealId: 'D1', rate: '50', validTo: '2026-10-16' }),
  makeRateRule({ id: 'B', dealId: 'D1', rate: '60', validFrom: '2026-10-16' }),
]
const entries = [
  makeEntry({ workDate: '2026-10-25', minutes: 180 }),
  makeEntry({ workDate: '2026-10-10', minutes: 360 }),
  makeEntry({ workDate: '2026-10-20', minutes: 180 }),
]

describe('buildPreview: hours cap', () => {
  it('removes the latest work dates first, at the rate they were priced at', () => {
    const preview = buildPreview(makeInput({ deal: makeDeal({ hoursLimit: '10' }), rateRules, entries }))
    // 12 h billable, 2 h over: taken from the 25th (rate B).
    expect(lineFigures(preview)).toEqual([
      ['time:Development:rule-A', '6.00', '50.00', '300.00'],
      ['time:Development:rule-B', '6.00', '60.00', '360.00'],
      ['cap:hours:time:Development:rule-B', '-2.00', '60.00', '-120.00'],
    ])
    expect(preview.lines[2]).toMatchObject({ kind: 'cap', appliesToLineId: 'time:Development:rule-B', rateRuleId: 'B' })
    expect([preview.uncappedSubtotal, preview.subtotal]).toEqual(['660.00', '540.00'])
    expect(preview.hours).toEqual({ raw: '12.00', billable: '12.00', billed: '10.00' })
    expect(preview.warnings.find((w) => w.code === 'HOURS_LIMIT_EXCEEDED')?.details).toEqual({
      billableHours: '12.00',
      limitHours: '10.00',
      excessHours: '2.00',
      removedHours: '2.00',
      mode: 'cap',
    })
  })

  it('spreads the excess over several lines when it reaches earlier dates', () => {
    const preview = buildPreview(makeInput({ deal: makeDeal({ hoursLimit: '5' }), rateRules, entries }))
    // 7 h over: 3 h (25th) + 3 h (20th) at 60, then 1 h (10th) at 50. Billed: 5 h x 50 = 250.
    expect(lineFigures(preview).slice(2)).toEqual([
      ['cap:hours:time:Development:rule-A', '-1.00', '50.00', '-50.00'],
      ['cap:hours:time:Development:rule-B', '-6.00', '60.00', '-360.00'],
    ])
    expect(preview.subtotal).toBe('250.00')
    expect(preview.hours.billed).toBe('5.00')
  })

  it('removes part of an entry when the limit falls inside it', () => {
    const preview = buildPreview(makeInput({ deal: makeDeal({ hoursLimit: '1.75', hourlyRate: '100' }), entries: [makeEntry({ minutes: 120 })] }))
    expect(lineFigures(preview)).toEqual([
      ['time:Development:deal', '2.00', '100.00', '200.00'],
      ['cap:hours:time:Development:deal', '-0.25', '100.00', '-25.00'],
    ])
  })

  it('only warns in warn-only mode', () => {
    const preview = buildPreview(makeInput({ deal: makeDeal({ hoursLimit: '10', limitMode: 'warn' }), rateRules, entries }))
    expect(preview.lines.map((line) => line.kind)).toEqual(['time', 'time'])
    expect(preview.subtotal).toBe('660.00')
    expect(preview.hours.billed).toBe('12.00')
    expect(preview.warnings.find((w) => w.code === 'HOURS_LIMIT_EXCEEDED')?.message).toContain('warn-only')
  })

  it('stays silent at exactly the limit', () => {
    const preview = buildPreview(makeInput({ deal: makeDeal({ hoursLimit: '12' }), rateRules, entries }))
    expect(preview.lines.map((line) => line.kind)).toEqual(['time', 'time'])
    expect(preview.warnings.map((w) => w.code)).not.toContain('HOURS_LIMIT_EXCEEDED')
  })

  it('takes only overage off a retainer, never the fee', () => {
    const retainer = makeDeal({ dealType: 'retainer', hourlyRate: null, monthlyFee: '3000', includedHours: '40', overageRate: '60' })
    const work = [makeEntry({ minutes: 2730 })]
    // 45.5 h with a 44 h limit: 1.5 h of the 5.5 h overage removed, 4 h x 60 = 240 billed.
    const above = buildPreview(makeInput({ deal: { ...retainer, hoursLimit: '44' }, entries: work }))
    expect(lineFigures(above)).toEqual([
      ['fee:retainer', '1.00', '3000.00', '3000.00'],
      ['overage:retainer', '5.50', '60.00', '330.00'],
      ['cap:hours:overage:retainer', '-1.50', '60.00', '-90.00'],
    ])
    expect(above.subtotal).toBe('3240.00')
    // A 30 h limit is below the 40 included hours: all overage goes, the fee stays.
    const below = buildPreview(makeInput({ deal: { ...retainer, hoursLimit: '30' }, entries: work }))
    expect(below.lines[2]).toMatchObject({ quantity: '-5.50', amount: '-330.00' })
    expect(below.subtotal).toBe('3000.00')
    expect(below.hours.billed).toBe('40.00')
  })

  it('removes nothing from a fixed fee and says so', () => {
    const deal = makeDeal({ dealType: 'fixed_monthly', hourlyRate: null, monthlyFee: '5000', hoursLimit: '8' })
    const preview = buildPreview(makeInput({ deal, entries: [makeEntry({ minutes: 600 })] }))
    expect(preview.subtotal).toBe('5000.00')
    expect(preview.warnings.find((w) => w.code === 'HOURS_LIMIT_EXCEEDED')?.message).toContain('the fixed fee does not depend on hours')
  })
})

describe('buildPreview: amount cap', () => {
  it('brings the subtotal down to the limit with one negative line', () => {
    const preview = buildPreview(makeInput({ deal: makeDeal({ amountLimit: '1000', vatRate: '12' }), entries: [makeEntry({ minutes: 720 })] }))
    expect(lineFigures(preview)).toEqual([
      ['time:Development:deal', '12.00', '100.00', '1200.00'],
      ['cap:amount', '1.00', '-200.00', '-200.00'],
    ])
    expect([preview.uncappedSubtotal, preview.subtotal, preview.vatAmount, preview.total]).toEqual(['1200.00', '1000.00', '120.00', '1120.00'])
    expect(preview.warnings.find((w) => w.code === 'AMOUNT_LIMIT_EXCEEDED')?.details).toEqual({
      amount: '1200.00',
      limit: '1000.00',
      excess: '200.00',
      mode: 'cap',
      capped: true,
    })
  })

  it('applies after the hours cap', () => {
    const preview = buildPreview(makeInput({ deal: makeDeal({ hoursLimit: '10', amountLimit: '900' }), entries: [makeEntry({ minutes: 720 })] }))
    expect(lineFigures(preview).map(([lineId, , , amount]) => [lineId, amount])).toEqual([
      ['time:Development:deal', '1200.00'],
      ['cap:hours:time:Development:deal', '-200.00'],
      ['cap:amount', '-100.00'],
    ])
    expect(preview.subtotal).toBe('900.00')
  })

  it('caps a fixed fee too', () => {
    const deal = makeDeal({ dealType: 'fixed_monthly', hourlyRate: null, monthlyFee: '5000', amountLimit: '4000' })
    expect(buildPreview(makeInput({ deal })).subtotal).toBe('4000.00')
  })

  it('rounds a limit with finer decimals down, so the cap is never exceeded', () => {
    const preview = buildPreview(makeInput({ deal: makeDeal({ amountLimit: '99.999' }), entries: [makeEntry({ minutes: 60 })] }))
    expect(preview.limits.amountLimit).toBe('99.99')
    expect(preview.subtotal).toBe('99.99')
  })

  it('only warns in warn-only mode', () => {
    const preview = buildPreview(makeInput({ deal: makeDeal({ amountLimit: '1000', limitMode: 'warn' }), entries: [makeEntry({ minutes: 720 })] }))
    expect(preview.lines.map((line) => line.kind)).toEqual(['time'])
    expect(preview.subtotal).toBe('1200.00')
    const warning = preview.warnings.find((w) => w.code === 'AMOUNT_LIMIT_EXCEEDED')
    expect(warning?.details?.capped).toBe(false)
    expect(new Decimal(preview.subtotal).gt(new Decimal(preview.limits.amountLimit ?? '0'))).toBe(true)
  })
})
