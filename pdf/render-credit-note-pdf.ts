import type { CreditNoteDocument } from './credit-note-document.js'
import { renderCreditNoteHtml } from './render-credit-note-html.js'
import { renderDocumentPdf, type RenderedInvoicePdf, type RenderPdfOptions } from './render-document-pdf.js'

export interface RenderCreditNotePdfInput extends RenderPdfOptions {
  document: CreditNoteDocument
}

/**
 * Renders the credit note document to a PDF, as `renderInvoicePdf` renders an invoice: the
 * bytes with their hash, the template version and the input hash (the page footer prints both).
 */
export async function renderCreditNotePdf(input: RenderCreditNotePdfInput): Promise<RenderedInvoicePdf> {
  const { document } = input
  return renderDocumentPdf({
    ...input,
    renderHtml: renderCreditNoteHtml,
    filename: `credit-note-${document.number}`,
    subject: `Credit note ${document.number} to invoice ${document.invoice.number} for ${document.buyer.legalName}`,
  })
}
