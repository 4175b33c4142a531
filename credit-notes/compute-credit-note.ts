import { formatMoney, roundMoney } from '../billing/currency.js'
import { Dec } from '../billing/decimal.js'
import type { PreviewLine } from '../billing/types.js'
import type { CreditNoteRequest } from './credit-note-schemas.js'

/**
 * What a credit note credits, computed from the invoice as it was finalized and the credit notes
 * already numbered for it. Pure and deterministic (the workflow runs it too). Money is decimal,
 * rounded to cents once per figure; what is left of the invoice is never exceeded.
 */

/** A credited line: positive amounts (a void of an invoice with an hours cap also repeats its negative cap line). */
export interface CreditNoteLine {
  /** The invoice line it credits; null for an amount credit or the remainder of a void. */
  lineId: string | null
  description: string
  quantity: string
  unit: 'hour' | 'month' | 'item'
  rate: string
  amount: string
}

export interface CreditNoteFigures {
  kind: 'partial' | 'void'
  lines: CreditNoteLine[]
  subtotal: string
  vatRate: string
  vatAmount: string
  total: string
  /** What the invoice amounts to after this and the earlier credit notes. */
  remainingAfter: string
}

/** The invoice a credit note corrects: its confirmed lines and figures. */
export interface CreditedInvoice {
  number: string
  lines: PreviewLine[]
  subtotal: string
  vatRate: string
  vatAmount: string
  total: string
}

/** A credit note already numbered for the invoice (and not cancelled). */
export interface EarlierCreditNote {
  lines: CreditNoteLine[]
  subtotal: string
  vatAmount: string
  total: string
}

/** Why a credit note cannot be made: a stable code and the field of the request it is about. */
export class CreditNoteRefusal extends Error {
  constructor(
    readonly code: 'INVALID_CREDIT_NOTE' | 'CREDIT_EXCEEDS_INVOICE',
    readonly field: string,
    message: string,
  ) {
    super(message)
    this.name = 'CreditNoteRefusal'
  }
}

const CENTS = 2

/** The descriptions of the lines a credit note makes itself, in the invoice's language. */
export const CREDIT_LINE_LABELS = {
  en: { adjustment: 'Price adjustment', remainder: (number: string) => `Remainder of invoice ${number}`, reduction: 'price reduction', hoursCredited: (hours: string) => `${hours} h credited` },
  ru: { adjustment: 'Корректировка цены', remainder: (number: string) => `Остаток по счёту ${number}`, reduction: 'снижение цены', hoursCredited: (hours: string) => `${hours} ч к зачёту` },
  uz: { adjustment: 'Narxni tuzatish', remainder: (number: string) => `${number} hisob-fakturasining qoldig'i`, reduction: 'narx pasaytirildi', hoursCredited: (hours: string) => `${hours} soat hisobga olindi` },
} as const
export type CreditLineLanguage = keyof typeof CREDIT_LINE_LABELS

/** The credit note a request asks for, or a CreditNoteRefusal naming the field. */
export function computeCreditNote(invoice: CreditedInvoice, earlier: readonly EarlierCreditNote[], request: CreditNoteRequest, language: CreditLineLanguage = 'en'): CreditNoteFigures {
  const labels = CREDIT_LINE_LABELS[language] ?? CREDIT_LINE_LABELS.en
  const left = remainingOf(invoice, earlier)
  if (left.total.lte(0)) throw new CreditNoteRefusal('CREDIT_EXCEEDS_INVOICE', 'body', `invoice ${invoice.number} is already credited in full: nothing is left to credit`)
  const figures = request.kind === 'void' ? voidFigures(invoice, earlier, left, labels) : partialFigures(invoice, earlier, left, request, labels)
  if (new Dec(figures.total).gt(left.total)) {
    throw new CreditNoteRefusal(
      'CREDIT_EXCEEDS_INVOICE',
      request.kind === 'void' ? 'body' : request.amount !== undefined ? 'body.amount' : 'body.lines',
      `the credit note (${figures.total}) exceeds what is left of invoice ${invoice.number} (${money(left.total)} of ${invoice.total})`,
    )
  }
  if (new Dec(figures.total).lte(0)) throw new CreditNoteRefusal('INVALID_CREDIT_NOTE', request.kind === 'void' ? 'body' : 'body.lines', 'the credit note would credit nothing')
  return figures
}

