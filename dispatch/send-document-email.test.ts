import { randomBytes, randomUUID } from 'node:crypto'
import { afterAll, describe, expect, it } from 'vitest'
import { createEmailTransport } from '../clients/email.js'
import { loadConfig } from '../lib/config.js'
import { createDatabase } from '../lib/database.js'
import { ERROR_TYPES } from '../lib/error-types.js'
import type { InvoiceLanguage } from '../sources/types.js'
import { testDatabaseUrl } from '../test-support/env.js'
import { createTestInvoice } from '../test-support/test-invoice.js'
import {
  buildCreditNoteMessageId,
  buildPaymentReminderMessageId,
  countDays,
  sendCreditNoteEmail,
  sendPaymentReminderEmail,
  type SendCreditNoteEmailInput,
  type SendPaymentReminderEmailInput,
} from './send-document-email.js'
import { sendInvoiceEmail } from './send-invoice-email.js'

// Real services: Mailpit (SMTP + its REST API) and PostgreSQL (`bash scripts/services.sh up smtp postgres`).
const config = loadConfig({ ...process.env, DATABASE_URL: testDatabaseUrl() })
const mailpitUrl = (process.env.MAILPIT_URL ?? 'http://127.0.0.1:8025').replace(/\/+$/, '')
const db = createDatabase(testDatabaseUrl())
const transport = createEmailTransport(config.smtp)
const from = 'Example Software Billing <billing@example.uz>'
afterAll(async () => {
  transport.close()
  await db.$disconnect()
})

function makePdf(): Uint8Array {
  return new Uint8Array(Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(20_000), Buffer.from('\n%%EOF\n')]))
}

/** The common part: a fresh invoice row (ExternalReference rows reference it) and its billing contacts. */
async function newBase(language: InvoiceLanguage) {
  const { invoiceId, number } = await createTestInvoice(db, { currency: 'UZS', subtotal: '1000000.00', vatAmount: '120000.00', total: '1120000.00' })
  return {
    db,
    transport,
    from,
    invoiceId,
    number,
    sellerName: 'Example Software LLC',
    customer: { customerId: 'C-TEST', name: 'Acme <Trading> & Co' },
    language,
    recipients: [{ name: 'Ann Billing', email: `ann-${invoiceId.slice(0, 8)}@acme.test` }],
    pdf: makePdf(),
  }
}

async function newCreditNoteInput(language: InvoiceLanguage = 'en', overrides: Partial<SendCreditNoteEmailInput> = {}): Promise<SendCreditNoteEmailInput> {
  const creditNoteId = randomUUID()
  return {
    ...(await newBase(language)),
    creditNoteId,
    cnNumber: `CN-2026-${creditNoteId.slice(0, 5).toUpperCase()}`,
    pdfVersion: 1,
    total: '224000.00',
    currency: 'UZS',
    reason: 'Hours billed twice <b>14 Oct</b>',
    dueAfter: '896000.00',
    ...overrides,
  }
}

async function newReminderInput(language: InvoiceLanguage = 'en', overrides: Partial<SendPaymentReminderEmailInput> = {}): Promise<SendPaymentReminderEmailInput> {
  return {
    ...(await newBase(language)),
    days: 10,
    dueDate: '2026-11-15',
    outstanding: '1120000.00',
    currency: 'UZS',
    daysOverdue: 10,
    pdfVersion: 1,
    ...overrides,
  }
}

interface MailpitMessage {
  ID: string
  MessageID: string
  Subject: string
  Text: string
  HTML: string
  To: { Name: string; Address: string }[]
  Attachments: { PartID: string; FileName: string; ContentType: string; Size: number }[]
}

async function getJson<T>(path: string): Promise<T> {
  const response = await fetch(`${mailpitUrl}${path}`, { signal: AbortSignal.timeout(5_000) })
  if (!response.ok) throw new Error(`Mailpit ${path}: HTTP ${response.status}`)
  return (await response.json()) as T
}

/** What Mailpit holds with this exact Message-ID (its search matches substrings; the ids are unique per test). */
async function findMessages(messageId: string): Promise<{ ID: string; MessageID: string }[]> {
  const bare = messageId.replace(/^<|>$/g, '')
  const found = await getJson<{ messages: { ID: string; MessageID: string }[] }>(`/api/v1/search?query=${encodeURIComponent(`message-id:${bare}`)}`)
  return found.messages.filter((m) => m.MessageID === bare)
}

