import type { InvoiceDocument } from './invoice-document.js'
import { renderDocumentPdf, type RenderedInvoicePdf, type RenderPdfOptions } from './render-document-pdf.js'
import { renderInvoiceHtml } from './render-invoice-html.js'

export type { RenderedInvoicePdf } from './render-document-pdf.js'

export interface RenderInvoicePdfInput extends RenderPdfOptions {
  document: InvoiceDocument
}

/**
 * Renders the invoice document to a PDF and returns, with the bytes, what must be stored beside
 * them: the PDF's own hash, the template version and the input hash. The page footer prints the
 * template version and the start of the input hash, so a downloaded file names its origin.
 */
export async function renderInvoicePdf(input: RenderInvoicePdfInput): Promise<RenderedInvoicePdf> {
  const { document } = input
  return renderDocumentPdf({
    ...input,
    renderHtml: renderInvoiceHtml,
    filename: `invoice-${document.number}`,
    subject: `Invoice ${document.number} (${document.period.label}) for ${document.buyer.legalName}`,
  })
}
