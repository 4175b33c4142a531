import { fileURLToPath } from 'node:url'
import type { SMTPSentMessageInfo } from 'nodemailer'
import nunjucks from 'nunjucks'
import { classifySmtpFailure, type EmailTransport } from '../clients/email.js'
import type { ExternalReference, Prisma } from '../generated/prisma/client.js'
import type { Database } from '../lib/database.js'
import { ERROR_TYPES } from '../lib/error-types.js'
import { PermanentError } from '../lib/permanent-error.js'
import { formatDate } from '../pdf/format-date.js'
import { formatMoneyWithCurrency } from '../pdf/format-number.js'
import type { InvoiceLanguage, SourceContact } from '../sources/types.js'

/** `system` of the ExternalReference rows this step writes. */
export const EMAIL_SYSTEM = 'email'

export interface EmailRecipient {
  name: string
  email: string
}

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

export interface ResendUncertainRequest {
  /** Identifies the operator's decision (e.g. the retry signal's event key): one resend per id. */
  requestId: string
  actor: string
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

export interface SentInvoiceEmail {
  messageId: string
  accepted: string[]
  rejected: string[]
  /** The server's final reply, e.g. "250 2.0.0 Ok: queued as ...". */
  response: string
  sentAt: string
  /** True when an earlier attempt had sent it and this call sent nothing. */
  alreadySent: boolean
}

/** What a `pending` record keeps: enough for the operator to find the message. */
interface PendingDetails {
  messageId: string
  recipients: string[]
  attempts: number
  startedAt: string
  resendRequestId?: string
  resendActor?: string
  lastError?: string
}

const TEMPLATES_DIR = fileURLToPath(new URL('../templates/email/', import.meta.url))
const templateOptions = { throwOnUndefined: true, trimBlocks: true, lstripBlocks: true }
// HTML with autoescape (customer data prints as text); subject and plain text without it.
const htmlTemplates = new nunjucks.Environment(new nunjucks.FileSystemLoader(TEMPLATES_DIR), { ...templateOptions, autoescape: true })
const textTemplates = new nunjucks.Environment(new nunjucks.FileSystemLoader(TEMPLATES_DIR), { ...templateOptions, autoescape: false })

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
  // The domain of the last address in it: `Name <user@domain>`, `user@domain`, quoted or not.
  const domain = [...options.from.matchAll(/@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)/g)].at(-1)?.[1]?.toLowerCase()
  if (!domain) throw new PermanentError(ERROR_TYPES.invalidInput, `EMAIL_FROM ${JSON.stringify(options.from)} has no domain for the Message-ID`)
  return `<invoice-${options.invoiceId}-v${options.pdfVersion}@${domain}>`
}

/**
 * E-mails an approved invoice with its PDF to the billing contacts, exactly once in effect.
 * SMTP has no idempotency, so an ExternalReference (system `email`, purpose `email:v<version>`)
 * is written `pending` right before the message goes out and `done` after the server accepted
 * it. A retry finds `done` and returns the stored result, sending nothing; it finds `pending`
 * when an attempt died with the message possibly sent, and then refuses with
 * EmailOutcomeUnknown until an operator decides (`resendUncertain`, or skip). Failures that
 * certainly sent nothing (refused connection, an SMTP error reply) mark the record `failed`, so
 * they never block a retry; 5xx replies are permanent, the rest retryable.
 */
