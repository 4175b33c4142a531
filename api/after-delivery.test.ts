import { HeadObjectCommand } from '@aws-sdk/client-s3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { InvoicePreview } from '../billing/types.js'
import { createR2Client } from '../clients/r2.js'
import { readPdf, squeezeSpaces } from '../pdf/read-pdf-text.js'
import { SAMPLE_DEALS } from '../sources/generate/catalog.js'
import { runInvoiceWorker, waitFor, type RunningInvoiceWorker } from '../test-support/invoice-env.js'
import { insertTestDeal, syncWorklogs, testWorklogId } from '../test-support/source-rows.js'
import { uniqueName } from '../test-support/temporal.js'
import { createTestApp, type TestApp, type TestUser } from './create-test-app.js'

const mailpitUrl = (process.env.MAILPIT_URL ?? 'http://127.0.0.1:8025').replace(/\/+$/, '')

/**
 * After delivery, through the API on real services (Temporal, PostgreSQL, Gotenberg, moto,
 * Mailpit; the PlanFact fake): a delivered invoice waits for its money; a partial credit note
 * is confirmed, approved by another person, numbered CN-2026-00001, rendered, booked, stored and
 * e-mailed once; what is due follows; a payment seen by hand and in PlanFact counts once; a
 * credit note above what is left is refused; a void releases the worklogs and a second one is
 * refused. A deal of its own at APP-1001's terms: 45 USD/h, VAT 12 %. Figures by hand:
 * 4 h + 2 h = 6 h x 45 = 270.00 + 32.40 VAT = 302.40.
 */