async function readMessage(messageId: string): Promise<MailpitMessage & { headers: Record<string, string[]> }> {
  const found = await findMessages(messageId)
  expect(found).toHaveLength(1)
  const id = found[0]!.ID
  const [message, headers] = await Promise.all([getJson<MailpitMessage>(`/api/v1/message/${id}`), getJson<Record<string, string[]>>(`/api/v1/message/${id}/headers`)])
  return { ...message, headers }
}

async function readAttachment(id: string, partId: string): Promise<Buffer> {
  const response = await fetch(`${mailpitUrl}/api/v1/message/${id}/part/${partId}`, { signal: AbortSignal.timeout(5_000) })
  expect(response.status).toBe(200)
  return Buffer.from(await response.arrayBuffer())
}

async function readRecord(invoiceId: string, purpose: string) {
  return db.externalReference.findUnique({ where: { invoiceId_system_purpose: { invoiceId, system: 'email', purpose } } })
}

/** A transport that cannot reach any server: a call that sends nothing must not even try. */
async function withOfflineTransport<T>(run: (offline: ReturnType<typeof createEmailTransport>) => Promise<T>): Promise<T> {
  const offline = createEmailTransport({ host: '127.0.0.1', port: 9, secure: false, user: undefined, password: undefined })
  try {
    return await run(offline)
  } finally {
    offline.close()
  }
}

const plain = (text: string): string => text.replace(/[\u00a0\u202f]/g, ' ')

