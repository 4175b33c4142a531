import { describe, expect, it } from 'vitest'
import { buildPreview, buildPreviewWithPlacements, entryKey } from './build-preview.js'
import { makeDeal, makeEntry, makeInput } from './test-builders.js'
import type { InvoicePreview, PrefillInput } from './types.js'

// November's invoice; October was invoiced and 90 min of its work arrived late (hand-computed).
const november = { from: '2026-11-01', to: '2026-12-01' }
const current = makeEntry({ workDate: '2026-11-05', minutes: 60 })
const lateEntry = makeEntry({ workDate: '2026-10-30', minutes: 90, issueKey: 'ABC-2', issueId: '10002' })

function input(overrides: Partial<PrefillInput> & { billedMinutes?: number; lateMinutes?: number } = {}): PrefillInput {
  const { billedMinutes = 0, lateMinutes, ...rest } = overrides
  const entry = lateMinutes === undefined ? lateEntry : makeEntry({ workDate: lateEntry.workDate, issueKey: lateEntry.issueKey, issueId: lateEntry.issueId, minutes: lateMinutes })
  return makeInput({ period: november, entries: [current], lateWork: [{ month: '2026-10', entries: [entry], billedMinutes }], ...rest })
}

const figures = (preview: InvoicePreview) => preview.lines.map((l) => [l.lineId, l.kind, l.quantity, l.rate, l.amount])

describe('late work: lines of their own for earlier months', () => {
  it('time and materials: priced like its own month, on a line named for it, with a warning and the entry placed on it', () => {
    const { preview, placements } = buildPreviewWithPlacements(input())
    expect(figures(preview)).toEqual([
      ['time:Development:deal', 'time', '1.00', '100.00', '100.00'],
      ['earlier:2026-10:time:Development:deal', 'time', '1.50', '100.00', '150.00'],
    ])
    expect(preview.lines[1]!.description).toBe('Work from earlier periods: October 2026 — Development')
    expect(preview.lines[1]!.explanation).toMatch(/^Work dated October 2026 that no invoice has billed/)
    expect(preview.subtotal).toBe('250.00')
    expect(preview.hours).toEqual({ raw: '2.50', billable: '2.50', billed: '2.50' })
    expect(preview.warnings).toContainEqual(expect.objectContaining({ code: 'LATE_WORK', details: { month: '2026-10', worklogs: 1, hours: '1.50' } }))
    expect(placements.get(entryKey(lateEntry))).toBe('earlier:2026-10:time:Development:deal')
    expect(placements.get(entryKey(current))).toBe('time:Development:deal')
    expect(preview.issueDetails.map((d) => [d.issueKey, d.lineId, d.billableHours])).toContainEqual(['ABC-2', 'earlier:2026-10:time:Development:deal', '1.50'])
  })

  it('time and materials with an hours cap: only the room October left is charged (10 h cap, 9.5 h billed, 1.5 h late: 0.5 h)', () => {
    const preview = buildPreview(input({ deal: makeDeal({ hoursLimit: '10' }), billedMinutes: 570 }))
    expect(figures(preview)).toEqual([
      ['time:Development:deal', 'time', '1.00', '100.00', '100.00'],
      ['earlier:2026-10:time:Development:deal', 'time', '1.50', '100.00', '150.00'],
      ['earlier:2026-10:cap:hours:time:Development:deal', 'cap', '-1.00', '100.00', '-100.00'],
    ])
    expect(preview.lines[2]!.appliesToLineId).toBe('earlier:2026-10:time:Development:deal')
    expect(preview.lines[2]!.explanation).toContain('The hours limit of 10 h for the month leaves 0.50 h.')
    expect(preview.subtotal).toBe('150.00')
    expect(preview.hours.billed).toBe('1.50')
  })

  it('retainer: October\'s included hours left cover late work first, the rest is overage (40 h included, 38 h billed, 3 h late)', () => {
    const deal = makeDeal({ dealType: 'retainer', hourlyRate: null, monthlyFee: '3000', includedHours: '40', overageRate: '60' })
    const preview = buildPreview(input({ deal, billedMinutes: 38 * 60, lateMinutes: 180 }))
    expect(figures(preview)).toEqual([
      ['fee:retainer', 'fee', '1.00', '3000.00', '3000.00'],
      ['earlier:2026-10:overage:retainer', 'overage', '1.00', '60.00', '60.00'],
    ])
    expect(preview.lines[1]!.explanation).toContain('2.00 h are covered by the fee already billed, 1.00 h are overage at 60.00 USD/h = 60.00 USD.')
    expect(preview.subtotal).toBe('3060.00')
  })

  it('retainer with an hours cap: overage only up to the month\'s limit (cap 40.5 h: 0.5 h overage, 0.5 h not billed)', () => {
    const deal = makeDeal({ dealType: 'retainer', hourlyRate: null, monthlyFee: '3000', includedHours: '40', overageRate: '60', hoursLimit: '40.5' })
    const preview = buildPreview(input({ deal, billedMinutes: 38 * 60, lateMinutes: 180 }))
    expect(figures(preview)[1]).toEqual(['earlier:2026-10:overage:retainer', 'overage', '0.50', '60.00', '30.00'])
    expect(preview.lines[1]!.explanation).toContain('2.00 h are covered by the fee already billed, 0.50 h are above the limit and not billed, 0.50 h are overage')
    expect(preview.hours.billed).toBe('3.50')
  })

  it('fixed fee: October\'s fee covered the work, so its hours are shown at no charge', () => {
    const deal = makeDeal({ dealType: 'fixed_monthly', hourlyRate: null, monthlyFee: '5000' })
    const preview = buildPreview(input({ deal, lateMinutes: 120 }))
    expect(figures(preview)).toEqual([
      ['fee:monthly', 'fee', '1.00', '5000.00', '5000.00'],
      ['earlier:2026-10:covered:fee', 'time', '2.00', '0.00', '0.00'],
    ])
    expect(preview.subtotal).toBe('5000.00')
  })

  it('the invoice\'s amount limit covers late lines too (cap 200 on 100 + 150)', () => {
    const preview = buildPreview(input({ deal: makeDeal({ amountLimit: '200' }) }))
    expect(preview.subtotal).toBe('200.00')
    expect(preview.lines.at(-1)).toMatchObject({ lineId: 'cap:amount', amount: '-50.00' })
  })

  it('says how many worklogs of the period other invoices bill', () => {
    const preview = buildPreview(makeInput({ billedElsewhere: { worklogs: 3, billableMinutes: 75, invoices: ['INV-2026-00007'] } }))
    expect(preview.warnings).toContainEqual({
      code: 'WORK_BILLED_ELSEWHERE',
      message: '3 worklogs of 2026-10 (1.25 h) are already billed on INV-2026-00007 and are left out of this invoice.',
      details: { worklogs: 3, hours: '1.25', invoices: ['INV-2026-00007'] },
    })
  })
})
