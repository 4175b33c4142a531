/**
 * The invoice document: confirmed preview to PDF. The finalization activity builds the document,
 * renders it through Gotenberg and stores the bytes with the template version and input hash.
 * The credit note of a delivered invoice is built and rendered the same way.
 * Everything else in the app imports the PDF code through this module.
 */
export { buildInvoiceDocument, type BuildInvoiceDocumentInput } from './build-invoice-document.js'
export { renderInvoiceHtml, type InvoiceHtml } from './render-invoice-html.js'
export { renderInvoicePdf, type RenderInvoicePdfInput, type RenderedInvoicePdf } from './render-invoice-pdf.js'
export {
  buildCreditNoteDocument,
  type BuildCreditNoteDocumentInput,
  type CreditedInvoiceInput,
  type CreditNoteInput,
  type CreditNoteLineInput,
} from './build-credit-note-document.js'
export { renderCreditNoteHtml } from './render-credit-note-html.js'
export { renderCreditNotePdf, type RenderCreditNotePdfInput } from './render-credit-note-pdf.js'
export type { CreditNoteDocument, CreditNoteInvoiceReference, CreditNoteKind } from './credit-note-document.js'
export { hashRenderInput, type RenderInput } from './hash-render-input.js'
export { CREDIT_NOTE_TEMPLATE_VERSION, INVOICE_TEMPLATE_VERSION } from './template-version.js'
export { INVOICE_DOCUMENT_ERROR_TYPE, InvoiceDocumentError } from './invoice-document-error.js'
export { spellAmount, type SpellAmountInput } from './amount-in-words.js'
export { formatDecimal, formatMoney, formatMoneyWithCurrency, formatPercent } from './format-number.js'
export { formatDate, formatMonth } from './format-date.js'
export type {
  InvoiceAppendixRow,
  InvoiceBuyer,
  InvoiceContract,
  InvoiceDocument,
  InvoiceDocumentLine,
  InvoiceDocumentPeriod,
  InvoicePaymentTerms,
  InvoiceSeller,
} from './invoice-document.js'
