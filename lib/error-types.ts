/**
 * Failure types shared by the code that throws them (activities) and the code that decides
 * whether to retry (workflow retry policies). Strings, not class names: class names do not
 * survive bundling. Pure module: workflows import it.
 */
export const ERROR_TYPES = {
  /** The deal id is not in the synced sources (or was deleted). */
  unknownDeal: 'UnknownDeal',
  /** The deal's customer is not in the synced sources. */
  unknownCustomer: 'UnknownCustomer',
  /** Input that retrying cannot fix: a malformed period, id or setting. */
  invalidInput: 'InvalidInput',
  /** A synced row does not have the shape the code expects. */
  invalidSourceRow: 'SourceRowInvalid',
  /** A reader called with arguments it cannot run with. */
  invalidSourceArgument: 'SourceArgumentInvalid',
  /** Settings stored in PostgreSQL fail validation. */
  invalidSettings: 'InvalidSettings',
  /** The invoice cannot be laid out as a document (inconsistent or malformed render input). */
  invalidDocument: 'InvoiceDocumentError',
  /** Gotenberg refused the conversion (bad form, denied URL) or answered something not a PDF. */
  pdfRejected: 'GotenbergRejectedError',
} as const

export type ErrorType = (typeof ERROR_TYPES)[keyof typeof ERROR_TYPES]

/** Failures no retry can fix: activities fail at once and the workflow reports them. */
export const NON_RETRYABLE_ERROR_TYPES: string[] = Object.values(ERROR_TYPES)
