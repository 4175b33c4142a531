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
  /** The work a confirmed preview bills changed before it was finalized. */
  stalePreview: 'StalePreview',
  /** Settings stored in PostgreSQL fail validation. */
  invalidSettings: 'InvalidSettings',
  /** The invoice cannot be laid out as a document (inconsistent or malformed render input). */
  invalidDocument: 'InvoiceDocumentError',
  /** Gotenberg refused the conversion (bad form, denied URL) or answered something not a PDF. */
  pdfRejected: 'GotenbergRejectedError',
  /** PlanFact refused a request: bad key, no permission or tariff, validation, other 4xx. */
  planfactRejected: 'PlanFactRejected',
  /** PlanFact lacks what booking needs: no account in the invoice currency, no income category. */
  planfactMisconfigured: 'PlanFactMisconfigured',
  /** Didox refused a request: validation (422), forbidden (403), unknown TIN, wrong document state. */
  didoxRejected: 'DidoxRejected',
  /** Didox refused our login (wrong password, unknown user, blocked): retrying risks a lockout. */
  didoxLoginRejected: 'DidoxLoginRejected',
  /** An R2 object already exists under the invoice PDF's key with different bytes: never overwritten. */
  r2ObjectConflict: 'R2ObjectConflict',
  /** R2 refused a request (4xx other than throttling): bad credentials, missing bucket, bad checksum. */
  r2Rejected: 'R2Rejected',
  /** The invoice's customer has no billing contact with an e-mail address. */
  emailNoBillingContact: 'EmailNoBillingContact',
  /** The SMTP server refused the message permanently (a 5xx reply). */
  emailRejected: 'EmailRejected',
  /** PostgreSQL refused a value (too long, out of range, NUL, invalid byte sequence): retrying writes the same. */
  databaseData: 'DatabaseDataError',
  /** An earlier attempt may have sent the e-mail: an operator checks the mailbox, then retries or skips. */
  emailOutcomeUnknown: 'EmailOutcomeUnknown',
  /** A credit note cannot be made: the invoice is not delivered, is void, or a void is in progress. */
  wrongState: 'WRONG_STATE',
  /** A credit note's request names what the invoice does not have (a line, hours of a fee line). */
  invalidCreditNote: 'INVALID_CREDIT_NOTE',
  /** A credit note would credit more than is left of the invoice. */
  creditExceedsInvoice: 'CREDIT_EXCEEDS_INVOICE',
} as const

export type ErrorType = (typeof ERROR_TYPES)[keyof typeof ERROR_TYPES]

/** Failures no retry can fix: activities fail at once and the workflow reports them. */
export const NON_RETRYABLE_ERROR_TYPES: string[] = Object.values(ERROR_TYPES)
