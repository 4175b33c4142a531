import { getMinorUnit } from '../billing/currency.js'
import { Dec, isDecimalString } from '../billing/decimal.js'
import type { LineUnit } from '../billing/types.js'
import type { InvoiceLanguage, SourceCustomer, SourceDeal } from '../sources/types.js'
import { copyBuyer, copyContract, copySeller } from './build-invoice-document.js'
import type { CreditNoteDocument, CreditNoteKind } from './credit-note-document.js'
import { parseIsoDate } from './date-only.js'
import type { InvoiceDocumentPeriod, InvoiceSeller } from './invoice-document.js'
import { InvoiceDocumentError } from './invoice-document-error.js'
import { CREDIT_NOTE_TEMPLATE_VERSION } from './template-version.js'

/** One credited line, as the credit note's own rows hold it: positive quantity and amount. */
export interface CreditNoteLineInput {
  description: string
  quantity: string
  unit: LineUnit
  rate: string
  amount: string
}

/** The credit note's own facts (its row and lines). Decimals are strings, dates YYYY-MM-DD. */
export interface CreditNoteInput {
  /** e.g. "CN-2026-00001" */
  number: string
  issueDate: string
  reason: string
  kind: CreditNoteKind
  lines: CreditNoteLineInput[]
  subtotal: string
  vatRate: string
  vatAmount: string
  /** The credited total, positive. */
  total: string
  /** What the invoice amounts to after this and every earlier credit note. */
  remainingAfter: string
}

/**
 * What the credit note needs of the corrected invoice. The shape of the activities' dispatch
 * context (`loadDispatchContext`), so that object can be passed as it is.
 */
export interface CreditedInvoiceInput {
  number: string
  /** YYYY-MM-DD */
  issueDate: string
  total: string
  currency: string
  /** The confirmed preview's period: the credit note names the period it corrects. */
  preview: { period: InvoiceDocumentPeriod }
}

export interface BuildCreditNoteDocumentInput {
  creditNote: CreditNoteInput
  invoice: CreditedInvoiceInput
  /** The invoice's buyer snapshot. */
  customer: SourceCustomer
  /** The invoice's deal snapshot. */
  deal: SourceDeal
  /** The invoice's seller snapshot. */
  seller: InvoiceSeller
  /** Defaults to the customer's language. */
  language?: InvoiceLanguage
  /** Defaults to the current template; only the current one can be rendered. */
  templateVersion?: string
}

/**
 * Collects what the credit note PDF shows, as plain data: the credited lines and figures as the
 * credit note states them, the parties and contract from the corrected invoice's snapshots (so
 * the credit note names the same parties as the invoice did). Refuses figures that do not add
 * up or do not belong to the invoice, so an inconsistent credit note is never rendered.
 */
export function buildCreditNoteDocument(input: BuildCreditNoteDocumentInput): CreditNoteDocument {
  const { creditNote, invoice, customer, deal, seller } = input
  checkConsistency(input)
  return {
    templateVersion: input.templateVersion ?? CREDIT_NOTE_TEMPLATE_VERSION,
    language: input.language ?? customer.language,
    number: creditNote.number,
    issueDate: creditNote.issueDate,
    invoice: { number: invoice.number, issueDate: invoice.issueDate, total: invoice.total },
    reason: creditNote.reason,
    kind: creditNote.kind,
    seller: copySeller(seller),
    buyer: copyBuyer(customer),
    contract: copyContract(deal),
    period: { from: invoice.preview.period.from, to: invoice.preview.period.to, label: invoice.preview.period.label },
    currency: invoice.currency,
    lines: creditNote.lines.map((line, index) => ({
      position: index + 1,
      description: line.description,
      quantity: line.quantity,
      unit: line.unit,
      rate: line.rate,
      amount: line.amount,
    })),
    subtotal: creditNote.subtotal,
    vatRate: creditNote.vatRate,
    vatAmount: creditNote.vatAmount,
    total: creditNote.total,
    remainingAfter: creditNote.remainingAfter,
  }
}

