/**
 * The version of `templates/invoice.njk` and everything that shapes its output (labels,
 * formatting, words, paper and margins). Bump it with any change that can alter a rendered PDF,
 * so a stored PDF's `templateVersion` always names the template that produced it.
 */
export const INVOICE_TEMPLATE_VERSION = 'invoice-v1'
