import { createHash } from 'node:crypto'
import { writeCanonicalJson } from './canonical-json.js'
import type { CreditNoteDocument } from './credit-note-document.js'
import type { InvoiceDocument } from './invoice-document.js'

/** A document a PDF is rendered from. */
export type RenderInput = InvoiceDocument | CreditNoteDocument

/**
 * SHA-256 (hex) of the document's canonical JSON. Stored with each PDF as its input hash: the
 * document includes the template version, so two PDFs with the same hash were rendered from the
 * same figures by the same template, and a re-render can be checked against the stored one.
 */
export function hashRenderInput(document: RenderInput): string {
  return createHash('sha256').update(writeCanonicalJson(document), 'utf8').digest('hex')
}
