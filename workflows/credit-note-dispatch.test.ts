import { randomUUID } from 'node:crypto'
import { ListObjectsV2Command } from '@aws-sdk/client-s3'
import type { WorkflowHandle } from '@temporalio/client'
import type { TestWorkflowEnvironment } from '@temporalio/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createR2Client } from '../clients/r2.js'
import type { CreditNoteRequest } from '../credit-notes/credit-note-schemas.js'
import { buildCreditNoteMessageId } from '../dispatch/send-document-email.js'
import { SAMPLE_DEALS } from '../sources/generate/catalog.js'
import { act, untilDelivered } from '../test-support/invoice-actions.js'
import { crashingAfterWork, runInvoiceWorker, waitFor, type InvoiceTestEnv, type RunningInvoiceWorker } from '../test-support/invoice-env.js'
import { recordHistory } from '../test-support/record-history.js'
import { connectTestEnvironment, uniqueName } from '../test-support/temporal.js'
import { creditNoteWorkflowId, getCreditNoteQuery, type CreditNoteView } from './credit-note-contract.js'
import { creditNoteWorkflow } from './credit-note-workflow.js'
import { getInvoiceQuery, type InvoiceView } from './invoice-contract.js'
import { invoiceWorkflow } from './invoice-workflow.js'

const mailpit = (process.env.MAILPIT_URL ?? 'http://127.0.0.1:8025').replace(/\/+$/, '')

/**
 * A credit note's effects on the real services and the fakes: each once although answers are
 * lost and the worker dies after every remote call; through Didox, the ESF cancelled while the
 * buyer has not signed, a corrected ESF after a signed one, and an additional ESF the buyer
 * rejects with a comment, which parks the credit note in needs_attention showing it.
 */
