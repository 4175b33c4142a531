import { describe, expect, it } from 'vitest'
import { makeCustomer, makeDeal } from '../billing/test-builders.js'
import { buildInvoiceDocument, type BuildInvoiceDocumentInput } from './build-invoice-document.js'
import { INVOICE_DOCUMENT_ERROR_TYPE, InvoiceDocumentError } from './invoice-document-error.js'
import { makeLine, makePreview, makeSeller } from './test-documents.js'

function makeInput(overrides: Partial<BuildInvoiceDocumentInput> = {}): BuildInvoiceDocumentInput {
  return {
    preview: makePreview(),
    customer: makeCustomer({ language: 'ru' }),
    deal: makeDeal({ contractNumber: 'K-77', contractDate: '2026-02-01', title: 'Platform support', paymentTermsDays: 14 }),
    seller: makeSeller(),
    number: 'INV-2026-000005',
    issueDate: '2026-11-25',
    ...overrides,
  }
}

describe('buildInvoiceDocument', () => {
  it('takes figures from the preview as they are and dates from the deal terms', () => {
    const document = buildInvoiceDocument(makeInput())
    expect(document.templateVersion).toBe('invoice-v2')
    expect(document.language).toBe('ru')
    expect(document.number).toBe('INV-2026-000005')
    expect(document.issueDate).toBe('2026-11-25')
    expect(document.dueDate).toBe('2026-12-09')
    expect(document.paymentTerms).toEqual({ days: 14, dueDate: '2026-12-09' })
    expect(document.period).toEqual({ from: '2026-10-01', to: '2026-11-01', label: '2026-10' })
    expect(document.contract).toEqual({ dealId: 'D1', number: 'K-77', date: '2026-02-01', dealTitle: 'Platform support' })
    expect(document.lines).toEqual([
      { position: 1, description: 'Development', quantity: '12.50', unit: 'hour', rate: '80.00', amount: '1000.00' },
      { position: 2, description: 'Support', quantity: '2.25', unit: 'hour', rate: '104.00', amount: '234.00' },
    ])
    expect([document.subtotal, document.vatRate, document.vatAmount, document.total]).toEqual(['1234.00', '12', '148.08', '1382.08'])
    expect(document.buyer.tin).toBe('123456789')
    expect(document.seller.director).toBe('Aliyev Rustam')
  })

  it('lets the caller choose the language', () => {
    expect(buildInvoiceDocument(makeInput({ language: 'uz' })).language).toBe('uz')
  })

  it('points appendix rows at the position of their line', () => {
    const preview = makePreview({
      lines: [makeLine({ lineId: 'a' }), makeLine({ lineId: 'b' })],
      issueDetails: [
        { issueId: '1', issueKey: 'ABC-1', summary: 'One', category: 'Development', lineId: 'b', rawHours: '1.00', billableHours: '1.25', amount: '125.00' },
        { issueId: '2', issueKey: 'ABC-2', summary: null, category: 'General', lineId: null, rawHours: '0.50', billableHours: '0.50', amount: null },
      ],
    })
    expect(buildInvoiceDocument(makeInput({ preview })).appendix).toEqual([
      { issueKey: 'ABC-1', summary: 'One', category: 'Development', linePosition: 2, rawHours: '1.00', billableHours: '1.25', amount: '125.00' },
      { issueKey: 'ABC-2', summary: null, category: 'General', linePosition: null, rawHours: '0.50', billableHours: '0.50', amount: null },
    ])
  })

  it('leaves the warnings out', () => {
    const preview = makePreview({ warnings: [{ code: 'UNMATCHED_CATEGORY', message: 'Issue ABC-9 fell into the default category' }] })
    expect(JSON.stringify(buildInvoiceDocument(makeInput({ preview })))).not.toContain('ABC-9')
  })

  it.each([
    ['a preview with blocking errors', { preview: makePreview({ errors: [{ code: 'NO_RATE', message: 'No rate' }] }) }, /blocking errors \(NO_RATE\)/],
    ["another deal's preview", { preview: makePreview({ dealId: 'D2' }) }, /deal D2, not D1/],
    ["another customer's preview", { customer: makeCustomer({ customerId: 'C9' }) }, /customer C1, not C9/],
    ['a currency other than the deal', { preview: makePreview({ currency: 'EUR' }) }, /in EUR, the deal in USD/],
    ['an empty number', { number: ' ' }, /number is empty/],
    ['a malformed issue date', { issueDate: '25.11.2026' }, /issue date/],
  ])('refuses %s', (_, overrides, message) => {
    const build = () => buildInvoiceDocument(makeInput(overrides as Partial<BuildInvoiceDocumentInput>))
    expect(build).toThrow(InvoiceDocumentError)
    expect(build).toThrow(message)
    try {
      build()
    } catch (error) {
      expect((error as InvoiceDocumentError).type).toBe(INVOICE_DOCUMENT_ERROR_TYPE)
      expect((error as InvoiceDocumentError).retryable).toBe(false)
    }
  })
})
