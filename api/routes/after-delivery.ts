import { z } from '@hono/zod-openapi'
import type { Context } from 'hono'
import type { CreditNoteRequest } from '../../credit-notes/credit-note-schemas.js'
import { readCreditNote, readCreditNotePdf, creditNoteHref, listCreditNotes } from '../../operations/credit-notes/read-credit-note.js'
import { startCreditNote } from '../../operations/credit-notes/start-credit-note.js'
import { latestRun } from '../../operations/invoices/read-invoice.js'
import { listReceivables } from '../../operations/receivables/list-receivables.js'
import { InvoiceIdParamsSchema } from '../../operations/schemas.js'
import { listPayments, readBalance } from '../../payments/record-payments.js'
import type { ActionRequest } from '../../operations/invoices/act-on-invoice.js'
import { ACTION_ROLES } from '../action-roles.js'
import { READ_ROLES, type Role } from '../auth.js'
import type { AppEnv } from '../context.js'
import { ApiError } from '../errors.js'
import { createRouter, defineSecuredRoute, errorResponses, jsonContent } from '../router.js'
import {
  CreditNoteBodySchema,
  CreditNoteParamsSchema,
  CreditNoteSchema,
  CreditNoteSummarySchema,
  PaymentBodySchema,
  PaymentsSchema,
  ReceivablesQuerySchema,
  ReceivablesSchema,
  StartedCreditNoteSchema,
  VoidBodySchema,
} from './after-delivery-schemas.js'
import { ActionOutcomeSchema, ApproveBodySchema, PdfQuerySchema, ReasonBodySchema, RejectBodySchema } from './invoice-schemas.js'
import { act, answerAction, findRunId, preferredWaitMs, sendPdf } from './invoices.js'
import { EmptyBodySchema } from '../../operations/schemas.js'

/**
 * After delivery (docs/api.md): credit notes and voids of an invoice, payments recorded by hand,
 * the credit notes' own actions and PDFs, and the receivables. Thin: each route calls one operation.
 */

const creditNoteRoute = defineSecuredRoute(['accountant'], {
  method: 'post',
  path: '/{id}/credit-notes',
  summary: 'Start a credit note of a delivered invoice (lines, hours of lines, or an amount): answers its draft to confirm',
  request: { params: InvoiceIdParamsSchema, body: { required: true, content: jsonContent(CreditNoteBodySchema) } },
  responses: {
    201: { description: 'Drafted: confirm it with its fingerprint. Location names it', content: jsonContent(StartedCreditNoteSchema) },
    202: { description: 'Started; the draft was not written within the wait', content: jsonContent(StartedCreditNoteSchema) },
    ...errorResponses(400, 404, 409, 413, 415, 422, 503),
  },
})
const voidRoute = defineSecuredRoute(['accountant'], {
  method: 'post',
  path: '/{id}/void',
  summary: 'Void a delivered invoice: a credit note of everything left; once approved the invoice is void and its worklogs released',
  request: { params: InvoiceIdParamsSchema, body: { required: true, content: jsonContent(VoidBodySchema) } },
  responses: {
    201: { description: 'Drafted: confirm it with its fingerprint', content: jsonContent(StartedCreditNoteSchema) },
    202: { description: 'Started; the draft was not written within the wait', content: jsonContent(StartedCreditNoteSchema) },
    ...errorResponses(400, 404, 409, 413, 415, 422, 503),
  },
})
const listCreditNotesRoute = defineSecuredRoute(READ_ROLES, {
  method: 'get',
  path: '/{id}/credit-notes',
  summary: "An invoice's credit notes, oldest first",
  request: { params: InvoiceIdParamsSchema },
  responses: { 200: { description: 'The credit notes', content: jsonContent(z.object({ items: z.array(CreditNoteSummarySchema) })) }, ...errorResponses(404) },
})
const recordPaymentRoute = defineSecuredRoute(['accountant'], {
  method: 'post',
  path: '/{id}/payments',
  summary: 'Record a payment by hand (the bank shows it, PlanFact does not yet); the same reference, or the same request, counts once',
  request: { params: InvoiceIdParamsSchema, body: { required: true, content: jsonContent(PaymentBodySchema) } },
  responses: {
    200: { description: 'Recorded: the new payment status and what is due', content: jsonContent(ActionOutcomeSchema) },
    202: { description: 'Accepted; the outcome was not known within the wait', content: jsonContent(ActionOutcomeSchema) },
    ...errorResponses(400, 403, 404, 409, 413, 415, 422, 503),
  },
})
const listPaymentsRoute = defineSecuredRoute(READ_ROLES, {
  method: 'get',
  path: '/{id}/payments',
  summary: "An invoice's payments (PlanFact and by hand) and what is still due",
  request: { params: InvoiceIdParamsSchema },
  responses: { 200: { description: 'The payments', content: jsonContent(PaymentsSchema) }, ...errorResponses(404) },
})

