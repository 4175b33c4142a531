import { buildInvoiceView } from './build-invoice-view.js'
import type { InvoiceDocument } from './invoice-document.js'
import { renderDocumentHtml, type InvoiceHtml } from './render-document-html.js'
import { INVOICE_TEMPLATE_VERSION } from './template-version.js'

export type { InvoiceHtml } from './render-document-html.js'

/**
 * Renders the invoice and its page footer to self-contained HTML (inline CSS, no external
 * resources), ready for Gotenberg. Refuses a document made for another template version: a PDF
 * must never record a version other than the template that produced it.
 */
export function renderInvoiceHtml(document: InvoiceDocument): InvoiceHtml {
  return renderDocumentHtml(document, {
    templateVersion: INVOICE_TEMPLATE_VERSION,
    template: 'invoice.njk',
    buildView: () => buildInvoiceView(document),
  })
}
