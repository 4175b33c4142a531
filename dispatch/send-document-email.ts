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
import { pluralRu } from '../pdf/plural-ru.js'
import type { InvoiceLanguage } from '../sources/types.js'

/** `system` of the ExternalReference rows this step writes. */
export const EMAIL_SYSTEM = 'email'

export interface EmailRecipient {
  name: string
  email: string
}

export interface ResendUncertainRequest {
  /** Identifies the operator's decision (e.g. the retry signal's event key): one resend per id. */
  requestId: string
  actor: string
}

export interface SentEmail {
  messageId: string
  accepted: string[]
  rejected: string[]
  /** The server's final reply, e.g. "250 2.0.0 Ok: queued as ...". */
  response: string
  sentAt: string
  /** True when an earlier attempt had sent it and this call sent nothing. */
  alreadySent: boolean
}

/**
 * What one kind of e-mail (invoice, credit note, payment reminder) makes of the shared protocol:
 * its record, its Message-ID, its templates and what they print, its attachment and headers.
 */
export interface DocumentEmail {
  /** The ExternalReference purpose: one record, so one message, per invoice and purpose (e.g. "email:v2"). */
  purpose: string
  /** Stored in the record's `pdfVersion`: the invoice PDF version it concerns, or null. */
  pdfVersion: number | null
  /** Deterministic: the same for every attempt, so the message can be matched and its duplicates recognised. */
  messageId: string
  /** The templates' stem under templates/email/<language>/: `<stem>-subject.njk`, `<stem>-text.njk`, `<stem>-html.njk`. */
  template: string
  /** What the templates print, already formatted for the language; `lang`, `customerName` and `filename` are added. */
  context: Record<string, unknown>
  /** File name of the attached PDF, e.g. "INV-2026-000123.pdf". */
  attachmentName: string
  /** Headers besides `X-Invoice-Id` (always set). */
  headers: Record<string, string>
  /** How error messages name what is sent, e.g. "invoice INV-2026-000123". */
  description: string
  /** Said with the Message-ID when the outcome is unknown, e.g. "PDF v2". */
  qualifier?: string
}

export interface SendDocumentEmailInput {
  db: Database
  transport: EmailTransport
  /** The sender, e.g. `Billing <billing@example.uz>`; its domain ends the Message-ID. */
  from: string
  /** The invoice the records belong to (unique invoiceId + system + purpose). */
  invoiceId: string
  customer: { customerId: string; name: string }
  language: InvoiceLanguage
  /** The deal's billing contacts (see `selectBillingRecipients`). */
  recipients: EmailRecipient[]
  /** The attached PDF. */
  pdf: Uint8Array
  /**
   * The operator checked the mailbox after an EmailOutcomeUnknown and wants the e-mail sent
   * again: a `pending` record is sent over once for this request id.
   */
  resendUncertain?: ResendUncertainRequest
  email: DocumentEmail
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

/** The domain of the last address in a sender (`Name <user@domain>`, `user@domain`, quoted or not): it ends every Message-ID. */
export function readMessageIdDomain(from: string): string {
  const domain = [...from.matchAll(/@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)/g)].at(-1)?.[1]?.toLowerCase()
  if (!domain) throw new PermanentError(ERROR_TYPES.invalidInput, `EMAIL_FROM ${JSON.stringify(from)} has no domain for the Message-ID`)
  return domain
}

/**
 * E-mails a document with its PDF to the billing contacts, exactly once in effect; the kind of
 * e-mail is `input.email`. SMTP has no idempotency, so an ExternalReference (system `email`,
 * the kind's purpose) is written `pending` right before the message goes out and `done` after
 * the server accepted it. A retry finds `done` and returns the stored result, sending nothing;
 * it finds `pending` when an attempt died with the message possibly sent, and then refuses with
 * EmailOutcomeUnknown until an operator decides (`resendUncertain`, or skip). Failures that
 * certainly sent nothing (refused connection, an SMTP error reply) mark the record `failed`, so
 * they never block a retry; 5xx replies are permanent, the rest retryable.
 */
