/** Error type of a document that cannot be built or rendered; retrying cannot fix it. */
export const INVOICE_DOCUMENT_ERROR_TYPE = 'InvoiceDocumentError'

/**
 * Inconsistent or malformed render input (mismatched deal, blocking errors in the preview, a
 * template version this code cannot render). The name is the shared type constant so a
 * Temporal retry policy can list it in `nonRetryableErrorTypes`.
 */
export class InvoiceDocumentError extends Error {
  readonly type = INVOICE_DOCUMENT_ERROR_TYPE
  readonly retryable = false

  constructor(message: string) {
    super(message)
    this.name = INVOICE_DOCUMENT_ERROR_TYPE
  }
}