describe('sendCreditNoteEmail', () => {
  it('sends the credit note PDF once, in Russian, with its Message-ID, headers and record', async () => {
    const input = await newCreditNoteInput('ru')
    const sent = await sendCreditNoteEmail(input)
    const messageId = `<credit-note-${input.creditNoteId}-v1@example.uz>`
    expect(sent).toMatchObject({ messageId, alreadySent: false, rejected: [], accepted: [input.recipients[0]!.email] })

    const message = await readMessage(messageId)
    expect(message.Subject).toBe(`Кредит-нота № ${input.cnNumber} к счёту № ${input.number} от Example Software LLC`)
    expect(plain(message.Text)).toContain(`Направляем кредит-ноту № ${input.cnNumber} к счёту № ${input.number}.`)
    expect(plain(message.Text)).toContain('Сумма кредит-ноты: 224 000,00 UZS')
    expect(message.Text).toContain('Основание: Hours billed twice <b>14 Oct</b>')
    expect(plain(message.Text)).toContain(`Остаток к оплате по счёту № ${input.number}: 896 000,00 UZS`)
    expect(message.HTML).toContain('Hours billed twice &lt;b&gt;14 Oct&lt;/b&gt;')
    expect(message.headers['X-Invoice-Id']).toEqual([input.invoiceId])
    expect(message.headers['X-Credit-Note-Id']).toEqual([input.creditNoteId])
    expect(message.Attachments).toHaveLength(1)
    const [attachment] = message.Attachments
    expect(attachment).toMatchObject({ FileName: `${input.cnNumber}.pdf`, ContentType: 'application/pdf' })
    expect((await readAttachment(message.ID, attachment!.PartID)).equals(Buffer.from(input.pdf))).toBe(true)

    const record = await readRecord(input.invoiceId, `email:credit-note:${input.creditNoteId}:v1`)
    expect(record).toMatchObject({ status: 'done', externalId: messageId, pdfVersion: null })

    // A retry finds the record and sends nothing.
    const again = await withOfflineTransport((offline) => sendCreditNoteEmail({ ...input, transport: offline }))
    expect(again).toEqual({ ...sent, alreadySent: true })
    expect(await sendCreditNoteEmail(input)).toMatchObject({ alreadySent: true })
    expect(await findMessages(messageId)).toHaveLength(1)
  })

  it.each<[InvoiceLanguage, (input: SendCreditNoteEmailInput) => string, string]>([
    ['en', (i) => `Credit note ${i.cnNumber} to invoice ${i.number} from Example Software LLC`, 'Still due on invoice'],
    ['uz', (i) => `Example Software LLC: ${i.number}-sonli hisobvaraqqa ${i.cnNumber}-sonli kredit-nota`, 'hisobvaraq boʻyicha qolgan toʻlov'],
  ])('writes the subject and bodies in the customer language (%s), an amount due of zero included', async (language, subject, label) => {
    const input = await newCreditNoteInput(language, { total: '1120000.00', dueAfter: '0.00' })
    const sent = await sendCreditNoteEmail(input)
    const message = await readMessage(sent.messageId)
    expect(message.Subject).toBe(subject(input))
    expect(message.Text).toContain(label)
    expect(message.HTML).toContain(label)
    expect(plain(message.Text)).toMatch(language === 'en' ? /: UZS 0\.00$/m : /: 0,00 UZS$/m)
    expect(message.HTML).toContain('Acme &lt;Trading&gt; &amp; Co')
  })

  it('sends a new PDF version of the credit note as a new message, and leaves the invoice e-mail alone', async () => {
    const input = await newCreditNoteInput('en')
    const first = await sendCreditNoteEmail(input)
    const second = await sendCreditNoteEmail({ ...input, pdfVersion: 2 })
    expect(second.messageId).toBe(`<credit-note-${input.creditNoteId}-v2@example.uz>`)
    expect(second.alreadySent).toBe(false)
    expect(first.messageId).not.toBe(second.messageId)
    const invoiceMail = await sendInvoiceEmail({
      db,
      transport,
      from,
      invoice: { invoiceId: input.invoiceId, number: input.number, pdfVersion: 1, total: '1120000.00', currency: 'UZS', dueDate: '2026-11-15', periodLabel: 'October 2026', sellerName: input.sellerName },
      customer: input.customer,
      language: 'en',
      recipients: input.recipients,
      pdf: makePdf(),
    })
    expect(invoiceMail).toMatchObject({ messageId: `<invoice-${input.invoiceId}-v1@example.uz>`, alreadySent: false })
  })

  it('refuses a possibly sent credit note e-mail until an operator decides, naming the credit note', async () => {
    const input = await newCreditNoteInput('en')
    const messageId = buildCreditNoteMessageId({ creditNoteId: input.creditNoteId, pdfVersion: 1, from })
    await db.externalReference.create({
      data: {
        invoiceId: input.invoiceId,
        system: 'email',
        purpose: `email:credit-note:${input.creditNoteId}:v1`,
        status: 'pending',
        details: { messageId, recipients: [input.recipients[0]!.email], attempts: 1, startedAt: '2026-12-01T10:00:00.000Z' },
      },
    })
    const refused: unknown = await sendCreditNoteEmail(input).catch((e: unknown) => e)
    expect(refused).toMatchObject({ type: ERROR_TYPES.emailOutcomeUnknown })
    expect((refused as Error).message).toContain(`The e-mail of credit note ${input.cnNumber} to invoice ${input.number} (PDF v1, Message-ID ${messageId})`)
    expect(await findMessages(messageId)).toHaveLength(0)

    const resent = await sendCreditNoteEmail({ ...input, resendUncertain: { requestId: `retry-${randomUUID()}`, actor: 'ops-olga' } })
    expect(resent).toMatchObject({ messageId, alreadySent: false })
    expect(await findMessages(messageId)).toHaveLength(1)
  })
})

