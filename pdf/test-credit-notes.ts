import { makeCustomer, makeDeal } from '../billing/test-builders.js'
import type { InvoiceLanguage } from '../sources/types.js'
import { buildCreditNoteDocument, type BuildCreditNoteDocumentInput, type CreditNoteInput } from './build-credit-note-document.js'
import type { CreditNoteDocument } from './credit-note-document.js'
import { makePreview, makeSeller } from './test-documents.js'

/**
 * Builders for the credit note tests: the credit notes of the test invoice INV-2026-000042
 * (USD 1,382.08 = 1,234.00 + 12 % VAT, issued 2026-11-25 for October 2026). Not used by
 * product code.
 */

/** A partial credit note: the 2.25 support hours (234.00 + 28.08 VAT) are taken back. */
export function makePartialCreditNote(overrides: Partial<CreditNoteInput> = {}): CreditNoteInput {
  return {
    number: 'CN-2026-00001',
    issueDate: '2026-12-02',
    reason: 'Support hours of 14 October were billed twice',
    kind: 'partial',
    lines: [{ description: 'Support (billed twice)', quantity: '2.25', unit: 'hour', rate: '104.00', amount: '234.00' }],
    subtotal: '234.00',
    vatRate: '12',
    vatAmount: '28.08',
    total: '262.08',
    remainingAfter: '1120.00',
    ...overrides,
  }
}

/** A void: the whole invoice is cancelled. */
export function makeVoidCreditNote(overrides: Partial<CreditNoteInput> = {}): CreditNoteInput {
  return {
    number: 'CN-2026-00002',
    issueDate: '2026-12-02',
    reason: 'The invoice was issued to the wrong legal entity',
    kind: 'void',
    lines: [
      { description: 'Development', quantity: '12.50', unit: 'hour', rate: '80.00', amount: '1000.00' },
      { description: 'Support', quantity: '2.25', unit: 'hour', rate: '104.00', amount: '234.00' },
    ],
    subtotal: '1234.00',
    vatRate: '12',
    vatAmount: '148.08',
    total: '1382.08',
    remainingAfter: '0.00',
    ...overrides,
  }
}

/** The input of `buildCreditNoteDocument` for the test invoice, as an activity would pass its dispatch context. */
export function makeCreditNoteInput(
  creditNote: CreditNoteInput = makePartialCreditNote(),
  options: { language?: InvoiceLanguage } = {},
): BuildCreditNoteDocumentInput {
  const preview = makePreview()
  const invoice = {
    invoiceId: '0b8c3f2e-1111-4222-8333-444455556666',
    number: 'INV-2026-000042',
    issueDate: '2026-11-25',
    dueDate: '2026-12-09',
    currency: 'USD',
    subtotal: '1234.00',
    vatRate: '12',
    vatAmount: '148.08',
    total: '1382.08',
    preview,
    buyer: makeCustomer({ legalName: 'Acme Trading LLC', tin: '207654321', language: options.language ?? 'en' }),
    deal: makeDeal({ contractNumber: 'K-2026/15' }),
    seller: makeSeller(),
  }
  return { creditNote, invoice, customer: invoice.buyer, deal: invoice.deal, seller: invoice.seller }
}

export function makeCreditNoteDocument(creditNote: CreditNoteInput = makePartialCreditNote(), language: InvoiceLanguage = 'en'): CreditNoteDocument {
  return buildCreditNoteDocument(makeCreditNoteInput(creditNote, { language }))
}
