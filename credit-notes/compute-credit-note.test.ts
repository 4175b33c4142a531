import { describe, expect, it } from 'vitest'
import type { PreviewLine } from '../billing/types.js'
import { computeCreditNote, CreditNoteRefusal, type CreditedInvoice, type EarlierCreditNote } from './compute-credit-note.js'

/** Hand-computed: 10 h x 45.00 = 450.00 development, 1 month fee 1000.00, VAT 12 %. */
const line = (over: Partial<PreviewLine>): PreviewLine => ({
  lineId: 'time:Development:deal',
  kind: 'time',
  category: 'Development',
  description: 'Development',
  quantity: '10.00',
  unit: 'hour',
  rate: '45.00',
  amount: '450.00',
  explanation: '',
  rateRuleId: null,
  appliesToLineId: null,
  reason: null,
  ...over,
})
const invoice: CreditedInvoice = {
  number: 'INV-2026-00042',
  lines: [line({}), line({ lineId: 'fee:monthly', kind: 'fee', category: null, description: 'Monthly fee', quantity: '1', unit: 'month', rate: '1000.00', amount: '1000.00' })],
  subtotal: '1450.00',
  vatRate: '12',
  vatAmount: '174.00',
  total: '1624.00',
}
const partial = (body: object) => ({ kind: 'partial' as const, reason: 'r', correction: 'terms' as const, ...body })
const refusal = (run: () => unknown): CreditNoteRefusal => {
  try {
    run()
  } catch (error) {
    if (error instanceof CreditNoteRefusal) return error
    throw error
  }
  throw new Error('not refused')
}

