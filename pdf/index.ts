/**
 * The invoice document: confirmed preview to PDF. The finalization activity builds the document,
 * renders it through Gotenberg and stores the bytes with the template version and input hash.
 * Everything else in the app imports the PDF code through this module.
 */
export { buildInvoiceDocument, type BuildInvoiceDocumentInput } from './build-invoice-document.js'
export { renderInvoiceHtml, type InvoiceHtml } from './render-invoice-html.js'
export { renderInvoicePdf, type RenderInvoicePdfInput, type RenderedInvoicePdf } from './render-invoice-pdf.js'
export { hashRenderInput } from './hash-render-input.js'
export { INVOICE_TEMPLATE_VERSION } from './template-version.js'
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
