/**
 * The version of `templates/invoice.njk` and everything that shapes its output (labels,
 * formatting, words, paper and margins). Bump it with any change that can alter a rendered PDF,
 * so a stored PDF's `templateVersion` always names the template that produced it. The credit
 * note prints the same partials: a change to one of them bumps CREDIT_NOTE_TEMPLATE_VERSION too.
 */
/** v2: the emoji font joins the font stack. */
export const INVOICE_TEMPLATE_VERSION = 'invoice-v2'

/**
 * The version of `templates/credit-note.njk` and what shapes its output: the invoice partials
 * it shares (styles, parties, lines, words, signatures), its labels and the formatting. Bump it
 * with any change that can alter a rendered credit note, as for the invoice.
 */
/** v2: the emoji font joins the font stack. */
export const CREDIT_NOTE_TEMPLATE_VERSION = 'credit-note-v2'
