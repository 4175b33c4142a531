import { randomBytes, randomUUID } from 'node:crypto'
import { createServer, type AddressInfo, type Server } from 'node:net'
import { afterAll, describe, expect, it } from 'vitest'
import { createEmailTransport, type EmailTransport } from '../clients/email.js'
import { loadConfig } from '../lib/config.js'
import { createDatabase } from '../lib/database.js'
import { ERROR_TYPES } from '../lib/error-types.js'
import type { InvoiceLanguage } from '../sources/types.js'
import { createTestInvoice } from '../test-support/test-invoice.js'
import { testDatabaseUrl } from '../test-support/env.js'
import { buildInvoiceMessageId, selectBillingRecipients, sendInvoiceEmail, type SendInvoiceEmailInput } from './send-invoice-email.js'

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

/** ExternalReference rows need an invoice (foreign key). */
async function createInvoiceRow(): Promise<string> {
  return (await createTestInvoice(db, { currency: 'UZS', subtotal: '1000000.00', vatAmount: '120000.00', total: '1120000.00' })).invoiceId
}

async function newInput(overrides: Partial<SendInvoiceEmailInput> = {}): Promise<SendInvoiceEmailInput> {
  const invoiceId = await createInvoiceRow()
  return {
    db,
    transport,
    from,
    invoice: {
      invoiceId,
      number: `TEST-${invoiceId.slice(0, 8)}`,
      pdfVersion: 1,
      total: '1120000.00',
      currency: 'UZS',
      dueDate: '2026-11-15',
      periodLabel: 'October 2026',
      sellerName: 'Example Software LLC',
    },
    customer: { customerId: 'C-TEST', name: 'Acme <Trading> & Co' },
    language: 'en',
    recipients: [
      { name: 'Ann Billing', email: `ann-${invoiceId.slice(0, 8)}@acme.test` },
      { name: 'Bob Books', email: `bob-${invoiceId.slice(0, 8)}@acme.test` },
    ],
    pdf: new Uint8Array(Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(30_000), Buffer.from('\n%%EOF\n')])),
    ...overrides,
  }
}

function messageIdOf(input: SendInvoiceEmailInput): string {
  return `<invoice-${input.invoice.invoiceId}-v${input.invoice.pdfVersion}@example.uz>`
}

interface MailpitSummary {
  ID: string
  MessageID: string
  Subject: string
  To: { Name: string; Address: string }[]
}

interface MailpitMessage extends MailpitSummary {
  Text: string
  HTML: string
  Attachments: { PartID: string; FileName: string; ContentType: string; Size: number }[]
}

async function getJson<T>(path: string): Promise<T> {
  const response = await fetch(`${mailpitUrl}${path}`, { signal: AbortSignal.timeout(5_000) })
  if (!response.ok) throw new Error(`Mailpit ${path}: HTTP ${response.status}`)
  return (await response.json()) as T
}

/** What Mailpit holds with this exact Message-ID (Mailpit's search matches substrings; the id is unique per test). */
async function findMessages(messageId: string): Promise<MailpitSummary[]> {
  const bare = messageId.replace(/^<|>$/g, '')
  const found = await getJson<{ messages: MailpitSummary[] }>(`/api/v1/search?query=${encodeURIComponent(`message-id:${bare}`)}`)
  return found.messages.filter((m) => m.MessageID === bare)
}

async function readMessage(messageId: string): Promise<MailpitMessage> {
  const [summary, ...more] = await findMessages(messageId)
  expect(more).toHaveLength(0)
  expect(summary).toBeDefined()
  return getJson<MailpitMessage>(`/api/v1/message/${summary!.ID}`)
}

async function readAttachment(id: string, partId: string): Promise<Buffer> {
  const response = await fetch(`${mailpitUrl}/api/v1/message/${id}/part/${partId}`, { signal: AbortSignal.timeout(5_000) })
  expect(response.status).toBe(200)
  return Buffer.from(await response.arrayBuffer())
}

async function readRecord(input: SendInvoiceEmailInput) {
  return db.externalReference.findUnique({
    where: { invoiceId_system_purpose: { invoiceId: input.invoice.invoiceId, system: 'email', purpose: `email:v${input.invoice.pdfVersion}` } },
  })
}

/**
 * A scripted SMTP server for the failures Mailpit does not produce: rejecting every recipient
 * (550), or taking the whole message and dropping the connection instead of answering it.
 */
