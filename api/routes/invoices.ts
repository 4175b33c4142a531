import { z } from '@hono/zod-openapi'
import type { Context } from 'hono'
import { labelPeriod } from '../../billing/period.js'
import { startInvoice } from '../../operations/start-invoice.js'
import { parseBillingPeriod } from '../../prefill/billing-period.js'
import { READ_ROLES, type Role } from '../auth.js'
import type { AppEnv } from '../context.js'
import { ApiError } from '../errors.js'
import { listInvoices } from '../invoices/list-invoices.js'
import { describeInvoice } from '../invoices/load-invoice-state.js'
import { readInvoiceEvents } from '../invoices/read-invoice-events.js'
import { readInvoicePdf } from '../invoices/read-invoice-pdf.js'
import { readInvoice } from '../invoices/read-invoice.js'
import { signalInvoice, type SignalRequest } from '../invoices/signal-invoice.js'
import { createRouter, defineSecuredRoute, errorResponses, jsonContent } from '../router.js'
import { EmptyBodySchema, InvoiceIdParamsSchema } from '../schemas.js'
import {
  ConfirmBodySchema,
  EventPageSchema,
  EventsQuerySchema,
  InvoicePageSchema,
  InvoiceSchema,
  ListInvoicesQuerySchema,
  PdfQuerySchema,
  ReasonBodySchema,
  SignalOutcomeSchema,
  StartedInvoiceSchema,
  StartInvoiceBodySchema,
} from './invoice-schemas.js'

/** Where an invoice lives in this API: its workflow id, URL-encoded (it contains ':'). */
export function invoiceHref(id: string): string {
  return `/invoices/${encodeURIComponent(id)}`
}

const startRoute = defineSecuredRoute(['accountant'], {
  method: 'post',
  path: '/',
  summary: 'Start the invoice of a deal for a period (one per deal and period)',
  request: { body: { required: true, content: jsonContent(StartInvoiceBodySchema) } },
  responses: {
    202: { description: 'Started; prefilling runs in the workflow. Location names the invoice', content: jsonContent(StartedInvoiceSchema) },
    ...errorResponses(400, 409, 413, 415),
  },
})
const listRoute = defineSecuredRoute(READ_ROLES, {
  method: 'get',
  path: '/',
  summary: 'Invoices from Temporal visibility, filtered by search attributes (running first, then by close time)',
  request: { query: ListInvoicesQuerySchema },
  responses: { 200: { description: 'A page', content: jsonContent(InvoicePageSchema) }, ...errorResponses(400) },
})
const getRoute = defineSecuredRoute(READ_ROLES, {
  method: 'get',
  path: '/{id}',
  summary: "An invoice as its workflow reports it (or as stored when the worker is down), with PDF versions and external references",
  request: { params: InvoiceIdParamsSchema },
  responses: { 200: { description: 'The invoice', content: jsonContent(InvoiceSchema) }, ...errorResponses(404) },
})
const pdfRoute = defineSecuredRoute(READ_ROLES, {
  method: 'get',
  path: '/{id}/pdf',
  summary: 'Download a PDF version (the current one by default)',
  request: { params: InvoiceIdParamsSchema, query: PdfQuerySchema },
  responses: {
    200: { description: 'The PDF; ETag is its SHA-256', content: { 'application/pdf': { schema: z.string().openapi({ format: 'binary' }) } } },
    304: { description: 'Not modified (If-None-Match matched the ETag)' },
    ...errorResponses(400, 404),
  },
})
const eventsRoute = defineSecuredRoute(READ_ROLES, {
  method: 'get',
  path: '/{id}/events',
  summary: 'The event history (append-only), oldest first',
  request: { params: InvoiceIdParamsSchema, query: EventsQuerySchema },
  responses: { 200: { description: 'A page', content: jsonContent(EventPageSchema) }, ...errorResponses(400, 404) },
})

const signalResponses = {
  202: { description: 'Signal sent; `state` is the state after a short wait for the workflow to react', content: jsonContent(SignalOutcomeSchema) },
  ...errorResponses(400, 404, 409, 413, 415, 422),
}

/** A POST /{id}/<signal> route: the actor is the authenticated user, never a body field. */
function defineSignalRoute<B extends z.ZodType>(signal: SignalRequest['signal'], roles: Role[], body: B, bodyRequired: boolean, summary: string) {
  return defineSecuredRoute(roles, {
    method: 'post',
    path: `/{id}/${signal}`,
    summary,
    request: { params: InvoiceIdParamsSchema, body: { required: bodyRequired, content: jsonContent(body) } },
    responses: signalResponses,
  } as const)
}

const confirmRoute = defineSignalRoute('confirm', ['accountant'], ConfirmBodySchema, true, 'Confirm the current preview (with optional edits): the invoice is numbered and its PDF rendered')
const refreshRoute = defineSignalRoute('refresh', ['accountant'], EmptyBodySchema, false, 'Compute the preview again from the current sources and rules')
const approveRoute = defineSignalRoute('approve', ['approver'], EmptyBodySchema, false, 'Approve a finalized invoice (not by the person who confirmed it)')
const rejectRoute = defineSignalRoute('reject', ['approver'], ReasonBodySchema, true, 'Send a finalized invoice back to confirmation; it keeps its number')
const cancelRoute = defineSignalRoute('cancel', ['accountant', 'approver'], ReasonBodySchema, true, 'Cancel the invoice (a numbered one is kept as void)')
const retryRoute = defineSignalRoute('retry', ['admin'], EmptyBodySchema, false, 'Operators: retry the step that needs attention')
const skipRoute = defineSignalRoute('skip', ['admin'], ReasonBodySchema, true, 'Operators: skip the dispatch step that needs attention')

