import { createHash, randomUUID } from 'node:crypto'
import { z } from '@hono/zod-openapi'
import type { Context } from 'hono'
import { labelPeriod } from '../../billing/period.js'
import { startInvoice } from '../../operations/start-invoice.js'
import { parseBillingPeriod } from '../../prefill/billing-period.js'
import { ACTION_ROLES } from '../action-roles.js'
import { READ_ROLES, type Role } from '../auth.js'
import type { AppEnv } from '../context.js'
import { ApiError } from '../errors.js'
import { actOnInvoice, readActionOutcome, type ActionRequest } from '../../operations/invoices/act-on-invoice.js'
import { checkInvoiceDrift } from '../../operations/drift/check-invoice-drift.js'
import { InvoiceDriftSchema } from '../../operations/drift/drift-schemas.js'
import { listInvoiceRuns } from '../../operations/invoices/list-invoice-runs.js'
import { describeInvoice } from '../../operations/invoices/load-invoice-state.js'
import { readInvoiceEvents } from '../../operations/invoices/read-invoice-events.js'
import { readInvoicePdf } from '../../operations/invoices/read-invoice-pdf.js'
import { latestRun, readInvoice } from '../../operations/invoices/read-invoice.js'
import { createRouter, defineSecuredRoute, errorResponses, jsonContent } from '../router.js'
import { EmptyBodySchema, InvoiceIdParamsSchema } from '../../operations/schemas.js'
import {
  ActionOutcomeSchema,
  ActionParamsSchema,
  ActionQuerySchema,
  ApproveBodySchema,
  ConfirmBodySchema,
  EventPageSchema,
  EventsQuerySchema,
  GetInvoiceQuerySchema,
  InvoicePageSchema,
  InvoiceSchema,
  ListInvoicesQuerySchema,
  PdfQuerySchema,
  ReasonBodySchema,
  RejectBodySchema,
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
  summary: 'Start the invoice of a deal for a period (one per deal and period); answers once the prefill ended, within the wait',
  request: { body: { required: true, content: jsonContent(StartInvoiceBodySchema) } },
  responses: {
    201: { description: 'Started and prefilled (`Prefer: wait=N` adds the preview). Location names the invoice', content: jsonContent(StartedInvoiceSchema) },
    202: { description: 'Started; the prefill had not ended within the wait. Location names the invoice', content: jsonContent(StartedInvoiceSchema) },
    ...errorResponses(400, 404, 409, 413, 415, 422, 503),
  },
})
const listRoute = defineSecuredRoute(READ_ROLES, {
  method: 'get',
  path: '/',
  summary: 'Invoices from the read model (one row per run), newest first, filtered',
  request: { query: ListInvoicesQuerySchema },
  responses: { 200: { description: 'A page', content: jsonContent(InvoicePageSchema) }, ...errorResponses(400) },
})
const getRoute = defineSecuredRoute(READ_ROLES, {
  method: 'get',
  path: '/{id}',
  summary: 'An invoice from the read model (or, with live=true, as its workflow reports it), with PDF versions and external references',
  request: { params: InvoiceIdParamsSchema, query: GetInvoiceQuerySchema },
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
const driftRoute = defineSecuredRoute(READ_ROLES, {
  method: 'get',
  path: '/{id}/drift',
  summary: 'What changed in the sources for the worklogs the invoice bills, and the amount each change would make (checked now; changes nothing)',
  request: { params: InvoiceIdParamsSchema },
  responses: {
    200: { description: 'The changed worklogs, per line and in total', content: jsonContent(InvoiceDriftSchema) },
    ...errorResponses(404, 422, 503),
  },
})

const actionResponses = {
  200: { description: 'The workflow acted: the new state and what changed', content: jsonContent(ActionOutcomeSchema) },
  202: { description: 'Accepted; the outcome was not known within the wait (`Prefer: respond-async` answers at once). Location reads it', content: jsonContent(ActionOutcomeSchema) },
  ...errorResponses(400, 403, 404, 409, 413, 415, 422, 503),
}

/** A POST /{id}/<action> route: the actor is the authenticated user, never a body field. */
function defineActionRoute<B extends z.ZodType>(action: ActionRequest['action'], roles: readonly Role[], body: B, bodyRequired: boolean, summary: string) {
  return defineSecuredRoute(roles, {
    method: 'post',
    path: `/{id}/${action}`,
    summary,
    request: { params: InvoiceIdParamsSchema, body: { required: bodyRequired, content: jsonContent(body) } },
    responses: actionResponses,
  } as const)
}

const confirmRoute = defineActionRoute('confirm', ACTION_ROLES.confirm, ConfirmBodySchema, true, 'Confirm the preview you checked (its fingerprint, optional edits): answers with the number and the PDF version')
const refreshRoute = defineActionRoute('refresh', ACTION_ROLES.refresh, EmptyBodySchema, false, 'Compute the preview again from the current sources and rules: answers with the new fingerprint')
const approveRoute = defineActionRoute('approve', ACTION_ROLES.approve, ApproveBodySchema, true, 'Approve the PDF version you opened (not by the person who confirmed it)')
const rejectRoute = defineActionRoute('reject', ACTION_ROLES.reject, RejectBodySchema, true, 'Send the PDF version you opened back to confirmation; the invoice keeps its number')
const cancelRoute = defineActionRoute('cancel', ACTION_ROLES.cancel, ReasonBodySchema, true, 'Cancel the invoice before anything reached an external system (a numbered one is kept as void)')
const retryRoute = defineActionRoute('retry', ACTION_ROLES.retry, EmptyBodySchema, false, 'Operators: retry the step that needs attention')
const skipRoute = defineActionRoute('skip', ACTION_ROLES.skip, ReasonBodySchema, true, 'Operators: skip the dispatch step that needs attention')
const actionRoute = defineSecuredRoute(READ_ROLES, {
  method: 'get',
  path: '/{id}/actions/{updateId}',
  summary: 'The outcome of an action answered 202 (waits a few seconds for it)',
  request: { params: ActionParamsSchema, query: ActionQuerySchema },
  responses: {
    200: { description: 'The outcome', content: jsonContent(ActionOutcomeSchema) },
    202: { description: 'Not known yet: ask again', content: jsonContent(ActionOutcomeSchema) },
    ...errorResponses(400, 403, 404, 409, 422),
  },
})

/** /invoices: starts, lists, reads and acts on invoice workflows; no billing logic lives here. */
export const invoicesRouter = createRouter()
  .openapi(startRoute, async (c) => {
    const { deps, user } = c.var
    const { dealId, period } = c.req.valid('json')
    const wait = preferredWaitMs(c)
    const result = await startInvoice({ client: deps.temporal, db: deps.db, taskQueue: deps.taskQueue, input: { dealId, period, startedBy: user.id }, waitMs: wait ?? deps.startWaitMs })
    if (!result.started && result.reason === 'invalid_period') {
      throw new ApiError('VALIDATION_FAILED', `body.period: ${result.message}`, { issues: [{ field: 'body.period', problem: result.message }] })
    }
    if (!result.started && result.reason === 'overlap') {
      const { overlapping } = result
      throw new ApiError('PERIOD_OVERLAP', result.message, {
        overlapping: { id: overlapping.workflowId, number: overlapping.invoiceNumber, period: overlapping.period, state: overlapping.state, href: invoiceHref(overlapping.workflowId) },
      })
    }
    if (!result.started) {
      throw new ApiError('ALREADY_EXISTS', result.message, { workflowId: result.workflowId, runId: result.runId, state: result.invoiceStatus, workflowStatus: result.status, href: invoiceHref(result.workflowId) })
    }
    c.header('Location', invoiceHref(result.workflowId))
    const { prefill } = result
    const body = {
      id: result.workflowId,
      runId: result.runId,
      state: prefill?.state ?? ('prefilling' as const),
      customerId: prefill?.customerId ?? null,
      href: invoiceHref(result.workflowId),
      ...(wait !== undefined && prefill ? { preview: prefill.preview } : {}),
    }
    return prefill ? c.json(body, 201) : c.json(body, 202)
  })
  .openapi(listRoute, async (c) => {
    const { limit, cursor, period, ...filters } = c.req.valid('query')
    const parsed = period === undefined ? undefined : parseBillingPeriod(period)
    const label = parsed && 'period' in parsed ? labelPeriod(parsed.period).label : undefined
    return c.json(await listInvoiceRuns(c.var.deps.db, { filters: { ...filters, period: label }, limit, cursor }), 200)
  })
  .openapi(getRoute, async (c) => {
    const { id } = c.req.valid('param')
    const { deps } = c.var
    const invoice = await readInvoice({ client: deps.temporal, db: deps.db, workflowId: id, timeoutMs: deps.queryTimeoutMs, live: c.req.valid('query').live === 'true' })
    if (!invoice) throw new ApiError('NOT_FOUND', `no invoice with id ${id}`)
    return c.json(invoice, 200)
  })
  .openapi(pdfRoute, async (c) => {
    const { id } = c.req.valid('param')
    const { version } = c.req.valid('query')
    const runId = await findRunId(c, id)
    const pdf = await readInvoicePdf(c.var.deps.db, { runId, version })
    if (!pdf) throw new ApiError('NOT_FOUND', version ? `invoice ${id} has no PDF version ${version}` : `invoice ${id} has no PDF yet (it gets one when confirmed)`)
    return sendPdf(c, pdf)
  })
  .openapi(eventsRoute, async (c) => {
    const { id } = c.req.valid('param')
    const { limit, cursor } = c.req.valid('query')
    await findRunId(c, id)
    return c.json(await readInvoiceEvents(c.var.deps.db, { workflowId: id, limit, after: cursor }), 200)
  })
  .openapi(driftRoute, async (c) => {
    const { id } = c.req.valid('param')
    const { deps } = c.var
    return c.json(await checkInvoiceDrift({ client: deps.temporal, db: deps.db, taskQueue: deps.taskQueue, workflowId: id, waitMs: preferredWaitMs(c) ?? deps.actionWaitMs }), 200)
  })
  .openapi(confirmRoute, async (c) => {
    const { fingerprint, edits } = c.req.valid('json')
    return answerAction(c, await act(c, { action: 'confirm', fingerprint, ...(edits ? { edits } : {}) }))
  })
  .openapi(refreshRoute, async (c) => answerAction(c, await act(c, { action: 'refresh' })))
  .openapi(approveRoute, async (c) => answerAction(c, await act(c, { action: 'approve', pdfVersion: c.req.valid('json').pdfVersion })))
  .openapi(rejectRoute, async (c) => answerAction(c, await act(c, { action: 'reject', ...c.req.valid('json') })))
  .openapi(cancelRoute, async (c) => answerAction(c, await act(c, { action: 'cancel', reason: c.req.valid('json').reason })))
  .openapi(retryRoute, async (c) => answerAction(c, await act(c, { action: 'retry' })))
  .openapi(skipRoute, async (c) => answerAction(c, await act(c, { action: 'skip', reason: c.req.valid('json').reason })))
  .openapi(actionRoute, async (c) => {
    const { id, updateId } = c.req.valid('param')
    const { runId } = c.req.valid('query')
    const outcome = await readActionOutcome({ client: c.var.deps.temporal, workflowId: id, ...(runId ? { runId } : {}), updateId, waitMs: 5_000 })
    if (!outcome) return c.json({ id, updateId, runId: runId ?? null, outcome: 'accepted' as const, state: null }, 202)
    return c.json({ id, updateId, runId: runId ?? null, ...outcome, outcome: 'applied' as const }, 200)
  })

/**
 * An action through its Update: waits for the outcome (up to `Prefer: wait=N` seconds, or the
 * default), or only until the workflow accepted it with `Prefer: respond-async`.
 * `Idempotency-Key` becomes the Update id, so a retried request is the same action.
 */
export function act(c: Context<AppEnv>, request: ActionRequest, subject?: Parameters<typeof actOnInvoice>[0]['subject']) {
  const { deps, user } = c.var
  const respondAsync = /\brespond-async\b/i.test(c.req.header('Prefer') ?? '')
  const waitMs = respondAsync ? 0 : (preferredWaitMs(c) ?? deps.actionWaitMs)
  const key = c.req.header('Idempotency-Key')
  if (key !== undefined && !/^[A-Za-z0-9._:-]{1,100}$/.test(key)) {
    throw new ApiError('VALIDATION_FAILED', 'header.Idempotency-Key: must be 1 to 100 letters, digits, ".", "_", ":" or "-"', { issues: [{ field: 'header.Idempotency-Key', problem: 'invalid' }] })
  }
  // The same person, action and key make the same Update: a retry gets the first answer.
  const updateId = key ? createHash('sha256').update(`${user.id}\n${request.action}\n${key}`).digest('hex') : randomUUID()
  // A payment recorded by hand is the same payment when the request is retried.
  const input = request.action === 'recordPayment' ? { ...request, requestId: updateId } : request
  return actOnInvoice({ client: deps.temporal, db: deps.db, workflowId: c.req.param('id')!, request: input, actor: user.id, waitMs, updateId, ...(subject ? { subject } : {}) })
}

export function answerAction(c: Context<AppEnv>, result: Awaited<ReturnType<typeof act>>, href = invoiceHref) {
  if (result.outcome === 'applied') return c.json(result, 200)
  c.header('Location', `${href(result.id)}/actions/${encodeURIComponent(result.updateId)}${result.runId ? `?runId=${encodeURIComponent(result.runId)}` : ''}`)
  return c.json(result, 202)
}

/** `Prefer: wait=N` (RFC 7240) in milliseconds, at most a minute. */
export function preferredWaitMs(c: Context<AppEnv>): number | undefined {
  const match = /\bwait=(\d{1,4})\b/i.exec(c.req.header('Prefer') ?? '')
  return match ? Math.min(Number(match[1]), 60) * 1000 : undefined
}

/** The newest run of an invoice (read model first, Temporal for runs older than it), or 404. */
export async function findRunId(c: Context<AppEnv>, id: string): Promise<string> {
  const row = await latestRun(c.var.deps.db, id)
  if (row) return row.workflowRunId
  const description = await describeInvoice(c.var.deps.temporal, id)
  if (!description) throw new ApiError('NOT_FOUND', `no invoice with id ${id}`)
  return description.runId
}

/** A stored PDF version as the download answers it: ETag = its SHA-256, 304 when the client has it. */
export function sendPdf(c: Context<AppEnv>, pdf: { sha256: string; version: number; fileName: string; bytes: Uint8Array | Buffer }) {
  const etag = `"${pdf.sha256}"`
  c.header('ETag', etag)
  c.header('Cache-Control', 'private, no-cache')
  c.header('X-Pdf-Version', String(pdf.version))
  if (matchesEtag(c.req.header('If-None-Match'), etag)) return c.body(null, 304)
  c.header('Content-Type', 'application/pdf')
  c.header('Content-Disposition', `attachment; filename="${pdf.fileName}"`)
  return c.body(new Uint8Array(pdf.bytes), 200)
}

function matchesEtag(header: string | undefined, etag: string): boolean {
  if (!header) return false
  return header.split(',').some((candidate) => {
    const tag = candidate.trim().replace(/^W\//, '')
    return tag === etag || tag === '*'
  })
}
