import { describe, expect, it } from 'vitest'
import { applyEdits } from './apply-edits.js'
import { BillingEditError, isBillingEditError } from './billing-edit-error.js'
import { buildPreview } from './build-preview.js'
import { makeCategoryRule, makeDeal, makeEntry, makeInput, makeIssue } from './test-builders.js'
import type { InvoicePreview, ManualLineInput, PreviewEdits } from './types.js'

/** Two categories: Bugs 5 h and Development 7 h at 100, VAT 12 %; optional limits. */
function makePreview(deal: Partial<Parameters<typeof makeDeal>[0]> = {}): InvoicePreview {
  return buildPreview(
    makeInput({
      deal: makeDeal({ vatRate: '12', ...deal }),
      issues: [makeIssue({ issueId: '1', issueKey: 'ABC-1', issueType: 'Bug' }), makeIssue({ issueId: '2', issueKey: 'ABC-2' })],
      entries: [makeEntry({ issueId: '1', issueKey: 'ABC-1', minutes: 300, workDate: '2026-10-05' }), makeEntry({ issueId: '2', issueKey: 'ABC-2', minutes: 420, workDate: '2026-10-06' })],
      categoryRules: [makeCategoryRule({ id: 'bugs', category: 'Bugs', issueTypes: ['Bug'] })],
    }),
  )
}

const manual: ManualLineInput = { description: 'Travel', quantity: '3', unit: 'item', rate: '1.335', reason: 'Agreed with the client' }

function refusal(preview: InvoicePreview, edits: PreviewEdits): { code: string; field: string; message: string } {
  try {
    applyEdits(preview, edits)
  } catch (error) {
    if (!isBillingEditError(error)) throw error
    return { code: error.code, field: error.field, message: error.message }
  }
  throw new Error('the edit was accepted')
}