async function startFakeSmtp(behaviour: 'reject-recipients' | 'drop-after-message'): Promise<{ transport: EmailTransport; received: () => number; close: () => Promise<void> }> {
  let received = 0
  const server: Server = createServer((socket) => {
    socket.setEncoding('latin1')
    let buffer = ''
    let inData = false
    socket.write('220 fake.test ESMTP\r\n')
    socket.on('error', () => socket.destroy())
    socket.on('data', (chunk: string) => {
      buffer += chunk
      for (;;) {
        if (inData) {
          const end = buffer.indexOf('\r\n.\r\n')
          if (end === -1) return
          buffer = buffer.slice(end + 5)
          inData = false
          received += 1
          socket.destroy()
          return
        }
        const lineEnd = buffer.indexOf('\r\n')
        if (lineEnd === -1) return
        const verb = buffer.slice(0, 4).toUpperCase()
        buffer = buffer.slice(lineEnd + 2)
        if (verb === 'EHLO' || verb === 'HELO') socket.write('250 fake.test\r\n')
        else if (verb === 'MAIL' || verb === 'RSET') socket.write('250 OK\r\n')
        else if (verb === 'RCPT') socket.write(behaviour === 'reject-recipients' ? '550 5.1.1 No such user here\r\n' : '250 OK\r\n')
        else if (verb === 'DATA') {
          inData = true
          socket.write('354 End data with <CR><LF>.<CR><LF>\r\n')
        } else if (verb === 'QUIT') {
          socket.end('221 Bye\r\n')
          return
        } else socket.write('502 Command not implemented\r\n')
      }
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  const fake = createEmailTransport({ host: '127.0.0.1', port, secure: false, user: undefined, password: undefined })
  return {
    transport: fake,
    received: () => received,
    close: async () => {
      fake.close()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

describe('sendInvoiceEmail', () => {
  it('delivers the PDF byte-identical to the billing contacts, with the deterministic Message-ID, and records it', async () => {
    const input = await newInput({ language: 'ru' })
    const sent = await sendInvoiceEmail(input)

    expect(sent).toMatchObject({ messageId: messageIdOf(input), alreadySent: false, rejected: [] })
    expect(sent.accepted.sort()).toEqual(input.recipients.map((r) => r.email).sort())
    const message = await readMessage(sent.messageId)
    expect(message.Subject).toBe(`Счёт на оплату № ${input.invoice.number} от Example Software LLC`)
    expect(message.To.map((t) => t.Address).sort()).toEqual(input.recipients.map((r) => r.email).sort())
    // Amounts and dates as Russian writes them (Intl groups digits with a no-break space).
    expect(message.Text.replace(/[\u00a0\u202f]/g, ' ')).toContain('Сумма к оплате: 1 120 000,00 UZS')
    expect(message.Text).toContain('15.11.2026')
    expect(message.Attachments).toHaveLength(1)
    const [attachment] = message.Attachments
    expect(attachment).toMatchObject({ FileName: `${input.invoice.number}.pdf`, ContentType: 'application/pdf' })
    const bytes = await readAttachment(message.ID, attachment!.PartID)
    expect(bytes.equals(Buffer.from(input.pdf))).toBe(true)

    const record = await readRecord(input)
    expect(record).toMatchObject({ status: 'done', externalId: sent.messageId, pdfVersion: 1 })
    expect(record!.details).toMatchObject({ messageId: sent.messageId, accepted: sent.accepted, attempts: 1 })
  })

  it.each<[InvoiceLanguage, string, string]>([
    ['en', 'Invoice TEST-', 'Amount due'],
    ['ru', 'Счёт на оплату № TEST-', 'Сумма к оплате'],
    ['uz', '-sonli hisobvaraq', 'Toʻlov summasi'],
  ])('writes the subject and both bodies in the invoice language (%s), escaping customer data in the HTML only', async (language, subject, label) => {
    const input = await newInput({ language })
    await sendInvoiceEmail(input)
    const message = await readMessage(messageIdOf(input))
    expect(message.Subject).toContain(subject)
    expect(message.Text).toContain(label)
    expect(message.HTML).toContain(label)
    expect(message.Text).toContain('Acme <Trading> & Co')
    expect(message.HTML).toContain('Acme &lt;Trading&gt; &amp; Co')
    expect(message.HTML).not.toContain('<Trading>')
  })

  it('sends nothing on a retry after success and returns the stored result', async () => {
    const input = await newInput()
    const first = await sendInvoiceEmail(input)
    // A transport that cannot reach any server: the retry must not even try.
    const offline = createEmailTransport({ host: '127.0.0.1', port: 9, secure: false, user: undefined, password: undefined })
    try {
      const again = await sendInvoiceEmail({ ...input, transport: offline })
      expect(again).toEqual({ ...first, alreadySent: true })
    } finally {
      offline.close()
    }
    await sendInvoiceEmail(input)
    expect(await findMessages(first.messageId)).toHaveLength(1)
  })

  it('keeps a possibly sent e-mail pending, refuses to send it again, and resends exactly once per operator request', async () => {
    const input = await newInput()
    const messageId = messageIdOf(input)
    const dropping = await startFakeSmtp('drop-after-message')
    try {
      // The whole message reached a server that then vanished: delivered or not, nobody knows.
      await expect(sendInvoiceEmail({ ...input, transport: dropping.transport })).rejects.toMatchObject({
        type: ERROR_TYPES.emailOutcomeUnknown,
        message: expect.stringContaining(messageId) as unknown,
      })
      expect(dropping.received()).toBe(1)
      expect(await readRecord(input)).toMatchObject({ status: 'pending' })

      // A plain retry (Temporal's, or a restarted worker's) refuses and sends nothing.
      const refused: unknown = await sendInvoiceEmail(input).catch((e: unknown) => e)
      expect(refused).toMatchObject({ type: ERROR_TYPES.emailOutcomeUnknown })
      expect((refused as Error).message).toMatch(/check the recipients.*mailbox.*`retry`.*`skip`/i)
      expect(await findMessages(messageId)).toHaveLength(0)

      // The operator's resend is interrupted the same way: that request is used up.
      const first = { requestId: `retry-${randomUUID()}`, actor: 'ops-olga' }
      await expect(sendInvoiceEmail({ ...input, transport: dropping.transport, resendUncertain: first })).rejects.toMatchObject({
        type: ERROR_TYPES.emailOutcomeUnknown,
      })
      expect(dropping.received()).toBe(2)
      await expect(sendInvoiceEmail({ ...input, resendUncertain: first })).rejects.toMatchObject({ type: ERROR_TYPES.emailOutcomeUnknown })
      expect(await findMessages(messageId)).toHaveLength(0)
    } finally {
      await dropping.close()
    }

    // A new decision sends it, once; after that every call returns the stored result.
    const second = { requestId: `retry-${randomUUID()}`, actor: 'ops-olga' }
    const sent = await sendInvoiceEmail({ ...input, resendUncertain: second })
    expect(sent.alreadySent).toBe(false)
    expect(await sendInvoiceEmail({ ...input, resendUncertain: second })).toMatchObject({ alreadySent: true })
    expect(await sendInvoiceEmail(input)).toMatchObject({ alreadySent: true })
    expect(await findMessages(messageId)).toHaveLength(1)
    expect(await readRecord(input)).toMatchObject({ status: 'done', details: expect.objectContaining({ attempts: 3 }) as unknown })
  })

  it('treats a refused connection as not sent: retryable, and the record does not block the retry', async () => {
    const input = await newInput()
    const offline = createEmailTransport({ host: '127.0.0.1', port: 9, secure: false, user: undefined, password: undefined })
    try {
      const error: unknown = await sendInvoiceEmail({ ...input, transport: offline }).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(Error)
      expect((error as { type?: string }).type).toBeUndefined()
      expect((error as Error).message).toContain('ECONNREFUSED')
    } finally {
      offline.close()
    }
    expect(await readRecord(input)).toMatchObject({ status: 'failed' })

    const sent = await sendInvoiceEmail(input)
    expect(sent.alreadySent).toBe(false)
    expect(await findMessages(sent.messageId)).toHaveLength(1)
  })

  it('fails permanently when the SMTP server rejects the message with a 5xx, leaving the record failed', async () => {
    const input = await newInput()
    const rejecting = await startFakeSmtp('reject-recipients')
    try {
      await expect(sendInvoiceEmail({ ...input, transport: rejecting.transport })).rejects.toMatchObject({
        type: ERROR_TYPES.emailRejected,
        message: expect.stringContaining('550') as unknown,
      })
      expect(rejecting.received()).toBe(0)
    } finally {
      await rejecting.close()
    }
    expect(await readRecord(input)).toMatchObject({ status: 'failed' })
  })

  it('fails permanently, naming the customer, when no billing contact has an e-mail address', async () => {
    const contacts = [
      { name: 'Sales Sam', email: 'sam@acme.test', isBilling: false },
      { name: 'Billing Without Mail', email: '  ', isBilling: true },
    ]
    const recipients = selectBillingRecipients(contacts)
    expect(recipients).toEqual([])
    const input = await newInput({ recipients })
    await expect(sendInvoiceEmail(input)).rejects.toMatchObject({
      type: ERROR_TYPES.emailNoBillingContact,
      message: expect.stringContaining('Acme <Trading> & Co (C-TEST)') as unknown,
    })
    expect(await readRecord(input)).toBeNull()
  })
})

describe('selectBillingRecipients', () => {
  it('keeps billing contacts with an address, each address once', () => {
    expect(
      selectBillingRecipients([
        { name: ' Ann ', email: 'ann@acme.test', isBilling: true },
        { name: 'Ann again', email: 'ANN@acme.test ', isBilling: true },
        { name: 'Sam', email: 'sam@acme.test', isBilling: false },
        { name: 'Nobody', email: '', isBilling: true },
        { name: 'Bob', email: 'bob@acme.test', isBilling: true },
      ]),
    ).toEqual([
      { name: 'Ann', email: 'ann@acme.test' },
      { name: 'Bob', email: 'bob@acme.test' },
    ])
  })
})

describe('buildInvoiceMessageId', () => {
  it('is the same for every attempt of one PDF version and ends with the sender domain', () => {
    const invoiceId = '0b8c3f2e-1111-4222-8333-444455556666'
    for (const sender of ['Billing <billing@Example.UZ>', 'billing@example.uz', '"Example, Billing" <billing@example.uz>']) {
      expect(buildInvoiceMessageId({ invoiceId, pdfVersion: 2, from: sender })).toBe(`<invoice-${invoiceId}-v2@example.uz>`)
    }
    expect(() => buildInvoiceMessageId({ invoiceId, pdfVersion: 1, from: 'Billing' })).toThrow(/no domain/)
  })
})