describe('after delivery, end to end through the API', () => {
  let t: TestApp
  let worker: RunningInvoiceWorker
  let dealId: string
  let projectKey: string
  const taskQueue = uniqueName('after-delivery')
  let s3: ReturnType<typeof createR2Client>

  beforeAll(async () => {
    t = await createTestApp({ taskQueue })
    worker = await runInvoiceWorker(t.env, 'after-delivery', { taskQueue })
    ;({ dealId, projectKey } = await insertTestDeal(worker.inv.clickhouse.client, SAMPLE_DEALS.tmUsdUzEInvoicing))
    s3 = createR2Client(worker.inv.config.s3)
    // Delivered invoices ask PlanFact about their payment every ~2 s here (6 h by default).
    await t.db.setting.upsert({ where: { key: 'paymentCheckHours' }, create: { key: 'paymentCheckHours', value: 0.0005 }, update: { value: 0.0005 } })
  })
  afterAll(async () => {
    const handle = t.env.client.workflow.getHandle(`invoice:${dealId}:2026-10`)
    if ((await handle.describe().then((d) => d.status.name, () => null)) === 'RUNNING') await handle.terminate('test over')
    await worker?.stop()
    await t?.dispose()
    s3?.destroy()
  })

  const invoicePath = (suffix = '') => `/invoices/${encodeURIComponent(`invoice:${dealId}:2026-10`)}${suffix}`
  async function call(method: string, path: string, as: TestUser, body?: unknown, status = 200): Promise<Record<string, unknown>> {
    const res = await t.call(method, path, { as, ...(body === undefined ? {} : { body }) })
    expect(res.status, await res.clone().text()).toBe(status)
    return (await res.json()) as Record<string, unknown>
  }
  const invoice = () => call('GET', invoicePath(), 'viewer')
  const creditNote = (id: string) => call('GET', `/credit-notes/${encodeURIComponent(id)}`, 'viewer')
  async function creditThrough(path: string, body: unknown): Promise<Record<string, unknown>> {
    const started = await call('POST', invoicePath(path), 'accountant', body, 201)
    const draft = started.creditNote as Record<string, unknown>
    const confirmed = await call('POST', `/credit-notes/${encodeURIComponent(String(started.id))}/confirm`, 'accountant', { fingerprint: draft.fingerprint })
    expect(confirmed).toMatchObject({ state: 'awaiting_approval', creditNoteState: 'awaiting_approval', pdfVersion: 1 })
    await call('POST', `/credit-notes/${encodeURIComponent(String(started.id))}/approve`, 'approver', { pdfVersion: 1 })
    return waitFor(() => creditNote(String(started.id)), (c) => c.state === 'completed', 60_000)
  }

  let invoiceId: string
  let invoiceNumber: string
  let plannedId: number

  it('a delivered invoice waits for its money: awaiting_payment, with what is due', async () => {
    await syncWorklogs(worker.inv.clickhouse.client, [
      { id: testWorklogId(), projectKey, startedAt: '2026-10-05T06:00:00Z', seconds: 4 * 3600 },
      { id: testWorklogId(), projectKey, startedAt: '2026-10-20T06:00:00Z', seconds: 2 * 3600 },
    ])
    const res = await t.call('POST', '/invoices', { as: 'accountant', body: { dealId, period: '2026-10' }, headers: { Prefer: 'wait=30' } })
    expect(res.status, await res.clone().text()).toBe(201)
    const preview = ((await res.json()) as { preview: InvoicePreview }).preview
    expect(preview).toMatchObject({ subtotal: '270.00', vatAmount: '32.40', total: '302.40' })
    const confirmed = await call('POST', invoicePath('/confirm'), 'accountant', { fingerprint: preview.sourceFingerprint })
    await call('POST', invoicePath('/approve'), 'approver', { pdfVersion: 1 })
    const delivered = await waitFor(invoice, (i) => i.state === 'awaiting_payment', 60_000)
    invoiceId = String(delivered.invoiceId)
    invoiceNumber = String(confirmed.invoiceNumber)
    expect(delivered).toMatchObject({ balance: { total: '302.40', credited: '0.00', paid: '0.00', due: '302.40' }, payment: { status: 'unpaid', due: '302.40' }, creditNotes: [], payments: [] })
    plannedId = worker.inv.planfact.state.operations.find((o) => o.externalId === invoiceId)!.operationId

    // The cancel of an invoice that reached PlanFact is refused, naming the effects and the way out.
    const cancel = await t.call('POST', invoicePath('/cancel'), { as: 'accountant', body: { reason: 'too late' } })
    expect(cancel.status).toBe(409)
  })

  let first: Record<string, unknown>

  it('a partial credit note of 2 hours: CN-2026-00001, its PDF, one PlanFact correction, one R2 object, one e-mail; the invoice shows what is due', async () => {
    const line = ((await invoice()).preview as InvoicePreview).lines[0]!
    first = await creditThrough('/credit-notes', { reason: 'Two hours were billed twice', correction: 'terms', lines: [{ lineId: line.lineId, hours: '2' }] })
    expect(first).toMatchObject({ number: 'CN-2026-00001', kind: 'partial', subtotal: '90.00', vatAmount: '10.80', total: '100.80', remainingAfter: '201.60', confirmedBy: 'alice', approvedBy: 'bob' })
    expect(first.lines).toEqual([expect.objectContaining({ lineId: line.lineId, quantity: '2', rate: '45.00', amount: '90.00' })])

    const pdf = await t.call('GET', `/credit-notes/${encodeURIComponent(String(first.id))}/pdf`, { as: 'viewer' })
    expect(pdf.status).toBe(200)
    const read = await readPdf(new Uint8Array(await pdf.arrayBuffer()))
    const text = squeezeSpaces(await read.text())
    await read.dispose()
    expect(text).toContain('CN-2026-00001')
    expect(text).toContain(invoiceNumber)
    // In the customer's language (this deal's customer writes Russian): the title and the reference to the invoice.
    expect(text).toMatch(/Кредит-нота|Credit note|Kredit-nota/)
    expect(text).toMatch(/100[.,]80/)

    // PlanFact: the planned income lowered, by PUT (idempotent: a 429 from the payment checks' list calls may repeat it), to what is left; no refund.
    const planned = worker.inv.planfact.state.operations.find((o) => o.operationId === plannedId)!
    expect(planned).toMatchObject({ value: 201.6, isCommitted: false })
    expect(worker.inv.planfact.state.operations.filter((o) => o.externalId === invoiceId)).toHaveLength(1)
    expect(worker.inv.planfact.state.requests['PUT /api/v1/operations/income/{id}']).toBeGreaterThanOrEqual(1)
    expect(worker.inv.planfact.state.requests['POST /api/v1/operations/outcome'] ?? 0).toBe(0)

    // R2: one object beside the invoice's PDF.
    const refs = first.externalReferences as { system: string; externalId: string }[]
    const r2 = refs.filter((r) => r.system === 'r2')
    expect(r2).toHaveLength(1)
    expect(r2[0]!.externalId).toMatch(new RegExp(`^invoices/2026/${encodeURIComponent(invoiceNumber)}/credit-notes/CN-2026-00001-v1\\.pdf$`))
    const head = await s3.send(new HeadObjectCommand({ Bucket: worker.inv.config.s3.bucket, Key: r2[0]!.externalId }))
    expect(head.ContentLength).toBeGreaterThan(1000)

    // E-mail: exactly one message with the credit note's Message-ID.
    const email = refs.find((r) => r.system === 'email')!
    expect(await countMessages(email.externalId)).toBe(1)

    const after = await waitFor(invoice, (i) => (i.payment as { credited?: string } | null)?.credited === '100.80', 30_000)
    expect(after).toMatchObject({ state: 'awaiting_payment', balance: { total: '302.40', credited: '100.80', paid: '0.00', due: '201.60' } })
    expect((after.creditNotes as unknown[]).length).toBe(1)
  })

  it('a credit note above what is left is refused, naming the field', async () => {
    const refused = await call('POST', invoicePath('/credit-notes'), 'accountant', { reason: 'discount', amount: '250.00' }, 422)
    expect(refused).toMatchObject({ code: 'CREDIT_EXCEEDS_INVOICE', message: expect.stringContaining('body.amount') })
    const unknownLine = await call('POST', invoicePath('/credit-notes'), 'accountant', { reason: 'oops', lines: [{ lineId: 'nope' }] }, 422)
    expect(unknownLine).toMatchObject({ code: 'INVALID_CREDIT_NOTE', message: expect.stringContaining('body.lines.0.lineId') })
    const both = await call('POST', invoicePath('/credit-notes'), 'accountant', { reason: 'x', amount: '1.00', lines: [{ lineId: 'a' }] }, 400)
    expect(both).toMatchObject({ code: 'VALIDATION_FAILED' })
  })

  it('a payment recorded by hand and then seen in PlanFact counts once; the same reference again is the same payment', async () => {
    const outcome = await call('POST', invoicePath('/payments'), 'accountant', { amount: '100.00', paidOn: '2026-11-20', reference: 'KAPITAL-0042' })
    expect(outcome).toMatchObject({ action: 'recordPayment', state: 'partially_paid', payment: { status: 'partially_paid', paid: '100.00', due: '101.60' } })
    const again = await call('POST', invoicePath('/payments'), 'accountant', { amount: '100.00', paidOn: '2026-11-20', reference: 'KAPITAL-0042' })
    expect(again).toMatchObject({ payment: { paid: '100.00' } })
    // The bank statement reaches PlanFact: a person links it to the planned income.
    worker.inv.planfact.linkBankPayment(plannedId, { date: '2026-11-21', amount: 100 })
    const payments = await waitFor(() => call('GET', invoicePath('/payments'), 'viewer'), (p) => (p.items as unknown[]).length === 2, 30_000)
    const items = payments.items as { source: string; counted: boolean; confirms: string | null; id: string }[]
    const manual = items.find((p) => p.source === 'manual')!
    expect(items.find((p) => p.source === 'planfact')).toMatchObject({ counted: false, confirms: manual.id })
    expect(payments.balance).toEqual({ total: '302.40', credited: '100.80', paid: '100.00', due: '101.60' })
    const tooMuch = await call('POST', invoicePath('/payments'), 'accountant', { amount: '500.00', paidOn: '2026-11-22' }, 409)
    expect(tooMuch).toMatchObject({ code: 'PAYMENT_REFUSED', message: expect.stringContaining('more than is due') })
  })

  it('a void credits everything left, marks the invoice void and releases its worklogs; a second void is refused', async () => {
    // A credit note drafted meanwhile keeps the void from being confirmed until it is approved or cancelled.
    const pending = await call('POST', invoicePath('/credit-notes'), 'accountant', { reason: 'discount', amount: '10.00' }, 201)
    const started = await call('POST', invoicePath('/void'), 'accountant', { reason: 'Billed under the wrong contract' }, 201)
    const voidPath = `/credit-notes/${encodeURIComponent(String(started.id))}`
    expect(await call('POST', invoicePath('/credit-notes'), 'accountant', { reason: 'more', amount: '1.00' }, 409)).toMatchObject({ code: 'WRONG_STATE', message: expect.stringContaining('being voided') })
    const fingerprint = (started.creditNote as { fingerprint: string }).fingerprint
    const early = await call('POST', `${voidPath}/confirm`, 'accountant', { fingerprint }, 422)
    expect(early).toMatchObject({ code: 'CREDIT_EXCEEDS_INVOICE', message: expect.stringContaining('not approved yet') })
    await call('POST', `/credit-notes/${encodeURIComponent(String(pending.id))}/cancel`, 'accountant', { reason: 'superseded by the void' })
    expect(await call('POST', `${voidPath}/confirm`, 'accountant', { fingerprint })).toMatchObject({ state: 'awaiting_approval', pdfVersion: 1 })
    await call('POST', `${voidPath}/approve`, 'approver', { pdfVersion: 1 })
    const voided = await waitFor(() => creditNote(String(started.id)), (c) => c.state === 'completed', 60_000)
    expect(voided).toMatchObject({ number: 'CN-2026-00002', kind: 'void', total: '201.60', remainingAfter: '0.00' }) // gapless: the refused confirm gave its number back
    const after = await waitFor(invoice, (i) => i.state === 'void', 30_000)
    expect(after).toMatchObject({ balance: { total: '302.40', credited: '302.40', paid: '100.00', due: '0.00' } })
    expect(after.voidedAt).not.toBeNull()
    const rows = await t.db.billedWork.findMany({ where: { invoiceId } })
    expect(rows.length).toBe(2)
    expect(rows.every((r) => r.releasedAt !== null && r.releasedReason?.startsWith('void: CN-2026-00002'))).toBe(true)
    // PlanFact: what was owed (101.60) came off the planned income, the 100.00 paid goes back as a refund.
    const refunds = worker.inv.planfact.state.operations.filter((o) => o.operationType === 'Outcome')
    expect(refunds.map((o) => o.value)).toEqual([100])
    expect(worker.inv.planfact.state.operations.find((o) => o.operationId === plannedId)!.value).toBe(100)

    const second = await call('POST', invoicePath('/void'), 'accountant', { reason: 'again' }, 409)
    expect(second).toMatchObject({ code: 'WRONG_STATE', message: expect.stringContaining('void') })
    const receivables = await call('GET', '/receivables?status=all', 'viewer')
    expect((receivables.items as { invoiceId: string }[]).some((r) => r.invoiceId === invoiceId)).toBe(false)
  })
})

async function countMessages(messageId: string): Promise<number> {
  const bare = messageId.replace(/^<|>$/g, '')
  const response = await fetch(`${mailpitUrl}/api/v1/search?query=${encodeURIComponent(`message-id:${bare}`)}`, { signal: AbortSignal.timeout(5_000) })
  const found = (await response.json()) as { messages: { MessageID: string }[] }
  return found.messages.filter((m) => m.MessageID === bare).length
}