describe('applyEdits', () => {
  it('starts from the expected preview', () => {
    const preview = makePreview()
    expect(preview.lines.map((line) => [line.lineId, line.amount])).toEqual([
      ['time:Bugs:deal', '500.00'],
      ['time:Development:deal', '700.00'],
    ])
    expect([preview.subtotal, preview.vatAmount, preview.total]).toEqual(['1200.00', '144.00', '1344.00'])
  })

  it('drops a line and recomputes subtotal, VAT and total', () => {
    const edited = applyEdits(makePreview(), { dropLineIds: ['time:Bugs:deal'] })
    expect(edited.lines.map((line) => line.lineId)).toEqual(['time:Development:deal'])
    expect([edited.subtotal, edited.vatAmount, edited.total]).toEqual(['700.00', '84.00', '784.00'])
    expect(edited.issueDetails.map((detail) => detail.issueKey)).toEqual(['ABC-2'])
  })

  it('reorders lines: listed ones first, the rest after in their order', () => {
    const edited = applyEdits(makePreview(), { addLines: [manual], order: ['manual:1', 'time:Development:deal'] })
    expect(edited.lines.map((line) => line.lineId)).toEqual(['manual:1', 'time:Development:deal', 'time:Bugs:deal'])
  })

  it('rewrites descriptions, trimmed, and changes nothing else', () => {
    const preview = makePreview()
    const edited = applyEdits(preview, { descriptions: [{ lineId: 'time:Bugs:deal', description: '  Bug fixing, October  ' }] })
    expect(edited.lines[0]).toEqual({ ...preview.lines[0], description: 'Bug fixing, October' })
    expect(edited.total).toBe(preview.total)
  })

  it('adds a manual line priced half-up (3 x 1.335 = 4.005 -> 4.01) with its reason', () => {
    const edited = applyEdits(makePreview(), { addLines: [manual] })
    expect(edited.lines[2]).toEqual({
      lineId: 'manual:1',
      kind: 'manual',
      category: null,
      description: 'Travel',
      quantity: '3.00',
      unit: 'item',
      rate: '1.335',
      amount: '4.01',
      explanation: 'Added by hand: 3.00 item x 1.335 USD = 4.01 USD. Reason: Agreed with the client',
      rateRuleId: null,
      appliesToLineId: null,
      reason: 'Agreed with the client',
    })
    // 1204.01 x 12 % = 144.4812 -> 144.48.
    expect([edited.subtotal, edited.vatAmount, edited.total]).toEqual(['1204.01', '144.48', '1348.49'])
  })

  it('numbers manual lines after the ones already there', () => {
    const once = applyEdits(makePreview(), { addLines: [manual] })
    const twice = applyEdits(once, { addLines: [manual, { ...manual, description: 'Licence' }] })
    expect(twice.lines.map((line) => line.lineId).slice(2)).toEqual(['manual:1', 'manual:2', 'manual:3'])
  })

  it('does not modify the preview it was given', () => {
    const preview = makePreview()
    const before = JSON.stringify(preview)
    applyEdits(preview, { dropLineIds: ['time:Bugs:deal'], addLines: [manual], descriptions: [{ lineId: 'time:Development:deal', description: 'X' }] })
    expect(JSON.stringify(preview)).toBe(before)
  })

  it('drops the hours-cap line together with the line it caps', () => {
    const preview = makePreview({ hoursLimit: '10' })
    expect(preview.lines.map((line) => line.lineId)).toContain('cap:hours:time:Development:deal')
    const edited = applyEdits(preview, { dropLineIds: ['time:Development:deal'] })
    expect(edited.lines.map((line) => line.lineId)).toEqual(['time:Bugs:deal'])
    expect(edited.subtotal).toBe('500.00')
  })

  it('recomputes the amount cap after edits so the limit still holds', () => {
    const preview = makePreview({ amountLimit: '1000' })
    expect(preview.subtotal).toBe('1000.00')
    const dropped = applyEdits(preview, { dropLineIds: ['time:Development:deal'] })
    expect(dropped.lines.map((line) => line.lineId)).toEqual(['time:Bugs:deal'])
    expect(dropped.subtotal).toBe('500.00')
    expect(dropped.warnings.map((w) => w.code)).not.toContain('AMOUNT_LIMIT_EXCEEDED')
    const added = applyEdits(dropped, { addLines: [{ ...manual, quantity: '1', rate: '800' }] })
    expect(added.lines.map((line) => [line.lineId, line.amount])).toEqual([
      ['time:Bugs:deal', '500.00'],
      ['manual:1', '800.00'],
      ['cap:amount', '-300.00'],
    ])
    expect([added.subtotal, added.total]).toEqual(['1000.00', '1120.00'])
    expect(added.warnings.filter((w) => w.code === 'AMOUNT_LIMIT_EXCEEDED')).toHaveLength(1)
  })

  it.each<{ why: string; edits: PreviewEdits; code: string; field: string }>([
    { why: 'an unknown line to drop', edits: { dropLineIds: ['time:Nope:deal'] }, code: 'UNKNOWN_LINE', field: 'dropLineIds[0]' },
    { why: 'a line dropped twice', edits: { dropLineIds: ['time:Bugs:deal', 'time:Bugs:deal'] }, code: 'DUPLICATE_LINE', field: 'dropLineIds[1]' },
    { why: 'an unknown line to order', edits: { order: ['time:Bugs:deal', 'x'] }, code: 'UNKNOWN_LINE', field: 'order[1]' },
    { why: 'a line ordered twice', edits: { order: ['time:Bugs:deal', 'time:Bugs:deal'] }, code: 'DUPLICATE_LINE', field: 'order[1]' },
    { why: 'an unknown line to describe', edits: { descriptions: [{ lineId: 'x', description: 'y' }] }, code: 'UNKNOWN_LINE', field: 'descriptions[0].lineId' },
    {
      why: 'describing a line being dropped',
      edits: { dropLineIds: ['time:Bugs:deal'], descriptions: [{ lineId: 'time:Bugs:deal', description: 'y' }] },
      code: 'UNKNOWN_LINE',
      field: 'descriptions[0].lineId',
    },
    { why: 'an empty description', edits: { descriptions: [{ lineId: 'time:Bugs:deal', description: '  ' }] }, code: 'EMPTY_DESCRIPTION', field: 'descriptions[0].description' },
    { why: 'a manual line without reason', edits: { addLines: [{ ...manual, reason: ' ' }] }, code: 'EMPTY_REASON', field: 'addLines[0].reason' },
    { why: 'a manual line without description', edits: { addLines: [{ ...manual, description: '' }] }, code: 'EMPTY_DESCRIPTION', field: 'addLines[0].description' },
    { why: 'a negative quantity', edits: { addLines: [manual, { ...manual, quantity: '-1' }] }, code: 'INVALID_QUANTITY', field: 'addLines[1].quantity' },
    { why: 'a quantity with 5 decimals', edits: { addLines: [{ ...manual, quantity: '1.00001' }] }, code: 'INVALID_QUANTITY', field: 'addLines[0].quantity' },
    { why: 'a negative rate', edits: { addLines: [{ ...manual, rate: '-0.01' }] }, code: 'INVALID_RATE', field: 'addLines[0].rate' },
    { why: 'a rate with 5 decimals', edits: { addLines: [{ ...manual, rate: '0.00001' }] }, code: 'INVALID_RATE', field: 'addLines[0].rate' },
    { why: 'a rate in exponent notation', edits: { addLines: [{ ...manual, rate: '1e3' }] }, code: 'INVALID_RATE', field: 'addLines[0].rate' },
    { why: 'an unknown unit', edits: { addLines: [{ ...manual, unit: 'day' as 'item' }] }, code: 'INVALID_UNIT', field: 'addLines[0].unit' },
  ])('refuses $why', ({ edits, code, field }) => {
    const result = refusal(makePreview(), edits)
    expect({ code: result.code, field: result.field }).toEqual({ code, field })
    expect(result.message).toContain(field)
  })

  it('refuses to drop a cap line on its own', () => {
    const hours = makePreview({ hoursLimit: '10' })
    expect(refusal(hours, { dropLineIds: ['cap:hours:time:Development:deal'] })).toMatchObject({ code: 'CAP_LINE_LOCKED', field: 'dropLineIds[0]' })
    const amount = makePreview({ amountLimit: '1000' })
    expect(refusal(amount, { dropLineIds: ['cap:amount'] })).toMatchObject({ code: 'CAP_LINE_LOCKED', field: 'dropLineIds[0]' })
    expect(refusal(amount, { order: ['cap:amount'] })).toMatchObject({ code: 'CAP_LINE_LOCKED', field: 'order[0]' })
  })

  it('refuses to edit a preview with blocking errors', () => {
    const blocked = buildPreview(makeInput({ deal: makeDeal({ hourlyRate: null }) }))
    expect(blocked.errors.length).toBeGreaterThan(0)
    expect(refusal(blocked, {})).toMatchObject({ code: 'PREVIEW_HAS_ERRORS', field: 'preview.errors' })
  })

  it('throws a BillingEditError recognisable by its code', () => {
    let caught: unknown
    try {
      applyEdits(makePreview(), { dropLineIds: ['nope'] })
    } catch (error) {
      caught = error
    }
    expect(caught).toBeInstanceOf(BillingEditError)
    expect(caught).toMatchObject({ name: 'BillingEditError', code: 'UNKNOWN_LINE', field: 'dropLineIds[0]' })
  })
})
