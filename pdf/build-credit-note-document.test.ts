import { describe, expect, it } from 'vitest'
import { makeDeal } from '../billing/test-builders.js'
import { buildCreditNoteDocument, type BuildCreditNoteDocumentInput, type CreditNoteInput } from './build-credit-note-document.js'
import { INVOICE_DOCUMENT_ERROR_TYPE, InvoiceDocumentError } from './invoice-document-error.js'
import { makeCreditNoteInput, makePartialCreditNote, makeVoidCreditNote } from './test-credit-notes.js'

function refusal(input: BuildCreditNoteDocumentInput): InvoiceDocumentError {
  try {
    buildCreditNoteDocument(input)
  } catch (error) {
    expect(error).toBeInstanceOf(InvoiceDocumentError)
    return error as InvoiceDocumentError
  }
  throw new Error('expected buildCreditNoteDocument to refuse the input')
}

function withCreditNote(overrides: Partial<CreditNoteInput>): BuildCreditNoteDocumentInput {
  return makeCreditNoteInput(makePartialCreditNote(overrides))
}

describe('buildCreditNoteDocument', () => {
  it('takes the figures from the credit note and the parties, contract and period from the invoice snapshots', () => {
    const input = makeCreditNoteInput(makePartialCreditNote(), { language: 'ru' })
    const document = buildCreditNoteDocument(input)
    expect(document).toEqual({
      templateVersion: 'credit-note-v2',
      language: 'ru',
      number: 'CN-2026-00001',
      issueDate: '2026-12-02',
      invoice: { number: 'INV-2026-000042', issueDate: '2026-11-25', total: '1382.08' },
      reason: 'Support hours of 14 October were billed twice',
      kind: 'partial',
      seller: input.seller,
      buyer: {
        customerId: 'C1',
        name: 'Acme',
        legalName: 'Acme Trading LLC',
        country: 'UZ',
        tin: '207654321',
        vatRegCode: '',
        address: 'Tashkent',
        bankName: 'Bank',
        bankAccount: '20208000000000000001',
        mfo: '00014',
        swift: 'BANKUZ22',
        director: 'A. Director',
        accountant: 'B. Accountant',
      },
      contract: { dealId: 'D1', number: 'K-2026/15', date: '2026-01-15', dealTitle: 'Support contract' },
      period: { from: '2026-10-01', to: '2026-11-01', label: '2026-10' },
      currency: 'USD',
      lines: [{ position: 1, description: 'Support (billed twice)', quantity: '2.25', unit: 'hour', rate: '104.00', amount: '234.00' }],
      subtotal: '234.00',
      vatRate: '12',
      vatAmount: '28.08',
      total: '262.08',
      remainingAfter: '1120.00',
    })
  })

  it('lets the caller choose the language, and a void credits the whole invoice', () => {
    expect(buildCreditNoteDocument({ ...makeCreditNoteInput(), language: 'uz' }).language).toBe('uz')
    expect(buildCreditNoteDocument(makeCreditNoteInput(makeVoidCreditNote()))).toMatchObject({ kind: 'void', total: '1382.08', remainingAfter: '0.00' })
  })

  it('refuses figures that do not add up, naming each problem', () => {
    const error = refusal(withCreditNote({ subtotal: '230.00', total: '262.00' }))
    expect(error.type).toBe(INVOICE_DOCUMENT_ERROR_TYPE)
    expect(error.message).toContain('Cannot build credit note CN-2026-00001 of invoice INV-2026-000042')
    expect(error.message).toContain('the lines add up to 234.00, not the subtotal 230.00')
    expect(error.message).toContain('the subtotal 230.00 plus VAT 28.08 is 258.08, not the total 262.00')
  })

  it('refuses an empty number, bad dates and a currency other than the deal', () => {
    const input = withCreditNote({ number: ' ', issueDate: '2026-02-30' })
    const error = refusal({ ...input, deal: makeDeal({ contractNumber: 'K-2026/15', currency: 'EUR' }) })
    expect(error.message).toContain('the credit note number is empty')
    expect(error.message).toContain('the credit note\'s issue date "2026-02-30" is not a YYYY-MM-DD date')
    expect(error.message).toContain('the invoice is in USD, the deal in EUR')
    expect(refusal(withCreditNote({ issueDate: '2026-11-24' })).message).toContain('is dated before the invoice it corrects')
    const noInvoiceDate = makeCreditNoteInput()
    expect(refusal({ ...noInvoiceDate, invoice: { ...noInvoiceDate.invoice, number: '', issueDate: '25.11.2026' } }).message).toMatch(
      /the invoice number is empty.*the invoice's issue date "25\.11\.2026"/,
    )
  })

  it('refuses negative or missing lines, and crediting more than was invoiced', () => {
    expect(refusal(withCreditNote({ lines: [], subtotal: '0.00', vatAmount: '0.00', total: '0.00' })).message).toMatch(
      /has no lines.*credited total 0\.00 is not positive/,
    )
    const negative = refusal(
      withCreditNote({ lines: [{ description: 'Support', quantity: '-2.25', unit: 'hour', rate: '104.00', amount: '-234.00' }], subtotal: '-234.00', vatAmount: '-28.08', total: '-262.08' }),
    )
    expect(negative.message).toContain("line 1's quantity -2.25 is not positive")
    expect(negative.message).toContain("line 1's amount -234.00 is not positive")
    expect(refusal(withCreditNote({ remainingAfter: '1200.00' })).message).toContain(
      "the credited 262.08 and the remaining 1200.00 exceed the invoice's total 1382.08",
    )
    expect(refusal(withCreditNote({ remainingAfter: '-1.00' })).message).toContain('more is credited than invoiced')
    expect(refusal(withCreditNote({ total: '262.081', vatAmount: '28.081' })).message).toContain('has more decimals than USD has')
    expect(refusal(withCreditNote({ reason: '' })).message).toContain('the reason is empty')
  })

  it('refuses a void that leaves something of the invoice', () => {
    expect(refusal(makeCreditNoteInput(makeVoidCreditNote({ remainingAfter: '10.00' }))).message).toContain(
      'a void credit note cancels the invoice in full, yet 10.00 would remain',
    )
  })
})