function checkConsistency({ creditNote, invoice, customer, deal }: BuildCreditNoteDocumentInput): void {
  const problems: string[] = []
  if (creditNote.number.trim() === '') problems.push('the credit note number is empty')
  if (invoice.number.trim() === '') problems.push('the invoice number is empty')
  if (creditNote.reason.trim() === '') problems.push('the reason is empty')
  if (creditNote.kind !== 'partial' && creditNote.kind !== 'void') problems.push(`the kind "${String(creditNote.kind)}" is neither partial nor void`)

  const issued = parseIsoDate(creditNote.issueDate)
  const invoiced = parseIsoDate(invoice.issueDate)
  if (issued === null) problems.push(`the credit note's issue date "${creditNote.issueDate}" is not a YYYY-MM-DD date`)
  if (invoiced === null) problems.push(`the invoice's issue date "${invoice.issueDate}" is not a YYYY-MM-DD date`)
  if (issued !== null && invoiced !== null && issued < invoiced) {
    problems.push(`the credit note (${creditNote.issueDate}) is dated before the invoice it corrects (${invoice.issueDate})`)
  }
  const { period } = invoice.preview
  if (parseIsoDate(period.from) === null || parseIsoDate(period.to) === null) {
    problems.push(`the invoice's period ${period.from}..${period.to} is not made of YYYY-MM-DD dates`)
  }

  if (deal.customerId !== customer.customerId) problems.push(`deal ${deal.dealId} belongs to customer ${deal.customerId}, not ${customer.customerId}`)
  if (invoice.currency !== deal.currency) problems.push(`the invoice is in ${invoice.currency}, the deal in ${deal.currency}`)
  const minorUnit = getMinorUnit(invoice.currency)
  if (minorUnit === null) problems.push(`the currency ${invoice.currency} is unknown`)

  // Figures: plain decimal strings first, so the sums below can trust them.
  const money = (label: string, value: string): Dec | null => {
    if (!isDecimalString(value)) {
      problems.push(`${label} "${value}" is not a decimal string`)
      return null
    }
    return new Dec(value)
  }
  if (creditNote.lines.length === 0) problems.push('the credit note has no lines')
  let linesSum: Dec | null = new Dec(0)
  for (const [index, line] of creditNote.lines.entries()) {
    const label = `line ${index + 1}`
    if (line.description.trim() === '') problems.push(`${label} has no description`)
    const quantity = money(`${label}'s quantity`, line.quantity)
    const rate = money(`${label}'s rate`, line.rate)
    const amount = money(`${label}'s amount`, line.amount)
    if (quantity !== null && !quantity.greaterThan(0)) problems.push(`${label}'s quantity ${line.quantity} is not positive`)
    if (rate !== null && rate.lessThan(0)) problems.push(`${label}'s rate ${line.rate} is negative`)
    if (amount !== null && !amount.greaterThan(0)) problems.push(`${label}'s amount ${line.amount} is not positive`)
    linesSum = amount === null || linesSum === null ? null : linesSum.plus(amount)
  }
  const subtotal = money('the subtotal', creditNote.subtotal)
  const vatAmount = money('the VAT amount', creditNote.vatAmount)
  const total = money('the total', creditNote.total)
  const remainingAfter = money('the remaining invoice total', creditNote.remainingAfter)
  const invoiceTotal = money("the invoice's total", invoice.total)
  const vatRate = money('the VAT rate', creditNote.vatRate)
  if (vatRate !== null && vatRate.lessThan(0)) problems.push(`the VAT rate ${creditNote.vatRate} is negative`)
  if (vatAmount !== null && vatAmount.lessThan(0)) problems.push(`the VAT amount ${creditNote.vatAmount} is negative`)

  if (linesSum !== null && subtotal !== null && creditNote.lines.length > 0 && !linesSum.equals(subtotal)) {
    problems.push(`the lines add up to ${linesSum.toFixed(minorUnit ?? 2)}, not the subtotal ${creditNote.subtotal}`)
  }
  if (subtotal !== null && vatAmount !== null && total !== null && !subtotal.plus(vatAmount).equals(total)) {
    problems.push(`the subtotal ${creditNote.subtotal} plus VAT ${creditNote.vatAmount} is ${subtotal.plus(vatAmount).toFixed(minorUnit ?? 2)}, not the total ${creditNote.total}`)
  }
  if (total !== null && !total.greaterThan(0)) problems.push(`the credited total ${creditNote.total} is not positive`)
  if (remainingAfter !== null && remainingAfter.lessThan(0)) {
    problems.push(`the remaining invoice total ${creditNote.remainingAfter} is negative: more is credited than invoiced`)
  }
  if (total !== null && remainingAfter !== null && invoiceTotal !== null && total.plus(remainingAfter).greaterThan(invoiceTotal)) {
    problems.push(
      `the credited ${creditNote.total} and the remaining ${creditNote.remainingAfter} exceed the invoice's total ${invoice.total}`,
    )
  }
  if (creditNote.kind === 'void' && remainingAfter !== null && !remainingAfter.isZero()) {
    problems.push(`a void credit note cancels the invoice in full, yet ${creditNote.remainingAfter} would remain`)
  }
  if (minorUnit !== null) {
    const figures: [string, string][] = [
      ['the subtotal', creditNote.subtotal],
      ['the VAT amount', creditNote.vatAmount],
      ['the total', creditNote.total],
      ['the remaining invoice total', creditNote.remainingAfter],
      ...creditNote.lines.map((line, index): [string, string] => [`line ${index + 1}'s amount`, line.amount]),
    ]
    for (const [label, value] of figures) {
      if (isDecimalString(value) && new Dec(value).decimalPlaces() > minorUnit) problems.push(`${label} ${value} has more decimals than ${invoice.currency} has`)
    }
  }
  if (problems.length > 0) {
    throw new InvoiceDocumentError(`Cannot build credit note ${creditNote.number || '(no number)'} of invoice ${invoice.number}: ${problems.join('; ')}`)
  }
}