export async function sendInvoiceEmail(input: SendInvoiceEmailInput): Promise<SentInvoiceEmail> {
  const { db, transport, invoice, customer } = input
  const messageId = buildInvoiceMessageId({ invoiceId: invoice.invoiceId, pdfVersion: invoice.pdfVersion, from: input.from })
  const purpose = `email:v${invoice.pdfVersion}`
  const where = { invoiceId_system_purpose: { invoiceId: invoice.invoiceId, system: EMAIL_SYSTEM, purpose } }

  const recorded = await db.externalReference.findUnique({ where })
  if (recorded?.status === 'done') {
    const done = recorded.details as unknown as Omit<SentInvoiceEmail, 'alreadySent'>
    return { messageId: done.messageId, accepted: done.accepted, rejected: done.rejected, response: done.response, sentAt: done.sentAt, alreadySent: true }
  }
  if (recorded?.status === 'pending') refuseUncertain(recorded, input)

  // Everything that can fail without sending is done before the record says `pending`.
  const recipients = checkRecipients(input)
  const content = renderInvoiceEmail(input)
  const pending: PendingDetails = {
    messageId,
    recipients: recipients.map((r) => r.email),
    attempts: readAttempts(recorded) + 1,
    startedAt: new Date().toISOString(),
    ...(input.resendUncertain ? { resendRequestId: input.resendUncertain.requestId, resendActor: input.resendUncertain.actor } : {}),
  }
  const claimed = await claimPending(db, { invoiceId: invoice.invoiceId, purpose, pdfVersion: invoice.pdfVersion, recorded, pending })

  let info: SMTPSentMessageInfo
  try {
    info = await transport.sendMail({
      from: input.from,
      to: recipients.map((r) => ({ name: r.name, address: r.email })),
      subject: content.subject,
      text: content.text,
      html: content.html,
      messageId,
      headers: { 'X-Invoice-Id': invoice.invoiceId, 'X-Invoice-Pdf-Version': String(invoice.pdfVersion) },
      attachments: [{ filename: content.filename, content: Buffer.from(input.pdf), contentType: 'application/pdf' }],
    })
  } catch (error) {
    throw await recordFailure(db, claimed, pending, error, { invoice, customer, messageId })
  }

  const sent: Omit<SentInvoiceEmail, 'alreadySent'> = {
    messageId,
    accepted: info.accepted.map(String),
    rejected: info.rejected.map(String),
    response: info.response,
    sentAt: new Date().toISOString(),
  }
  await db.externalReference.update({
    where: { id: claimed.id },
    data: { status: 'done', externalId: messageId, details: { ...sent, recipients: pending.recipients, attempts: pending.attempts } },
  })
  return { ...sent, alreadySent: false }
}