/** /invoices: starts, lists, reads and signals invoice workflows; no billing logic lives here. */
export const invoicesRouter = createRouter()
  .openapi(startRoute, async (c) => {
    const { deps, user } = c.var
    const { dealId, period } = c.req.valid('json')
    const result = await startInvoice({ client: deps.temporal, taskQueue: deps.taskQueue, input: { dealId, period, startedBy: user.id } })
    if (!result.started && result.reason === 'invalid_period') {
      throw new ApiError('VALIDATION_FAILED', `body.period: ${result.message}`, { issues: [{ field: 'body.period', problem: result.message }] })
    }
    if (!result.started) {
      throw new ApiError('ALREADY_EXISTS', result.message, { workflowId: result.workflowId, runId: result.runId, state: result.invoiceStatus, workflowStatus: result.status, href: invoiceHref(result.workflowId) })
    }
    c.header('Location', invoiceHref(result.workflowId))
    return c.json({ id: result.workflowId, runId: result.runId, state: 'prefilling' as const, href: invoiceHref(result.workflowId) }, 202)
  })
  .openapi(listRoute, async (c) => {
    const { limit, cursor, period, ...filters } = c.req.valid('query')
    const parsed = period === undefined ? undefined : parseBillingPeriod(period)
    const label = parsed && 'period' in parsed ? labelPeriod(parsed.period).label : undefined
    const page = await listInvoices({ client: c.var.deps.temporal, filters: { ...filters, period: label }, limit, cursor })
    return c.json(page, 200)
  })
  .openapi(getRoute, async (c) => {
    const { id } = c.req.valid('param')
    const { deps } = c.var
    const invoice = await readInvoice({ client: deps.temporal, db: deps.db, workflowId: id, timeoutMs: deps.queryTimeoutMs })
    if (!invoice) throw new ApiError('NOT_FOUND', `no invoice with id ${id}`)
    return c.json(invoice, 200)
  })
  .openapi(pdfRoute, async (c) => {
    const { id } = c.req.valid('param')
    const { version } = c.req.valid('query')
    const description = await describeInvoice(c.var.deps.temporal, id)
    if (!description) throw new ApiError('NOT_FOUND', `no invoice with id ${id}`)
    const pdf = await readInvoicePdf(c.var.deps.db, { runId: description.runId, version })
    if (!pdf) throw new ApiError('NOT_FOUND', version ? `invoice ${id} has no PDF version ${version}` : `invoice ${id} has no PDF yet (it gets one when confirmed)`)
    const etag = `"${pdf.sha256}"`
    c.header('ETag', etag)
    c.header('Cache-Control', 'private, no-cache')
    if (matchesEtag(c.req.header('If-None-Match'), etag)) return c.body(null, 304)
    c.header('Content-Type', 'application/pdf')
    c.header('Content-Disposition', `attachment; filename="${pdf.fileName}"`)
    return c.body(new Uint8Array(pdf.bytes), 200)
  })
  .openapi(eventsRoute, async (c) => {
    const { id } = c.req.valid('param')
    const { limit, cursor } = c.req.valid('query')
    if (!(await describeInvoice(c.var.deps.temporal, id))) throw new ApiError('NOT_FOUND', `no invoice with id ${id}`)
    return c.json(await readInvoiceEvents(c.var.deps.db, { workflowId: id, limit, after: cursor }), 200)
  })
  .openapi(confirmRoute, async (c) => {
    const { fingerprint, edits } = c.req.valid('json')
    return c.json(await sendSignal(c, c.req.valid('param').id, { signal: 'confirm', fingerprint, ...(edits ? { edits } : {}) }), 202)
  })
  .openapi(refreshRoute, async (c) => c.json(await sendSignal(c, c.req.valid('param').id, { signal: 'refresh' }), 202))
  .openapi(approveRoute, async (c) => c.json(await sendSignal(c, c.req.valid('param').id, { signal: 'approve' }), 202))
  .openapi(rejectRoute, async (c) => c.json(await sendSignal(c, c.req.valid('param').id, { signal: 'reject', reason: c.req.valid('json').reason }), 202))
  .openapi(cancelRoute, async (c) => c.json(await sendSignal(c, c.req.valid('param').id, { signal: 'cancel', reason: c.req.valid('json').reason }), 202))
  .openapi(retryRoute, async (c) => c.json(await sendSignal(c, c.req.valid('param').id, { signal: 'retry' }), 202))
  .openapi(skipRoute, async (c) => c.json(await sendSignal(c, c.req.valid('param').id, { signal: 'skip', reason: c.req.valid('json').reason }), 202))

/** `Prefer: respond-async` (RFC 7240): answer once the signal is sent, without watching the reaction. */
function sendSignal(c: Context<AppEnv>, workflowId: string, request: SignalRequest) {
  const { deps, user } = c.var
  const waitMs = /\brespond-async\b/i.test(c.req.header('Prefer') ?? '') ? 0 : deps.signalWaitMs
  return signalInvoice({ client: deps.temporal, db: deps.db, workflowId, request, actor: user.id, queryTimeoutMs: deps.queryTimeoutMs, waitMs, relay: deps.signalRelay })
}

function matchesEtag(header: string | undefined, etag: string): boolean {
  if (!header) return false
  return header.split(',').some((candidate) => {
    const tag = candidate.trim().replace(/^W\//, '')
    return tag === etag || tag === '*'
  })
}
