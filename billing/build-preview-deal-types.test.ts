import { describe, expect, it } from 'vitest'
import { buildPreview } from './build-preview.js'
import { makeDeal, makeEntry, makeInput } from './test-builders.js'
import type { InvoicePreview } from './types.js'

function lineFigures(preview: InvoicePreview): [string, string, string, string, string][] {
  return preview.lines.map((line) => [line.lineId, line.kind, line.quantity, line.rate, line.amount])
}

const fixed = makeDeal({ dealType: 'fixed_monthly', hourlyRate: null, monthlyFee: '5000' })
const retainer = makeDeal({ dealType: 'retainer', hourlyRate: null, monthlyFee: '3000', includedHours: '40', overageRate: '60' })

describe('buildPreview: fixed monthly fee', () => {
  it('bills one fee line and states the hours for information', () => {
    const preview = buildPreview(makeInput({ deal: fixed, entries: [makeEntry({ minutes: 600 })] }))
    expect(lineFigures(preview)).toEqual([['fee:monthly', 'fee', '1.00', '5000.00', '5000.00']])
    expect(preview.lines[0]?.unit).toBe('month')
    expect(preview.lines[0]?.explanation).toContain('= 600 billable min (10.00 h)')
    expect(preview.issueDetails).toEqual([
      {
        issueId: '10001',
        issueKey: 'ABC-1',
        summary: 'Do the thing',
        category: 'Development',
        lineId: 'fee:monthly',
        rawHours: '10.00',
        billableHours: '10.00',
        amount: null,
      },
    ])
    expect(preview.hours).toEqual({ raw: '10.00', billable: '10.00', billed: '10.00' })
    expect(preview.warnings.map((w) => w.code)).not.toContain('PERIOD_NOT_CALENDAR_MONTH')
  })

  it('bills the whole fee for a partial month and warns', () => {
    const preview = buildPreview(makeInput({ deal: fixed, period: { from: '2026-10-03', to: '2026-10-17' } }))
    expect(preview.subtotal).toBe('5000.00')
    expect(preview.warnings.map((w) => w.code)).toContain('PERIOD_NOT_CALENDAR_MONTH')
  })

  it('bills the fee even without work', () => {
    const preview = buildPreview(makeInput({ deal: fixed, entries: [] }))
    expect(preview.subtotal).toBe('5000.00')
    expect(preview.warnings.find((w) => w.code === 'NO_BILLABLE_WORK')?.message).toContain('the fee is billed regardless')
  })

  it('blocks without a fee', () => {
    const preview = buildPreview(makeInput({ deal: { ...fixed, monthlyFee: null } }))
    expect(preview.errors.map((e) => e.code)).toEqual(['MISSING_MONTHLY_FEE'])
    expect(preview.lines).toEqual([])
  })

  it('keeps UZS fees above a billion exact, with VAT 12 %', () => {
    const deal = { ...fixed, currency: 'UZS', monthlyFee: '1234567890.50', vatRate: '12' }
    const preview = buildPreview(makeInput({ deal }))
    // 1 234 567 890.50 x 0.12 = 148 148 146.86 exactly.
    expect([preview.subtotal, preview.vatAmount, preview.total]).toEqual(['1234567890.50', '148148146.86', '1382716037.36'])
  })
})

describe('buildPreview: retainer', () => {
  it('bills the fee alone while the hours stay within the included ones', () => {
    const preview = buildPreview(makeInput({ deal: retainer, entries: [makeEntry({ minutes: 2400 })] }))
    expect(lineFigures(preview)).toEqual([['fee:retainer', 'fee', '1.00', '3000.00', '3000.00']])
    expect(preview.lines[0]?.explanation).toContain('40.00 h are covered by the fee')
  })

  it('bills hours above the included ones at the overage rate', () => {
    // 45.5 h - 40 h = 5.5 h x 60 = 330.00.
    const preview = buildPreview(makeInput({ deal: retainer, entries: [makeEntry({ minutes: 2730 })] }))
    expect(lineFigures(preview)).toEqual([
      ['fee:retainer', 'fee', '1.00', '3000.00', '3000.00'],
      ['overage:retainer', 'overage', '5.50', '60.00', '330.00'],
    ])
    expect(preview.subtotal).toBe('3330.00')
    expect(preview.issueDetails[0]).toMatchObject({ lineId: 'fee:retainer', billableHours: '45.50', amount: null })
  })

  it.each([
    { field: 'monthlyFee', code: 'MISSING_MONTHLY_FEE' },
    { field: 'includedHours', code: 'MISSING_INCLUDED_HOURS' },
    { field: 'overageRate', code: 'MISSING_OVERAGE_RATE' },
  ])('blocks without $field, even with no overage', ({ field, code }) => {
    const preview = buildPreview(makeInput({ deal: { ...retainer, [field]: null }, entries: [makeEntry({ minutes: 60 })] }))
    expect(preview.errors.map((e) => [e.code, e.details?.field])).toEqual([[code, field]])
    expect(preview.lines).toEqual([])
  })

  it('ignores a malformed field the deal type does not use', () => {
    const preview = buildPreview(makeInput({ deal: { ...retainer, hourlyRate: 'n/a' } }))
    expect(preview.errors).toEqual([])
  })
})