describe('credit note dispatch: exactly once, and through Didox', { timeout: 240_000 }, () => {
  let env: TestWorkflowEnvironment
  let inv: InvoiceTestEnv
  let worker: RunningInvoiceWorker
  const taskQueue = uniqueName('credit-note-dispatch')
  /** Activities that "die" after doing their work: the next N calls run, then throw. */
  const crashAfterWork: Record<string, number> = {}

  beforeAll(async () => {
    env = await connectTestEnvironment()
    const crashing = crashingAfterWork(['bookCreditNoteInPlanFact', 'uploadCreditNotePdfToR2', 'sendCreditNoteEmail', 'correctDidoxInvoice'], crashAfterWork)
    worker = await runInvoiceWorker(env, 'credit-note-dispatch', { taskQueue, replace: crashing })
    inv = worker.inv
  })
  afterAll(async () => {
    await worker?.stop()
    await env?.teardown()
  })

  const view = (h: WorkflowHandle) => h.query(getCreditNoteQuery)
  const untilNote = (h: WorkflowHandle, ready: (v: CreditNoteView) => boolean) => waitFor(() => view(h), ready, 90_000)

  /** An invoice of the deal, confirmed, approved and delivered. */
  async function delivered(dealId: string, period: string, beforeDelivered?: (v: InvoiceView) => Promise<void>): Promise<InvoiceView> {
    const h = await env.client.workflow.start(invoiceWorkflow, { taskQueue, workflowId: uniqueName(`invoice:${dealId}:${period}`), args: [{ dealId, period, startedBy: 'alice' }] })
    const preview = (await waitFor(() => h.query(getInvoiceQuery), (v) => v.state === 'awaiting_confirmation', 90_000)).preview!
    await act(h, 'confirm', { actor: 'alice', fingerprint: preview.sourceFingerprint })
    await act(h, 'approve', { actor: 'bob', pdfVersion: 1 })
    if (beforeDelivered) await beforeDelivered(await waitFor(() => h.query(getInvoiceQuery), (v) => v.dispatch.didox?.status === 'done', 90_000))
    return untilDelivered(h, 90_000)
  }

  /** A credit note of the invoice, drafted, confirmed by alice and approved by bob. */
  async function approvedCreditNote(invoice: InvoiceView, request: CreditNoteRequest): Promise<WorkflowHandle> {
    const seq = (await inv.db.creditNote.count({ where: { invoiceId: invoice.invoiceId! } })) + 1
    const h = await env.client.workflow.start(creditNoteWorkflow, {
      taskQueue,
      workflowId: creditNoteWorkflowId(invoice.invoiceId!, seq),
      args: [{ creditNoteId: randomUUID(), seq, request, requestedBy: 'alice', invoice: { invoiceId: invoice.invoiceId!, workflowId: invoice.workflowId, number: invoice.invoiceNumber!, dealId: invoice.dealId, customerId: invoice.customerId!, period: invoice.period } }],
    })
    const draft = await untilNote(h, (v) => v.state === 'awaiting_confirmation')
    expect(await act(h, 'confirm', { actor: 'alice', fingerprint: draft.fingerprint! })).toMatchObject({ state: 'awaiting_approval', creditNoteNumber: expect.stringMatching(/^CN-2026-\d{5}$/) })
    // The person who confirmed may not approve (maker-checker).
    await expect(act(h, 'approve', { actor: 'alice', pdfVersion: 1 })).rejects.toThrow()
    await act(h, 'approve', { actor: 'bob', pdfVersion: 1 })
    return h
  }

  async function emailsWithMessageId(messageId: string): Promise<number> {
    const res = await fetch(`${mailpit}/api/v1/search?query=${encodeURIComponent(`message-id:${messageId.replace(/[<>]/g, '')}`)}`)
    return ((await res.json()) as { messages: unknown[] }).messages.length
  }

  it('answers lost and the worker dead after every remote call: one PlanFact correction, one R2 object, one e-mail', async () => {
    const invoice = await delivered(SAMPLE_DEALS.tmUsdUzEInvoicing, '2026-09')
    inv.planfact.setBehavior({ dropResponsesAfterWrite: 1 }) // the PUT's answer never arrives
    Object.assign(crashAfterWork, { bookCreditNoteInPlanFact: 1, uploadCreditNotePdfToR2: 1, sendCreditNoteEmail: 1 })
    const h = await approvedCreditNote(invoice, { kind: 'partial', reason: 'goodwill', correction: 'terms', amount: '112.00' })
    const done = await untilNote(h, (v) => v.state === 'completed')
    expect(crashAfterWork).toMatchObject({ bookCreditNoteInPlanFact: 0, uploadCreditNotePdfToR2: 0, sendCreditNoteEmail: 0 })
    expect(done.figures).toMatchObject({ subtotal: '100.00', vatAmount: '12.00', total: '112.00' })

    const operations = inv.planfact.state.operations.filter((o) => o.externalId === invoice.invoiceId || o.externalId === done.creditNoteId)
    expect(operations).toHaveLength(1) // the planned income, lowered; no refund
    expect(operations[0]!.value.toFixed(2)).toBe((Number(invoice.preview!.total) - 112).toFixed(2))
    const s3 = createR2Client(inv.config.s3)
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: inv.config.s3.bucket, Prefix: `invoices/2026/${encodeURIComponent(invoice.invoiceNumber!)}/` }))
    expect((listed.Contents ?? []).filter((o) => o.Key!.includes(`/${encodeURIComponent(invoice.invoiceNumber!)}/credit-notes/`))).toHaveLength(1)
    s3.destroy()
    expect(await emailsWithMessageId(buildCreditNoteMessageId({ creditNoteId: done.creditNoteId, pdfVersion: 1, from: inv.config.smtp.from }))).toBe(1)
    await recordHistory(env, h.workflowId, 'credit-note-email')
  })

  it('Didox, the buyer has not signed the ESF (as after 10 days of silence) a void cancels it, once, and completes when Didox shows it deleted', async () => {
    const invoice = await delivered(SAMPLE_DEALS.fixedMonthlyUzs, '2026-08', async (waiting) => {
      // The buyer stays silent; the ESF waits for the partner's signature (status 1) and is taken as accepted here.
      inv.didox.setDocumentStatus(waiting.dispatch.didox!.externalId!, 3)
    })
    const original = invoice.dispatch.didox!.externalId!
    inv.didox.setDocumentStatus(original, 1)
    crashAfterWork.correctDidoxInvoice = 1
    const h = await approvedCreditNote(invoice, { kind: 'void', reason: 'issued to the wrong buyer', correction: 'error' })
    const cancelling = await untilNote(h, (v) => v.dispatch.didox?.status === 'done')
    expect(cancelling.dispatch.didox!.detail).toMatch(/cancelled/)
    expect(inv.didox.state.requests['POST /v1/documents/{id}/tosign']).toBeGreaterThanOrEqual(1)
    expect(inv.didox.state.documents.filter((d) => d.name === cancelling.number)).toHaveLength(0) // nothing new was created
    // A person signs the deletion in Didox (no signer is configured here).
    inv.didox.setDocumentStatus(original, 5)
    await untilNote(h, (v) => v.state === 'completed')
    expect((await inv.db.invoice.findUniqueOrThrow({ where: { id: invoice.invoiceId! } })).voidedAt).not.toBeNull()
  })

  it('Didox, a signed ESF: a correction of an error is a corrected ESF (FacturaType 4) naming the original', async () => {
    const invoice = await delivered(SAMPLE_DEALS.fixedMonthlyUzs, '2026-09', async (waiting) => inv.didox.setDocumentStatus(waiting.dispatch.didox!.externalId!, 3))
    const original = invoice.dispatch.didox!.externalId!
    const line = invoice.preview!.lines.find((l) => Number(l.amount) > 0)!
    const h = await approvedCreditNote(invoice, { kind: 'partial', reason: 'the fee was mistyped', correction: 'error', lines: [{ lineId: line.lineId, amount: '100000.00' }] })
    const waiting = await untilNote(h, (v) => v.dispatch.didox?.status === 'done')
    const corrected = inv.didox.state.documents.find((d) => d._id.toLowerCase() === waiting.dispatch.didox!.externalId!.toLowerCase())!
    expect(corrected.json).toMatchObject({ FacturaType: 4, FacturaDoc: { FacturaNo: waiting.number }, OldFacturaDoc: { OldFacturaId: original, OldFacturaNo: invoice.invoiceNumber } })
    inv.didox.setDocumentStatus(corrected._id, 3) // the buyer accepts it
    await untilNote(h, (v) => v.state === 'completed')
    expect(inv.didox.state.documents.find((d) => d._id.toLowerCase() === original.toLowerCase())!.doc_status).toBe(50)
    await recordHistory(env, h.workflowId, 'credit-note-didox-corrected')
  })

  it('Didox, changed terms: an additional ESF (FacturaType 1); the buyer rejects it with a comment, and the credit note needs attention showing it', async () => {
    const invoice = await delivered(SAMPLE_DEALS.fixedMonthlyUzs, '2026-10', async (waiting) => inv.didox.setDocumentStatus(waiting.dispatch.didox!.externalId!, 3))
    const h = await approvedCreditNote(invoice, { kind: 'partial', reason: 'discount agreed in November', correction: 'terms', amount: '112000.00' })
    const waiting = await untilNote(h, (v) => v.dispatch.didox?.status === 'done')
    const additional = inv.didox.state.documents.find((d) => d._id.toLowerCase() === waiting.dispatch.didox!.externalId!.toLowerCase())!
    expect(additional.json).toMatchObject({ FacturaType: 1, OldFacturaDoc: { OldFacturaNo: invoice.invoiceNumber } })
    inv.didox.setDocumentStatus(additional._id, 1)
    inv.didox.rejectAsBuyer(additional._id, 'Скидка не согласована')
    const parked = await untilNote(h, (v) => v.state === 'needs_attention')
    expect(parked.attention).toMatchObject({ step: 'didox_acceptance', reason: expect.stringContaining('Скидка не согласована') })
  })
})