/** What is left of the invoice after the earlier credit notes. */
export function remainingOf(invoice: CreditedInvoice, earlier: readonly EarlierCreditNote[]): { subtotal: Dec; vat: Dec; total: Dec } {
  const sum = (pick: (c: EarlierCreditNote) => string) => earlier.reduce((s, c) => s.plus(pick(c)), new Dec(0))
  return {
    subtotal: new Dec(invoice.subtotal).minus(sum((c) => c.subtotal)),
    vat: new Dec(invoice.vatAmount).minus(sum((c) => c.vatAmount)),
    total: new Dec(invoice.total).minus(sum((c) => c.total)),
  }
}

/** A void credits everything left: the invoice's own lines, or the remainder in one line. */
type Labels = (typeof CREDIT_LINE_LABELS)[CreditLineLanguage]

function voidFigures(invoice: CreditedInvoice, earlier: readonly EarlierCreditNote[], left: ReturnType<typeof remainingOf>, labels: Labels): CreditNoteFigures {
  // The invoice's own lines when nothing was credited and none is negative (an hours cap); else the remainder.
  const whole = earlier.length === 0 && invoice.lines.every((l) => !new Dec(l.amount).isNegative())
  const lines: CreditNoteLine[] =
    whole
      ? invoice.lines.filter((l) => !new Dec(l.amount).isZero()).map((l) => ({ lineId: l.lineId, description: l.description, quantity: l.quantity, unit: l.unit, rate: l.rate, amount: l.amount }))
      : [{ lineId: null, description: labels.remainder(invoice.number), quantity: '1', unit: 'item', rate: money(left.subtotal), amount: money(left.subtotal) }]
  return { kind: 'void', lines, subtotal: money(left.subtotal), vatRate: invoice.vatRate, vatAmount: money(left.vat), total: money(left.total), remainingAfter: '0.00' }
}

function partialFigures(
  invoice: CreditedInvoice,
  earlier: readonly EarlierCreditNote[],
  left: ReturnType<typeof remainingOf>,
  request: Extract<CreditNoteRequest, { kind: 'partial' }>,
  labels: Labels,
): CreditNoteFigures {
  const rate = new Dec(invoice.vatRate)
  if (request.amount !== undefined) {
    // An amount is what the customer owes less, VAT included: split into net and VAT.
    const total = new Dec(request.amount)
    const subtotal = total.eq(left.total) ? left.subtotal : roundMoney(total.times(100).div(rate.plus(100)), CENTS)
    const line: CreditNoteLine = { lineId: null, description: request.description ?? labels.adjustment, quantity: '1', unit: 'item', rate: money(subtotal), amount: money(subtotal) }
    return finish(invoice, left, [line], subtotal, total.minus(subtotal))
  }
  const credited = creditedByLine(earlier)
  const seen = new Set<string>()
  const lines = request.lines!.map((asked, index) => {
    const field = `body.lines.${index}`
    if (seen.has(asked.lineId)) throw new CreditNoteRefusal('INVALID_CREDIT_NOTE', `${field}.lineId`, `line ${asked.lineId} is named twice`)
    seen.add(asked.lineId)
    const line = invoice.lines.find((l) => l.lineId === asked.lineId)
    if (!line) throw new CreditNoteRefusal('INVALID_CREDIT_NOTE', `${field}.lineId`, `invoice ${invoice.number} has no line ${JSON.stringify(asked.lineId)}`)
    return creditLine(invoice, line, credited.get(line.lineId) ?? { quantity: new Dec(0), amount: new Dec(0) }, asked, field, labels)
  })
  const subtotal = lines.reduce((s, l) => s.plus(l.amount), new Dec(0))
  // Crediting the rest of every line credits the rest of the VAT, to the cent.
  const vat = subtotal.eq(left.subtotal) ? left.vat : roundMoney(subtotal.times(rate).div(100), CENTS)
  return finish(invoice, left, lines, subtotal, vat)
}

function finish(invoice: CreditedInvoice, left: ReturnType<typeof remainingOf>, lines: CreditNoteLine[], subtotal: Dec, vat: Dec): CreditNoteFigures {
  const total = subtotal.plus(vat)
  return { kind: 'partial', lines, subtotal: money(subtotal), vatRate: invoice.vatRate, vatAmount: money(vat), total: money(total), remainingAfter: money(left.total.minus(total)) }
}