describe('computeCreditNote', () => {
  it('credits hours of a line at its rate, VAT on the credited subtotal', () => {
    const cn = computeCreditNote(invoice, [], partial({ lines: [{ lineId: 'time:Development:deal', hours: '2.5' }] }))
    expect(cn).toMatchObject({ kind: 'partial', subtotal: '112.50', vatAmount: '13.50', total: '126.00', remainingAfter: '1498.00' })
    expect(cn.lines).toEqual([{ lineId: 'time:Development:deal', description: 'Development (2.5 h credited)', quantity: '2.5', unit: 'hour', rate: '45.00', amount: '112.50' }])
  })

  it('credits an amount VAT included, split into net and VAT (the rest rounding into VAT)', () => {
    // 100.00 / 1.12 = 89.2857... -> 89.29 net, 10.71 VAT.
    expect(computeCreditNote(invoice, [], partial({ amount: '100.00' }))).toMatchObject({ subtotal: '89.29', vatAmount: '10.71', total: '100.00', remainingAfter: '1524.00' })
  })

  it('credits a whole line, then refuses it again and refuses more hours than are left', () => {
    const first = computeCreditNote(invoice, [], partial({ lines: [{ lineId: 'fee:monthly' }] }))
    expect(first).toMatchObject({ subtotal: '1000.00', vatAmount: '120.00', total: '1120.00' })
    const earlier: EarlierCreditNote[] = [{ lines: first.lines, subtotal: first.subtotal, vatAmount: first.vatAmount, total: first.total }]
    expect(refusal(() => computeCreditNote(invoice, earlier, partial({ lines: [{ lineId: 'fee:monthly' }] })))).toMatchObject({ code: 'CREDIT_EXCEEDS_INVOICE', field: 'body.lines.0.lineId' })
    expect(refusal(() => computeCreditNote(invoice, [], partial({ lines: [{ lineId: 'time:Development:deal', hours: '10.5' }] })))).toMatchObject({ code: 'CREDIT_EXCEEDS_INVOICE', field: 'body.lines.0.hours' })
    expect(refusal(() => computeCreditNote(invoice, [], partial({ lines: [{ lineId: 'fee:monthly', hours: '1' }] })))).toMatchObject({ code: 'INVALID_CREDIT_NOTE', field: 'body.lines.0.hours' })
    expect(refusal(() => computeCreditNote(invoice, [], partial({ lines: [{ lineId: 'nope' }] })))).toMatchObject({ code: 'INVALID_CREDIT_NOTE', field: 'body.lines.0.lineId' })
    expect(refusal(() => computeCreditNote(invoice, [], partial({ amount: '1624.01' })))).toMatchObject({ code: 'CREDIT_EXCEEDS_INVOICE', field: 'body.amount' })
  })

  it('hours after an amount credit of the same line may not take more than is left of it', () => {
    const amount = computeCreditNote(invoice, [], partial({ lines: [{ lineId: 'time:Development:deal', amount: '400.00' }] }))
    const earlier: EarlierCreditNote[] = [{ lines: amount.lines, subtotal: amount.subtotal, vatAmount: amount.vatAmount, total: amount.total }]
    // 50.00 is left of the line: 2 h x 45.00 = 90.00 is refused, 1 h = 45.00 is not.
    expect(refusal(() => computeCreditNote(invoice, earlier, partial({ lines: [{ lineId: 'time:Development:deal', hours: '2' }] })))).toMatchObject({ code: 'CREDIT_EXCEEDS_INVOICE', field: 'body.lines.0.hours' })
    expect(computeCreditNote(invoice, earlier, partial({ lines: [{ lineId: 'time:Development:deal', hours: '1' }] }))).toMatchObject({ subtotal: '45.00' })
  })

  it('crediting the rest of every line credits the rest of the VAT to the cent', () => {
    // 3 h x 3.35 = 10.05, VAT 12 % = 1.206 -> 1.21. One hour: 3.35 + 0.40 (0.402). The rest,
    // 6.70, would be 0.80 (0.804) on its own; it takes what is left, 0.81, so the two add up to 1.21.
    const odd: CreditedInvoice = { number: 'INV-1', lines: [line({ quantity: '3', rate: '3.35', amount: '10.05' })], subtotal: '10.05', vatRate: '12', vatAmount: '1.21', total: '11.26' }
    const first = computeCreditNote(odd, [], partial({ lines: [{ lineId: 'time:Development:deal', hours: '1' }] }))
    expect(first).toMatchObject({ subtotal: '3.35', vatAmount: '0.40', total: '3.75' })
    const rest = computeCreditNote(odd, [{ lines: first.lines, subtotal: first.subtotal, vatAmount: first.vatAmount, total: first.total }], partial({ lines: [{ lineId: 'time:Development:deal' }] }))
    expect(rest).toMatchObject({ subtotal: '6.70', vatAmount: '0.81', total: '7.51', remainingAfter: '0.00' })
  })

  it('an hours cap limits what a line can give back', () => {
    const capped: CreditedInvoice = {
      number: 'INV-2',
      lines: [line({}), line({ lineId: 'cap:hours', kind: 'cap', description: 'Hours cap', quantity: '-2.00', amount: '-90.00', appliesToLineId: 'time:Development:deal' })],
      subtotal: '360.00',
      vatRate: '12',
      vatAmount: '43.20',
      total: '403.20',
    }
    expect(refusal(() => computeCreditNote(capped, [], partial({ lines: [{ lineId: 'time:Development:deal', hours: '9' }] })))).toMatchObject({ field: 'body.lines.0.hours' })
    expect(computeCreditNote(capped, [], partial({ lines: [{ lineId: 'time:Development:deal' }] }))).toMatchObject({ subtotal: '360.00', vatAmount: '43.20', total: '403.20' })
    expect(refusal(() => computeCreditNote(capped, [], partial({ lines: [{ lineId: 'cap:hours' }] })))).toMatchObject({ code: 'INVALID_CREDIT_NOTE' })
    // A void of a capped invoice is its remainder in one line (no negative line on a credit note).
    expect(computeCreditNote(capped, [], { kind: 'void', reason: 'r', correction: 'error' }).lines).toEqual([expect.objectContaining({ lineId: null, amount: '360.00' })])
  })

  it('a void credits everything left: the invoice lines, or the remainder after earlier credit notes; nothing left is refused', () => {
    const whole = computeCreditNote(invoice, [], { kind: 'void', reason: 'r', correction: 'error' })
    expect(whole).toMatchObject({ kind: 'void', subtotal: '1450.00', vatAmount: '174.00', total: '1624.00', remainingAfter: '0.00' })
    expect(whole.lines.map((l) => l.lineId)).toEqual(['time:Development:deal', 'fee:monthly'])
    const earlier: EarlierCreditNote[] = [{ lines: [], subtotal: '89.29', vatAmount: '10.71', total: '100.00' }]
    const rest = computeCreditNote(invoice, earlier, { kind: 'void', reason: 'r', correction: 'error' }, 'ru')
    expect(rest).toMatchObject({ subtotal: '1360.71', vatAmount: '163.29', total: '1524.00', remainingAfter: '0.00' })
    expect(rest.lines).toEqual([{ lineId: null, description: 'Остаток по счёту INV-2026-00042', quantity: '1', unit: 'item', rate: '1360.71', amount: '1360.71' }])
    const all: EarlierCreditNote[] = [{ lines: [], subtotal: '1450.00', vatAmount: '174.00', total: '1624.00' }]
    expect(refusal(() => computeCreditNote(invoice, all, { kind: 'void', reason: 'r', correction: 'error' }))).toMatchObject({ code: 'CREDIT_EXCEEDS_INVOICE' })
  })
})
