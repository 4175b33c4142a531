import { hashRenderInput, type RenderInput } from './hash-render-input.js'
import type { InvoiceLabels } from './invoice-labels.js'
import { InvoiceDocumentError } from './invoice-document-error.js'
import { getTemplateEnvironment } from './template-environment.js'

export interface InvoiceHtml {
  /** The page: `index.html` for Gotenberg. */
  html: string
  /** The running footer with page numbers: `footer.html` for Gotenberg. */
  footerHtml: string
}

/** What the shared footer (`invoice-footer.njk`) prints of a document's view. */
export interface FooterView {
  lang: string
  t: Pick<InvoiceLabels, 'footerDocument' | 'numberSign' | 'pageBefore' | 'pageBetween'>
  number: string
  issueDate: string
  seller: { legalName: string }
}

export interface RenderDocumentHtmlOptions<View extends FooterView> {
  /** The one template version this code renders for the document's kind. */
  templateVersion: string
  /** The page template, e.g. "invoice.njk". */
  template: string
  /** Builds the view; called only for a document of `templateVersion`. */
  buildView: () => View
}

/**
 * Renders a document's page and its running footer to self-contained HTML. Refuses a document
 * made for another template version: a PDF must never record a version other than the
 * template that produced it. Every page's footer names the template and the input's hash.
 */
export function renderDocumentHtml<View extends FooterView>(document: RenderInput, options: RenderDocumentHtmlOptions<View>): InvoiceHtml {
  if (document.templateVersion !== options.templateVersion) {
    throw new InvoiceDocumentError(
      `The document is for template ${document.templateVersion}; this code renders ${options.templateVersion} only`,
    )
  }
  const view = options.buildView()
  const environment = getTemplateEnvironment()
  return {
    html: environment.render(options.template, view),
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