export async function sendDocumentEmail(input: SendDocumentEmailInput): Promise<SentEmail> {
  const { db, transport, email, invoiceId } = input
  const { messageId, purpose } = email
  const where = { invoiceId_system_purpose: { invoiceId, system: EMAIL_SYSTEM, purpose } }

  const recorded = await db.externalReference.findUnique({ where })
  if (recorded?.status === 'done') {
    const done = recorded.details as unknown as Omit<SentEmail, 'alreadySent'>
    return { messageId: done.messageId, accepted: done.accepted, rejected: done.rejected, response: done.response, sentAt: done.sentAt, alreadySent: true }
  }
  if (recorded?.status === 'pending') refuseUncertain(recorded, input)

  // Everything that can fail without sending is done before the record says `pending`.
  const recipients = checkRecipients(input)
  const content = renderEmail(input)
  const pending: PendingDetails = {
    messageId,
    recipients: recipients.map((r) => r.email),
    attempts: readAttempts(recorded) + 1,
    startedAt: new Date().toISOString(),
    ...(input.resendUncertain ? { resendRequestId: input.resendUncertain.requestId, resendActor: input.resendUncertain.actor } : {}),
  }
  const claimed = await claimPending(db, { invoiceId, purpose, pdfVersion: email.pdfVersion, recorded, pending })

  let info: SMTPSentMessageInfo
  try {
    info = await transport.sendMail({
      from: input.from,
      to: recipients.map((r) => ({ name: r.name, address: r.email })),
      subject: content.subject,
      text: content.text,
      html: content.html,
      messageId,
      headers: { 'X-Invoice-Id': invoiceId, ...email.headers },
      attachments: [{ filename: email.attachmentName, content: Buffer.from(input.pdf), contentType: 'application/pdf' }],
    })
  } catch (error) {
    throw await recordFailure(db, claimed, pending, error, { email, customer: input.customer })
  }

  const sent: Omit<SentEmail, 'alreadySent'> = {
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

function checkRecipients(input: SendDocumentEmailInput): EmailRecipient[] {
  const recipients = input.recipients.filter((r) => r.email.trim() !== '')
  if (recipients.length === 0) {
    throw new PermanentError(
      ERROR_TYPES.emailNoBillingContact,
      `Customer ${input.customer.name} (${input.customer.customerId}) has no billing contact with an e-mail address: ` +
        `add one in the CRM (contact marked as billing), wait for the sync, then retry ${input.email.description}.`,
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
function refuseUncertain(recorded: ExternalReference, input: SendDocumentEmailInput): void {
  const details = recorded.details as unknown as PendingDetails
  const request = input.resendUncertain
  if (request && details.resendRequestId !== request.requestId) return
  const resent = request ? ` The resend requested by ${details.resendActor ?? 'an operator'} (${request.requestId}) was interrupted too.` : ''
  const qualifier = input.email.qualifier ? `${input.email.qualifier}, ` : ''
  throw new PermanentError(
    ERROR_TYPES.emailOutcomeUnknown,
    `The e-mail of ${input.email.description} (${qualifier}Message-ID ${details.messageId}) may or may not have been sent: ` +
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
  options: { invoiceId: string; purpose: string; pdfVersion: number | null; recorded: ExternalReference | null; pending: PendingDetails },
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
  context: { email: DocumentEmail; customer: { name: string } },
): Promise<Error> {
  const failure = classifySmtpFailure(error)
  const details = { ...pending, lastError: failure.description } as unknown as Prisma.InputJsonObject
  const label = `${context.email.description} (Message-ID ${context.email.messageId})`
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

interface EmailContent {
  subject: string
  text: string
  html: string
}

/** Subject, text and HTML from templates/email/<language>/<stem>-*.njk. */
function renderEmail(input: SendDocumentEmailInput): EmailContent {
  const { email, language } = input
  const context = { lang: language, customerName: input.customer.name, filename: email.attachmentName, ...email.context }
  const subject = textTemplates.render(`${language}/${email.template}-subject.njk`, context).replace(/\s+/g, ' ').trim()
  return {
    subject,
    text: textTemplates.render(`${language}/${email.template}-text.njk`, context),
    html: htmlTemplates.render(`${language}/${email.template}-html.njk`, { ...context, subject }),
  }
}

/** What every kind's e-mail is given by its caller: where to send, to whom, about which invoice. */
export interface DocumentEmailBase {
  db: Database
  transport: EmailTransport
  /** The sender, e.g. `Billing <billing@example.uz>`; its domain ends the Message-ID. */
  from: string
  /** The invoice the e-mail is about: its records are keyed by it. */
  invoiceId: string
  /** The invoice's number, e.g. "INV-2026-000123". */
  number: string
  /** Signs the e-mail. */
  sellerName: string
  customer: { customerId: string; name: string }
  language: InvoiceLanguage
  /** The deal's billing contacts (see `selectBillingRecipients`). */
  recipients: EmailRecipient[]
  /** The attached PDF. */
  pdf: Uint8Array
  /** See `SendDocumentEmailInput.resendUncertain`. */
  resendUncertain?: ResendUncertainRequest
}

// ---- Credit notes ------------------------------------------------------------------------

export interface SendCreditNoteEmailInput extends DocumentEmailBase {
  /** The credit note; its PDF (`pdf`) is attached as `<cnNumber>.pdf`. */
  creditNoteId: string
  /** The credit note's number, e.g. "CN-2026-00001". */
  cnNumber: string
  /** The credit note's PDF version: one e-mail per version. */
  pdfVersion: number
  /** The credited total, a positive decimal string. */
  total: string
  currency: string
  reason: string
  /** What the customer still owes on the invoice after this credit note, decimal string; may be "0.00". */
  dueAfter: string
}

/** `<credit-note-<id>-v<version>@<sender domain>>`: one per credit note PDF version. */
export function buildCreditNoteMessageId(options: { creditNoteId: string; pdfVersion: number; from: string }): string {
  return `<credit-note-${options.creditNoteId}-v${options.pdfVersion}@${readMessageIdDomain(options.from)}>`
}

/**
 * E-mails a credit note's PDF to the billing contacts, once per credit note PDF version
 * (purpose `email:credit-note:<creditNoteId>:v<version>` on the invoice), with the protocol of
 * `sendDocumentEmail`.
 */
export async function sendCreditNoteEmail(input: SendCreditNoteEmailInput): Promise<SentEmail> {
  const { creditNoteId, cnNumber, pdfVersion, language } = input
  if (creditNoteId.trim() === '') throw new PermanentError(ERROR_TYPES.invalidInput, `credit note ${cnNumber} has no id`)
  checkWholeNumber(pdfVersion, 1, `the PDF version of credit note ${cnNumber}`)
  const money = (value: string): string => formatMoneyWithCurrency(value, input.currency, language)
  return sendDocumentEmail({
    ...pickBase(input),
    email: {
      purpose: `email:credit-note:${creditNoteId}:v${pdfVersion}`,
      // The column names invoice PDF versions; the credit note's version is in the purpose.
      pdfVersion: null,
      messageId: buildCreditNoteMessageId({ creditNoteId, pdfVersion, from: input.from }),
      template: 'credit-note',
      context: {
        number: cnNumber,
        invoiceNumber: input.number,
        sellerName: input.sellerName,
        total: money(input.total),
        reason: input.reason,
        dueAfter: money(input.dueAfter),
      },
      attachmentName: `${cnNumber}.pdf`,
      headers: { 'X-Credit-Note-Id': creditNoteId, 'X-Credit-Note-Pdf-Version': String(pdfVersion) },
      description: `credit note ${cnNumber} to invoice ${input.number}`,
      qualifier: `PDF v${pdfVersion}`,
    },
  })
}

// ---- Payment reminders -------------------------------------------------------------------

export interface SendPaymentReminderEmailInput extends DocumentEmailBase {
  /** Which reminder: its days after the due date (3, 10, 30); one e-mail per invoice and `days`. The invoice PDF (`pdf`) is attached as `<number>.pdf`. */
  days: number
  /** YYYY-MM-DD */
  dueDate: string
  /** What is still unpaid, decimal string. */
  outstanding: string
  currency: string
  /** Days past the due date on the day it is sent (more than `days` when the reminder goes out late). */
  daysOverdue: number
  /** The attached invoice PDF's version: recorded with the reminder and sent as `X-Invoice-Pdf-Version`. */
  pdfVersion?: number
}

/** `<invoice-<id>-reminder-<days>@<sender domain>>`: one per invoice and reminder. */
export function buildPaymentReminderMessageId(options: { invoiceId: string; days: number; from: string }): string {
  return `<invoice-${options.invoiceId}-reminder-${options.days}@${readMessageIdDomain(options.from)}>`
}

/**
 * E-mails a payment reminder with the invoice's PDF to the billing contacts, once per invoice
 * and reminder (purpose `email:reminder:<days>`), with the protocol of `sendDocumentEmail`.
 */
export async function sendPaymentReminderEmail(input: SendPaymentReminderEmailInput): Promise<SentEmail> {
  const { days, language } = input
  checkWholeNumber(days, 1, `the reminder's days after the due date of invoice ${input.number}`)
  checkWholeNumber(input.daysOverdue, 0, `the days overdue of invoice ${input.number}`)
  return sendDocumentEmail({
    ...pickBase(input),
    email: {
      purpose: `email:reminder:${days}`,
      pdfVersion: input.pdfVersion ?? null,
      messageId: buildPaymentReminderMessageId({ invoiceId: input.invoiceId, days, from: input.from }),
      template: 'reminder',
      context: {
        number: input.number,
        sellerName: input.sellerName,
        dueDate: formatDate(input.dueDate, language),
        outstanding: formatMoneyWithCurrency(input.outstanding, input.currency, language),
        daysOverdue: countDays(input.daysOverdue, language),
      },
      attachmentName: `${input.number}.pdf`,
      headers: {
        'X-Payment-Reminder-Days': String(days),
        ...(input.pdfVersion === undefined ? {} : { 'X-Invoice-Pdf-Version': String(input.pdfVersion) }),
      },
      description: `the ${days}-day payment reminder of invoice ${input.number}`,
    },
  })
}

/** "1 day", "10 days"; "3 дня", "10 дней", "21 день"; "10 kun". */
export function countDays(days: number, language: InvoiceLanguage): string {
  switch (language) {
    case 'en':
      return `${days} ${days === 1 ? 'day' : 'days'}`
    case 'ru':
      return `${days} ${pluralRu(days, { one: 'день', few: 'дня', many: 'дней' })}`
    case 'uz':
      return `${days} kun`
  }
}

function checkWholeNumber(value: number, min: number, what: string): void {
  if (!Number.isInteger(value) || value < min) throw new PermanentError(ERROR_TYPES.invalidInput, `${what} (${value}) is not a whole number of at least ${min}`)
}

function pickBase(input: DocumentEmailBase): Omit<SendDocumentEmailInput, 'email'> {
  return {
    db: input.db,
    transport: input.transport,
    from: input.from,
    invoiceId: input.invoiceId,
    customer: input.customer,
    language: input.language,
    recipients: input.recipients,
    pdf: input.pdf,
    ...(input.resendUncertain ? { resendUncertain: input.resendUncertain } : {}),
  }
}