/** The billed hours and amount of a line after its hours cap (cap lines carry negative hours). */
function billedOf(invoice: CreditedInvoice, line: PreviewLine): { quantity: Dec; amount: Dec } {
  const caps = invoice.lines.filter((l) => l.kind === 'cap' && l.appliesToLineId === line.lineId)
  return {
    quantity: caps.reduce((q, c) => q.plus(c.quantity), new Dec(line.quantity)),
    amount: caps.reduce((a, c) => a.plus(c.amount), new Dec(line.amount)),
  }
}

function creditLine(
  invoice: CreditedInvoice,
  line: PreviewLine,
  before: { quantity: Dec; amount: Dec },
  asked: { lineId: string; hours?: string | undefined; amount?: string | undefined },
  field: string,
  labels: Labels,
): CreditNoteLine {
  if (line.kind === 'cap' || new Dec(line.amount).lte(0)) {
    throw new CreditNoteRefusal('INVALID_CREDIT_NOTE', `${field}.lineId`, `line ${line.lineId} (${line.description}) bills nothing itself: credit the line it reduces, or an amount`)
  }
  const billed = billedOf(invoice, line)
  const leftQuantity = billed.quantity.minus(before.quantity)
  const leftAmount = billed.amount.minus(before.amount)
  if (leftAmount.lte(0)) throw new CreditNoteRefusal('CREDIT_EXCEEDS_INVOICE', `${field}.lineId`, `line ${line.lineId} (${line.description}) is already credited in full`)
  const base = { lineId: line.lineId, unit: line.unit }
  if (asked.hours !== undefined) {
    if (line.unit !== 'hour') throw new CreditNoteRefusal('INVALID_CREDIT_NOTE', `${field}.hours`, `line ${line.lineId} is billed per ${line.unit}, not per hour: credit it whole or by amount`)
    const hours = new Dec(asked.hours)
    if (hours.lte(0)) throw new CreditNoteRefusal('INVALID_CREDIT_NOTE', `${field}.hours`, 'must be more than 0')
    if (hours.gt(leftQuantity)) throw new CreditNoteRefusal('CREDIT_EXCEEDS_INVOICE', `${field}.hours`, `line ${line.lineId} has ${leftQuantity.toString()} h left to credit, not ${asked.hours}`)
    const amount = hours.eq(leftQuantity) ? leftAmount : roundMoney(hours.times(line.rate), CENTS)
    // An amount credited from the line earlier counts no hours: the hours may not take more than is left of it.
    if (amount.gt(leftAmount)) throw new CreditNoteRefusal('CREDIT_EXCEEDS_INVOICE', `${field}.hours`, `line ${line.lineId} has ${money(leftAmount)} left to credit; ${asked.hours} h would credit ${money(amount)}`)
    return { ...base, description: `${line.description} (${labels.hoursCredited(asked.hours)})`, quantity: asked.hours, rate: line.rate, amount: money(amount) }
  }
  if (asked.amount !== undefined) {
    const amount = new Dec(asked.amount)
    if (amount.lte(0)) throw new CreditNoteRefusal('INVALID_CREDIT_NOTE', `${field}.amount`, 'must be more than 0')
    if (amount.gt(leftAmount)) throw new CreditNoteRefusal('CREDIT_EXCEEDS_INVOICE', `${field}.amount`, `line ${line.lineId} has ${money(leftAmount)} left to credit, not ${asked.amount}`)
    return { ...base, unit: 'item', description: `${line.description} (${labels.reduction})`, quantity: '1', rate: money(amount), amount: money(amount) }
  }
  return { ...base, description: line.description, quantity: leftQuantity.toString(), rate: line.rate, amount: money(leftAmount) }
}

/** Hours and amounts already credited per invoice line (an amount credit of a line counts no hours). */
function creditedByLine(earlier: readonly EarlierCreditNote[]): Map<string, { quantity: Dec; amount: Dec }> {
  const byLine = new Map<string, { quantity: Dec; amount: Dec }>()
  for (const line of earlier.flatMap((c) => c.lines)) {
    if (line.lineId === null) continue
    const sum = byLine.get(line.lineId) ?? { quantity: new Dec(0), amount: new Dec(0) }
    byLine.set(line.lineId, { quantity: line.unit === 'hour' ? sum.quantity.plus(line.quantity) : sum.quantity, amount: sum.amount.plus(line.amount) })
  }
  return byLine
}

function money(value: Dec): string {
  return formatMoney(value, CENTS)
}
