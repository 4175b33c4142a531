import type { EmailTransport } from '../clients/email.js'
import type { Database } from '../lib/database.js'
import { formatDate } from '../pdf/format-date.js'
import { formatMoneyWithCurrency } from '../pdf/format-number.js'
import type { InvoiceLanguage, SourceContact } from '../sources/types.js'
import {
  readMessageIdDomain,
  sendDocumentEmail,
  type EmailRecipient,
  type ResendUncertainRequest,
  type SentEmail,
} from './send-document-email.js'

export { EMAIL_SYSTEM, type EmailRecipient, type ResendUncertainRequest } from './send-document-email.js'
// The other e-mails about an invoice, for callers that import the invoice's e-mail module.
export {
  sendCreditNoteEmail,
  sendDocumentEmail,
  sendPaymentReminderEmail,
  type SendCreditNoteEmailInput,
  type SendDocumentEmailInput,
  type SendPaymentReminderEmailInput,
  type SentEmail,
} from './send-document-email.js'

export interface InvoiceEmailFacts {
  invoiceId: string
  number: string
  pdfVersion: number
  /** Decimal string, e.g. "1234.50". */
  total: string
  currency: string
  /** YYYY-MM-DD, or null when the invoice has none. */
  dueDate: string | null
  /** The billing period as the e-mail shows it, e.g. "October 2026". */
  periodLabel: string
  sellerName: string
}

export interface SendInvoiceEmailInput {
  db: Database
  transport: EmailTransport
  /** The sender, e.g. `Billing <billing@example.uz>`; its domain ends the Message-ID. */
  from: string
  invoice: InvoiceEmailFacts
  customer: { customerId: string; name: string }
  language: InvoiceLanguage
  /** The deal's billing contacts (see `selectBillingRecipients`). */
  recipients: EmailRecipient[]
  pdf: Uint8Array
  /**
   * The operator checked the mailbox after an EmailOutcomeUnknown and wants the e-mail sent
   * again: a `pending` record is sent over once for this request id.
   */
  resendUncertain?: ResendUncertainRequest
}

export type SentInvoiceEmail = SentEmail

/** The billing contacts of a customer that have an e-mail address, each address once. */
export function selectBillingRecipients(contacts: readonly Pick<SourceContact, 'name' | 'email' | 'isBilling'>[]): EmailRecipient[] {
  const seen = new Set<string>()
  const recipients: EmailRecipient[] = []
  for (const contact of contacts) {
    const email = contact.email.trim()
    if (!contact.isBilling || email === '' || seen.has(email.toLowerCase())) continue
    seen.add(email.toLowerCase())
    recipients.push({ name: contact.name.trim(), email })
  }
  return recipients
}

/**
 * The Message-ID of an invoice's e-mail, `<invoice-<id>-v<version>@<sender domain>>`: the same
 * for every attempt of one PDF version, so the recipient's mailbox and the operator can match
 * a message to the invoice, and duplicates are recognisable as such.
 */
export function buildInvoiceMessageId(options: { invoiceId: string; pdfVersion: number; from: string }): string {
  return `<invoice-${options.invoiceId}-v${options.pdfVersion}@${readMessageIdDomain(options.from)}>`
}

/**
 * E-mails an approved invoice with its PDF to the billing contacts, exactly once in effect per
 * PDF version: the record is system `email`, purpose `email:v<version>`, and the protocol
 * (pending / done / failed, EmailOutcomeUnknown, `resendUncertain`) is `sendDocumentEmail`'s.
 */
export async function sendInvoiceEmail(input: SendInvoiceEmailInput): Promise<SentInvoiceEmail> {
  const { invoice, language } = input
  const filename = `${invoice.number}.pdf`
  return sendDocumentEmail({
    db: input.db,
    transport: input.transport,
    from: input.from,
    invoiceId: invoice.invoiceId,
    customer: input.customer,
    language,
    recipients: input.recipients,
    pdf: input.pdf,
    ...(input.resendUncertain ? { resendUncertain: input.resendUncertain } : {}),
    email: {
      purpose: `email:v${invoice.pdfVersion}`,
      pdfVersion: invoice.pdfVersion,
      messageId: buildInvoiceMessageId({ invoiceId: invoice.invoiceId, pdfVersion: invoice.pdfVersion, from: input.from }),
      template: 'invoice',
      context: {
        number: invoice.number,
        sellerName: invoice.sellerName,
        periodLabel: invoice.periodLabel,
        total: formatMoneyWithCurrency(invoice.total, invoice.currency, language),
        dueDate: invoice.dueDate === null ? null : formatDate(invoice.dueDate, language),
      },
      attachmentName: filename,
      headers: { 'X-Invoice-Pdf-Version': String(invoice.pdfVersion) },
      description: `invoice ${invoice.number}`,
      qualifier: `PDF v${invoice.pdfVersion}`,
    },
  })
}