function checkRecipients(input: SendInvoiceEmailInput): EmailRecipient[] {
  const recipients = input.recipients.filter((r) => r.email.trim() !== '')
  if (recipients.length === 0) {
    throw new PermanentError(
      ERROR_TYPES.emailNoBillingContact,
      `Customer ${input.customer.name} (${input.customer.customerId}) has no billing contact with an e-mail address: ` +
        `add one in the CRM (contact marked as billing), wait for the sync, then retry invoice ${input.invoice.number}.`,
    )
  }
  const malformed = recipients.filter((r) => !/^[^\s@<>",;]+@[^\s@<>",;]+\.[^\s@<>",;]+$/.test(r.email.trim()))
  if (malformed.length > 0) {
    throw new PermanentError(
      ERROR_TYPES.invalidInput,
      `Customer ${input.customer.name} (${input.customer.customerId}) has billing contacts with malformed e-mail addresses: ` +
        malformed.map((r) => `${r.name} ${JSON.stringify(r.email)}`).join(', '),
    )
  }
  return recipients.map((r) => ({ name: r.name, email: r.email.trim() }))
}

/** A `pending` record: sent over only for a new operator request, refused otherwise. */
function refuseUncertain(recorded: ExternalReference, input: SendInvoiceEmailInput): void {
  const details = recorded.details as unknown as PendingDetails
  const request = input.resendUncertain
  if (request && details.resendRequestId !== request.requestId) return
  const resent = request ? ` The resend requested by ${details.resendActor ?? 'an operator'} (${request.requestId}) was interrupted too.` : ''
  throw new PermanentError(
    ERROR_TYPES.emailOutcomeUnknown,
    `The e-mail of invoice ${input.invoice.number} (PDF v${input.invoice.pdfVersion}, Message-ID ${details.messageId}) may or may not have been sent: ` +
      `an attempt started at ${details.startedAt} to ${details.recipients.join(', ')} ended without a known outcome` +
      `${details.lastError ? ` (${details.lastError})` : ''}.${resent} ` +
      'Check the recipients\u2019 mailbox or the SMTP server\u2019s log for that Message-ID, then signal `retry` to send it again or `skip` if it arrived.',
  )
}

function readAttempts(recorded: ExternalReference | null): number {
  const attempts = (recorded?.details as { attempts?: unknown } | undefined)?.attempts
  return typeof attempts === 'number' ? attempts : 0
}

/**
 * Moves the record to `pending`, from exactly the state this attempt read: another attempt that
 * got there first makes this one fail (retryably) instead of sending a second message.
 */
async function claimPending(
  db: Database,
  options: { invoiceId: string; purpose: string; pdfVersion: number; recorded: ExternalReference | null; pending: PendingDetails },
): Promise<ExternalReference> {
  const details = options.pending as unknown as Prisma.InputJsonObject
  const { recorded } = options
  if (recorded === null) {
    try {
      return await db.externalReference.create({
        data: { invoiceId: options.invoiceId, system: EMAIL_SYSTEM, purpose: options.purpose, pdfVersion: options.pdfVersion, status: 'pending', details },
      })
    } catch (error) {
      if ((error as { code?: unknown }).code === 'P2002') throw concurrentAttempt(options.purpose)
      throw error
    }
  }
  const { count } = await db.externalReference.updateMany({
    where: { id: recorded.id, status: recorded.status, updatedAt: recorded.updatedAt },
    data: { status: 'pending', externalId: null, details },
  })
  if (count !== 1) throw concurrentAttempt(options.purpose)
  return db.externalReference.findUniqueOrThrow({ where: { id: recorded.id } })
}

function concurrentAttempt(purpose: string): Error {
  return new Error(`Another attempt changed the ${purpose} record at the same time; not sending twice (the retry reads its outcome)`)
}

/**
 * After a failed send: when nothing can have been delivered the record goes to `failed` (a retry
 * may send) and the error is permanent for a 5xx; otherwise the record stays `pending` and the
 * error is EmailOutcomeUnknown.
 */
async function recordFailure(
  db: Database,
  claimed: ExternalReference,
  pending: PendingDetails,
  error: unknown,
  context: { invoice: InvoiceEmailFacts; customer: { name: string }; messageId: string },
): Promise<Error> {
  const failure = classifySmtpFailure(error)
  const details = { ...pending, lastError: failure.description } as unknown as Prisma.InputJsonObject
  const label = `invoice ${context.invoice.number} (Message-ID ${context.messageId})`
  if (failure.delivered === 'unknown') {
    await db.externalReference.update({ where: { id: claimed.id }, data: { details } })
    return new PermanentError(
      ERROR_TYPES.emailOutcomeUnknown,
      `The connection to the SMTP server broke while sending the e-mail of ${label} to ${pending.recipients.join(', ')}: ` +
        `it may or may not have been delivered (${failure.description}). Check the recipients\u2019 mailbox or the SMTP server\u2019s log ` +
        'for that Message-ID, then signal `retry` to send it again or `skip` if it arrived.',
    )
  }
  await db.externalReference.update({ where: { id: claimed.id }, data: { status: 'failed', details } })
  if (failure.permanent) {
    return new PermanentError(ERROR_TYPES.emailRejected, `The SMTP server refused the e-mail of ${label} to ${context.customer.name}: ${failure.description}`)
  }
  return new Error(`Sending the e-mail of ${label} failed before delivery, retrying is safe: ${failure.description}`, { cause: error })
}

interface InvoiceEmailContent {
  subject: string
  text: string
  html: string
  filename: string
}

/** Subject, text and HTML from templates/email/<language>/, with amounts and dates in that language. */
function renderInvoiceEmail(input: SendInvoiceEmailInput): InvoiceEmailContent {
  const { invoice, language } = input
  const filename = `${invoice.number}.pdf`
  const context = {
    lang: language,
    number: invoice.number,
    sellerName: invoice.sellerName,
    customerName: input.customer.name,
    periodLabel: invoice.periodLabel,
    total: formatMoneyWithCurrency(invoice.total, invoice.currency, language),
    dueDate: invoice.dueDate === null ? null : formatDate(invoice.dueDate, language),
    filename,
  }
  const subject = textTemplates.render(`${language}/invoice-subject.njk`, context).replace(/\s+/g, ' ').trim()
  return {
    subject,
    text: textTemplates.render(`${language}/invoice-text.njk`, context),
    html: htmlTemplates.render(`${language}/invoice-html.njk`, { ...context, subject }),
    filename,
  }
}
