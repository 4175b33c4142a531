import { buildCreditNoteView } from './build-credit-note-view.js'
import type { CreditNoteDocument } from './credit-note-document.js'
import { renderDocumentHtml, type InvoiceHtml } from './render-document-html.js'
import { CREDIT_NOTE_TEMPLATE_VERSION } from './template-version.js'

/**
 * Renders the credit note and its page footer (the invoice's footer, with the template version
 * and input hash) to self-contained HTML for Gotenberg. Refuses a document made for another
 * template version.
 */
export function renderCreditNoteHtml(document: CreditNoteDocument): InvoiceHtml {
  return renderDocumentHtml(document, {
    templateVersion: CREDIT_NOTE_TEMPLATE_VERSION,
    template: 'credit-note.njk',
    buildView: () => buildCreditNoteView(document),
  })
}