/** /invoices/{id}/...: credit notes, voids and payments of one invoice. */
export const invoiceAfterDeliveryRouter = createRouter()
  .openapi(creditNoteRoute, async (c) => answerStarted(c, { kind: 'partial', ...c.req.valid('json') }))
  .openapi(voidRoute, async (c) => answerStarted(c, { kind: 'void', ...c.req.valid('json') }))
  .openapi(listCreditNotesRoute, async (c) => {
    const invoiceId = await numberedInvoiceId(c)
    return c.json({ items: invoiceId ? await listCreditNotes(c.var.deps.db, invoiceId) : [] }, 200)
  })
  .openapi(recordPaymentRoute, async (c) => answerAction(c, await act(c, { action: 'recordPayment', ...c.req.valid('json'), requestId: '' })))
  .openapi(listPaymentsRoute, async (c) => {
    const invoiceId = await numberedInvoiceId(c)
    if (!invoiceId) return c.json({ balance: null, items: [] }, 200)
    const { db } = c.var.deps
    return c.json({ balance: await readBalance(db, invoiceId), items: await listPayments(db, invoiceId) }, 200)
  })

async function answerStarted(c: Context<AppEnv>, request: CreditNoteRequest) {
  const { deps, user } = c.var
  const started = await startCreditNote({ client: deps.temporal, db: deps.db, taskQueue: deps.taskQueue, invoiceWorkflowId: c.req.param('id')!, request, requestedBy: user.id, waitMs: preferredWaitMs(c) ?? deps.startWaitMs })
  c.header('Location', creditNoteHref(started.id))
  const creditNote = started.draft ? await readCreditNote(deps.db, started.id) : null
  const body = { id: started.id, runId: started.runId, href: creditNoteHref(started.id), creditNote: creditNote && started.draft ? { ...creditNote, fingerprint: started.draft.fingerprint } : null }
  return creditNote ? c.json(body, 201) : c.json(body, 202)
}

/** The invoice's uuid once it has a number (404 for an unknown id). */
async function numberedInvoiceId(c: Context<AppEnv>): Promise<string | null> {
  const id = c.req.param('id')!
  const run = await latestRun(c.var.deps.db, id)
  if (!run) {
    await findRunId(c, id)
    return null
  }
  return run.invoiceId
}

// ---- /credit-notes ----

const getCreditNoteRoute = defineSecuredRoute(READ_ROLES, {
  method: 'get',
  path: '/{id}',
  summary: 'A credit note: figures, state, PDF versions, what each system knows it as',
  request: { params: CreditNoteParamsSchema },
  responses: { 200: { description: 'The credit note', content: jsonContent(CreditNoteSchema) }, ...errorResponses(400, 404) },
})
const creditNotePdfRoute = defineSecuredRoute(READ_ROLES, {
  method: 'get',
  path: '/{id}/pdf',
  summary: "Download a credit note's PDF version (the current one by default)",
  request: { params: CreditNoteParamsSchema, query: PdfQuerySchema },
  responses: {
    200: { description: 'The PDF; ETag is its SHA-256', content: { 'application/pdf': { schema: z.string().openapi({ format: 'binary' }) } } },
    304: { description: 'Not modified' },
    ...errorResponses(400, 404),
  },
})

