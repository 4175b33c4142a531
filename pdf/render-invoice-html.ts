import { buildInvoiceView } from './build-invoice-view.js'
import { hashRenderInput } from './hash-render-input.js'
import type { InvoiceDocument } from './invoice-document.js'
import { InvoiceDocumentError } from './invoice-document-error.js'
import { getTemplateEnvironment } from './template-environment.js'
import { INVOICE_TEMPLATE_VERSION } from './template-version.js'

export interface InvoiceHtml {
  /** The page: `index.html` for Gotenberg. */
  html: string
  /** The running footer with page numbers: `footer.html` for Gotenberg. */
  footerHtml: string
}

/**
 * Renders the invoice and its page footer to self-contained HTML (inline CSS, no external
 * resources), ready for Gotenberg. Refuses a document made for another template version: a PDF
 * must never record a version other than the template that produced it.
 */
export function renderInvoiceHtml(document: InvoiceDocument): InvoiceHtml {
  if (document.templateVersion !== INVOICE_TEMPLATE_VERSION) {
    throw new InvoiceDocumentError(
      `The document is for template ${document.templateVersion}; this code renders ${INVOICE_TEMPLATE_VERSION} only`,
    )
  }
  const view = buildInvoiceView(document)
  const environment = getTemplateEnvironment()
  return {
    html: environment.render('invoice.njk', view),
    footerHtml: environment.render('invoice-footer.njk', {
      lang: view.lang,
      t: view.t,
      number: view.number,
      issueDate: view.issueDate,
      sellerName: view.seller.legalName,
      // Provenance on every page: which template and which input produced this document.
      provenance: `${document.templateVersion}/${hashRenderInput(document).slice(0, 12)}`,
    }),
  }
}