describe('sendPaymentReminderEmail', () => {
  it('sends the reminder with the invoice PDF once, in Russian', async () => {
    const input = await newReminderInput('ru')
    const sent = await sendPaymentReminderEmail(input)
    const messageId = `<invoice-${input.invoiceId}-reminder-10@example.uz>`
    expect(sent).toMatchObject({ messageId, alreadySent: false, rejected: [] })

    const message = await readMessage(messageId)
    expect(message.Subject).toBe(`Напоминание об оплате счёта № ${input.number} от Example Software LLC`)
    expect(plain(message.Text)).toContain(`счёт № ${input.number} нужно было оплатить до 15.11.2026; остаток к оплате: 1 120 000,00 UZS (просрочка 10 дней).`)
    expect(plain(message.HTML)).toContain('(просрочка 10 дней)')
    expect(message.headers['X-Invoice-Id']).toEqual([input.invoiceId])
    expect(message.headers['X-Payment-Reminder-Days']).toEqual(['10'])
    expect(message.Attachments).toHaveLength(1)
    const [attachment] = message.Attachments
    expect(attachment).toMatchObject({ FileName: `${input.number}.pdf`, ContentType: 'application/pdf' })
    expect((await readAttachment(message.ID, attachment!.PartID)).equals(Buffer.from(input.pdf))).toBe(true)
    expect(await readRecord(input.invoiceId, 'email:reminder:10')).toMatchObject({ status: 'done', externalId: messageId, pdfVersion: 1 })

    const again = await withOfflineTransport((offline) => sendPaymentReminderEmail({ ...input, transport: offline, daysOverdue: 12 }))
    expect(again).toEqual({ ...sent, alreadySent: true })
    expect(await findMessages(messageId)).toHaveLength(1)

    // The next reminder of the same invoice is its own message.
    const later = await sendPaymentReminderEmail({ ...input, days: 30, daysOverdue: 31 })
    expect(later).toMatchObject({ messageId: `<invoice-${input.invoiceId}-reminder-30@example.uz>`, alreadySent: false })
    expect(plain((await readMessage(later.messageId)).Text)).toContain('(просрочка 31 день)')
  })

  it.each<[InvoiceLanguage, (input: SendPaymentReminderEmailInput) => string, string]>([
    ['en', (i) => `Payment reminder: invoice ${i.number} from Example Software LLC`, 'was due on 15 Nov 2026; UZS 1,120,000.00 is still outstanding (3 days overdue).'],
    ['uz', (i) => `Example Software LLC: ${i.number}-sonli hisobvaraq boʻyicha toʻlov eslatmasi`, 'toʻlov muddati 15.11.2026 edi; 1 120 000,00 UZS hali toʻlanmagan (muddati 3 kun oʻtgan).'],
  ])('writes the reminder in the customer language (%s)', async (language, subject, sentence) => {
    const input = await newReminderInput(language, { days: 3, daysOverdue: 3 })
    const sent = await sendPaymentReminderEmail(input)
    const message = await readMessage(sent.messageId)
    expect(message.Subject).toBe(subject(input))
    expect(plain(message.Text)).toContain(sentence)
    expect(message.Attachments.map((a) => a.FileName)).toEqual([`${input.number}.pdf`])
  })

  it('refuses a reminder that is not a whole number of days, recording nothing', async () => {
    const input = await newReminderInput('en')
    for (const days of [0, 2.5, -3]) {
      await expect(sendPaymentReminderEmail({ ...input, days })).rejects.toMatchObject({ type: ERROR_TYPES.invalidInput })
    }
    await expect(sendPaymentReminderEmail({ ...input, daysOverdue: -1 })).rejects.toMatchObject({ type: ERROR_TYPES.invalidInput })
    expect(await db.externalReference.count({ where: { invoiceId: input.invoiceId } })).toBe(0)
  })

  it('fails permanently, naming the reminder, when no billing contact has an e-mail address', async () => {
    const input = await newReminderInput('en', { recipients: [] })
    await expect(sendPaymentReminderEmail(input)).rejects.toMatchObject({
      type: ERROR_TYPES.emailNoBillingContact,
      message: expect.stringContaining(`then retry the 10-day payment reminder of invoice ${input.number}.`) as unknown,
    })
  })
})

describe('Message-IDs and day counts', () => {
  it('are deterministic and end with the sender domain', () => {
    const id = '0b8c3f2e-1111-4222-8333-444455556666'
    expect(buildCreditNoteMessageId({ creditNoteId: id, pdfVersion: 3, from: 'Billing <billing@Example.UZ>' })).toBe(`<credit-note-${id}-v3@example.uz>`)
    expect(buildPaymentReminderMessageId({ invoiceId: id, days: 30, from: 'billing@example.uz' })).toBe(`<invoice-${id}-reminder-30@example.uz>`)
    expect(() => buildPaymentReminderMessageId({ invoiceId: id, days: 3, from: 'Billing' })).toThrow(/no domain/)
  })

  it('counts days in each language', () => {
    expect([1, 3, 10].map((n) => countDays(n, 'en'))).toEqual(['1 day', '3 days', '10 days'])
    expect([1, 3, 10, 21, 22, 111].map((n) => countDays(n, 'ru'))).toEqual(['1 день', '3 дня', '10 дней', '21 день', '22 дня', '111 дней'])
    expect(countDays(30, 'uz')).toBe('30 kun')
  })
})