const actionResponses = {
  200: { description: 'The workflow acted: the new state and what changed', content: jsonContent(ActionOutcomeSchema) },
  202: { description: 'Accepted; the outcome was not known within the wait', content: jsonContent(ActionOutcomeSchema) },
  ...errorResponses(400, 403, 404, 409, 413, 415, 422, 503),
}
function defineCreditNoteAction<B extends z.ZodType>(action: string, roles: readonly Role[], body: B, bodyRequired: boolean, summary: string) {
  return defineSecuredRoute(roles, {
    method: 'post',
    path: `/{id}/${action}`,
    summary,
    request: { params: CreditNoteParamsSchema, body: { required: bodyRequired, content: jsonContent(body) } },
    responses: actionResponses,
  } as const)
}
const ConfirmCreditNoteBodySchema = z.strictObject({ fingerprint: z.string().min(1).max(500).openapi({ description: 'The fingerprint of the credit note you checked' }) }).openapi('ConfirmCreditNote')
const confirmCreditNoteRoute = defineCreditNoteAction('confirm', ACTION_ROLES.confirm, ConfirmCreditNoteBodySchema, true, 'Confirm the credit note you checked: answers with its number and PDF version')
const approveCreditNoteRoute = defineCreditNoteAction('approve', ACTION_ROLES.approve, ApproveBodySchema, true, 'Approve the PDF version you opened (not by the person who confirmed it): then it is booked and delivered')
const rejectCreditNoteRoute = defineCreditNoteAction('reject', ACTION_ROLES.reject, RejectBodySchema, true, 'Send it back to confirmation; it keeps its number')
const cancelCreditNoteRoute = defineCreditNoteAction('cancel', ACTION_ROLES.cancel, ReasonBodySchema, true, 'Cancel it before it is approved (a numbered one keeps its number, cancelled)')
const retryCreditNoteRoute = defineCreditNoteAction('retry', ACTION_ROLES.retry, EmptyBodySchema, false, 'Operators: retry the step that needs attention')
const skipCreditNoteRoute = defineCreditNoteAction('skip', ACTION_ROLES.skip, ReasonBodySchema, true, 'Operators: skip the dispatch step that needs attention')

function actOnCreditNote(c: Context<AppEnv>, request: ActionRequest) {
  const db = c.var.deps.db
  const id = c.req.param('id')!
  return act(c, request, { name: 'credit note', readState: async () => (await db.creditNote.findUnique({ where: { workflowId: id }, select: { state: true } }))?.state ?? null })
}
const answerCreditNote = async (c: Context<AppEnv>, request: ActionRequest) => answerAction(c, await actOnCreditNote(c, request), creditNoteHref)

/** /credit-notes: a credit note's page, PDF and actions (the same Updates as an invoice's). */
export const creditNotesRouter = createRouter()
  .openapi(getCreditNoteRoute, async (c) => {
    const { id } = c.req.valid('param')
    const note = await readCreditNote(c.var.deps.db, id)
    if (!note) throw new ApiError('NOT_FOUND', `no credit note with id ${id}`)
    return c.json(note, 200)
  })
  .openapi(creditNotePdfRoute, async (c) => {
    const { id } = c.req.valid('param')
    const pdf = await readCreditNotePdf(c.var.deps.db, id, c.req.valid('query').version)
    if (!pdf) throw new ApiError('NOT_FOUND', `credit note ${id} has no PDF${c.req.valid('query').version ? ` version ${c.req.valid('query').version}` : ' yet (it gets one when confirmed)'}`)
    return sendPdf(c, pdf)
  })
  .openapi(confirmCreditNoteRoute, async (c) => answerCreditNote(c, { action: 'confirm', fingerprint: c.req.valid('json').fingerprint }))
  .openapi(approveCreditNoteRoute, async (c) => answerCreditNote(c, { action: 'approve', pdfVersion: c.req.valid('json').pdfVersion }))
  .openapi(rejectCreditNoteRoute, async (c) => answerCreditNote(c, { action: 'reject', ...c.req.valid('json') }))
  .openapi(cancelCreditNoteRoute, async (c) => answerCreditNote(c, { action: 'cancel', reason: c.req.valid('json').reason }))
  .openapi(retryCreditNoteRoute, async (c) => answerCreditNote(c, { action: 'retry' }))
  .openapi(skipCreditNoteRoute, async (c) => answerCreditNote(c, { action: 'skip', reason: c.req.valid('json').reason }))

// ---- /receivables ----

const receivablesRoute = defineSecuredRoute(READ_ROLES, {
  method: 'get',
  path: '/',
  summary: 'What customers owe: delivered invoices with what is still due (open by default), most overdue first, with totals per currency',
  request: { query: ReceivablesQuerySchema },
  responses: { 200: { description: 'Receivables', content: jsonContent(ReceivablesSchema) }, ...errorResponses(400) },
})

export const receivablesRouter = createRouter().openapi(receivablesRoute, async (c) => c.json(await listReceivables(c.var.deps.db, c.req.valid('query')), 200))
