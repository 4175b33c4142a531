import { Hono } from 'hono'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import type { InvoiceDrift } from '../../drift/types.js'
import { listInvoiceRuns, notConfirmedBy, type InvoiceRunFilters } from '../../operations/invoices/list-invoice-runs.js'
import { readInvoiceEvents } from '../../operations/invoices/read-invoice-events.js'
import { readInvoicePdf } from '../../operations/invoices/read-invoice-pdf.js'
import { latestRun, readInvoice } from '../../operations/invoices/read-invoice.js'
import { INVOICE_STATES, type InvoiceState } from '../../workflows/invoice-contract.js'
import { callApi, flashFromQuery, sendInlinePdf, formText, frameOf, redirectDone, refusal, type ConsoleContext, type ConsoleEnv } from '../context.js'
import { WORDS } from '../i18n.js'
import { listPage, MINE_TABS, type MineActor } from '../views/invoice-list.js'
import { invoicePage } from '../views/invoice.js'
import type { Flash } from '../views/layout.js'
import { temporalWorkflowUrl } from '../../lib/temporal-web.js'

const LIST_FILTERS = ['state', 'customerId', 'dealId', 'period', 'number'] as const
const invoicePath = (id: string) => `/app/invoices/${encodeURIComponent(id)}`
const apiPath = (id: string, suffix = '') => `/invoices/${encodeURIComponent(id)}${suffix}`

/** The invoice list, an invoice's page and everything its forms post: each a call to the API. */
export const invoiceRoutes = new Hono<ConsoleEnv>()

invoiceRoutes.get('/', (c) => renderList(c, flashFromQuery(c), {}))

invoiceRoutes.post('/invoices', async (c) => {
  const sent = formText(c)
  const answer = await callApi<{ id: string }>(c, { method: 'POST', path: '/invoices', body: { dealId: sent.dealId?.trim(), period: sent.period?.trim() }, waitSeconds: 10 })
  if (answer.ok) return redirectDone(c, invoicePath(answer.body.id), answer, `${sent.dealId} ${sent.period}`)
  const { flash, status } = refusal(answer)
  // An invoice that exists already (or overlaps) is one click away.
  const href = (answer.body as { href?: string; overlapping?: { href: string } }).overlapping?.href ?? (answer.body as { href?: string }).href
  if (href) flash.text = `${flash.text} (${href.replace(/^\/invoices\//, '/app/invoices/')})`
  return renderList(c, flash, sent, status)
})

invoiceRoutes.get('/invoices/:id', async (c) => {
  let drift: InvoiceDrift | null = null
  let flash = flashFromQuery(c)
  if (c.req.query('drift')) {
    const answer = await callApi<InvoiceDrift>(c, { method: 'GET', path: apiPath(c.req.param('id'), '/drift'), waitSeconds: 30 })
    if (answer.ok) drift = answer.body
    else flash = refusal(answer).flash
  }
  return renderInvoice(c, flash, { drift })
})

invoiceRoutes.get('/invoices/:id/pdf', async (c) => {
  const run = await latestRun(c.var.deps.db, c.req.param('id'))
  const version = Number(c.req.query('version'))
  const pdf = run ? await readInvoicePdf(c.var.deps.db, { runId: run.workflowRunId, ...(Number.isInteger(version) && version > 0 ? { version } : {}) }) : null
  return sendInlinePdf(c, pdf)
})

invoiceRoutes.post('/invoices/:id/credit-notes', async (c) => {
  const sent = formText(c)
  const rows = Object.keys(sent)
    .map((k) => /^credit\.(\d+)\.lineId$/.exec(k)?.[1])
    .filter((i): i is string => i !== undefined)
  const lines = rows.map((i) => ({ lineId: sent[`credit.${i}.lineId`], ...optional('hours', sent[`credit.${i}.hours`]), ...optional('amount', sent[`credit.${i}.amount`]) }))
  const body = { reason: sent.reason, correction: sent.correction, ...(lines.length ? { lines } : {}), ...optional('amount', sent.amount) }
  const answer = await callApi<{ id: string }>(c, { method: 'POST', path: apiPath(c.req.param('id'), '/credit-notes'), body, waitSeconds: 30 })
  if (answer.ok) return redirectDone(c, `/app/credit-notes/${encodeURIComponent(answer.body.id)}`, answer, WORDS[c.var.language].creditNote)
  const rename = (field: string) => field.replace(/^body\.lines\.(\d+)\./, (_, k: string) => `credit.${rows[Number(k)]}.`).replace(/^body\.lines$/, 'credit')
  const { flash, status } = refusal(answer, rename)
  return renderInvoice(c, flash, { sent, status })
})

invoiceRoutes.post('/invoices/:id/void', async (c) => {
  const answer = await callApi<{ id: string }>(c, { method: 'POST', path: apiPath(c.req.param('id'), '/void'), body: { reason: formText(c).reason }, waitSeconds: 30 })
  if (answer.ok) return redirectDone(c, `/app/credit-notes/${encodeURIComponent(answer.body.id)}`, answer, 'void')
  const { flash, status } = refusal(answer)
  return renderInvoice(c, flash, { status })
})

invoiceRoutes.post('/invoices/:id/payments', async (c) => {
  const sent = formText(c)
  const body = { amount: sent['payment.amount']?.trim(), paidOn: sent['payment.paidOn']?.trim(), ...optional('reference', sent['payment.reference']), ...optional('note', sent['payment.note']) }
  const answer = await callApi<{ state: string }>(c, { method: 'POST', path: apiPath(c.req.param('id'), '/payments'), body, idempotencyKey: sent.key, waitSeconds: 30 })
  if (answer.ok) return redirectDone(c, invoicePath(c.req.param('id')), answer, `${WORDS[c.var.language].recordPayment}: ${answer.body.state}`)
  const { flash, status } = refusal(answer, (f) => f.replace(/^body\./, 'payment.'))
  return renderInvoice(c, flash, { sent, status })
})

// The workflow's actions: the same Updates as POST /invoices/{id}/{action}.
invoiceRoutes.post('/invoices/:id/:action{confirm|refresh|approve|reject|cancel|retry|skip}', async (c) => {
  const action = c.req.param('action')
  const sent = formText(c)
  const pdfVersion = Number(sent.pdfVersion)
  const bodies: Record<string, () => Record<string, unknown> | undefined> = {
    confirm: () => confirmBody(sent),
    refresh: () => undefined,
    approve: () => ({ pdfVersion }),
    reject: () => ({ pdfVersion, reason: sent.reason }),
    cancel: () => ({ reason: sent.reason }),
    retry: () => undefined,
    skip: () => ({ reason: sent.reason }),
  }
  const answer = await callApi<{ state: string | null }>(c, { method: 'POST', path: apiPath(c.req.param('id'), `/${action}`), body: bodies[action]!(), idempotencyKey: sent.key, waitSeconds: 30 })
  if (answer.ok) return redirectDone(c, invoicePath(c.req.param('id')), answer, `${action}: ${answer.body.state ?? ''}`)
  const { flash, status } = refusal(answer, (field) => renameConfirmIssue(field, sent))
  // A stale preview is not kept: the page shows the new one to check.
  return renderInvoice(c, flash, { sent: flash.code === 'STALE_PREVIEW' ? {} : sent, status })
})

function optional(name: string, value: string | undefined): Record<string, string> {
  return value !== undefined && value.trim() !== '' ? { [name]: value.trim() } : {}
}

/** The rows of the confirm form that `manualRows` turned into addLines, in order. */
function manualRows(sent: Record<string, string>): string[] {
  return Object.keys(sent)
    .map((k) => /^add\.(\d+)\.description$/.exec(k)?.[1])
    .filter((n): n is string => n !== undefined && ['description', 'quantity', 'rate', 'reason'].some((f) => (sent[`add.${n}.${f}`] ?? '').trim() !== ''))
    .sort((a, b) => Number(a) - Number(b))
}

function lineRows(sent: Record<string, string>): string[] {
  return Object.keys(sent)
    .map((k) => /^lines\.(\d+)\.lineId$/.exec(k)?.[1])
    .filter((i): i is string => i !== undefined)
    .sort((a, b) => Number(a) - Number(b))
}

/**
 * The confirm form as the API's body: the fingerprint the accountant checked and the edits she
 * made: dropped lines, a changed order (by the order numbers, ties keep the preview's order),
 * changed descriptions and manual lines (rows left empty are ignored).
 */
export function confirmBody(sent: Record<string, string>): Record<string, unknown> {
  const rows = lineRows(sent)
  const dropLineIds = rows.filter((i) => sent[`lines.${i}.drop`]).map((i) => sent[`lines.${i}.lineId`]!)
  const orderOf = (i: string) => Number(sent[`lines.${i}.order`] ?? i)
  const sorted = [...rows].sort((a, b) => orderOf(a) - orderOf(b) || Number(a) - Number(b))
  const order = sorted.some((i, k) => i !== rows[k]) ? sorted.map((i) => sent[`lines.${i}.lineId`]!) : undefined
  const descriptions = rows
    .filter((i) => sent[`lines.${i}.description`] !== undefined && sent[`lines.${i}.description`] !== sent[`lines.${i}.original`])
    .map((i) => ({ lineId: sent[`lines.${i}.lineId`]!, description: sent[`lines.${i}.description`]! }))
  const addLines = manualRows(sent).map((n) => ({
    description: sent[`add.${n}.description`] ?? '',
    quantity: (sent[`add.${n}.quantity`] ?? '').trim(),
    unit: sent[`add.${n}.unit`] ?? 'hour',
    rate: (sent[`add.${n}.rate`] ?? '').trim(),
    reason: sent[`add.${n}.reason`] ?? '',
  }))
  const edits = {
    ...(dropLineIds.length ? { dropLineIds } : {}),
    ...(order ? { order } : {}),
    ...(descriptions.length ? { descriptions } : {}),
    ...(addLines.length ? { addLines } : {}),
  }
  return { fingerprint: sent.fingerprint ?? '', ...(Object.keys(edits).length ? { edits } : {}) }
}

/** `body.edits.addLines.0.rate` → the input `add.<row>.rate`; descriptions → `lines.<row>.description`. */
function renameConfirmIssue(field: string, sent: Record<string, string>): string {
  const manual = /^body\.edits\.addLines\.(\d+)\.(\w+)$/.exec(field)
  if (manual) return `add.${manualRows(sent)[Number(manual[1])]}.${manual[2]}`
  const described = /^body\.edits\.descriptions\.(\d+)\.description$/.exec(field)
  if (described) {
    const changed = lineRows(sent).filter((i) => sent[`lines.${i}.description`] !== sent[`lines.${i}.original`])
    return `lines.${changed[Number(described[1])]}.description`
  }
  return field
}

async function renderList(c: ConsoleContext, flash: Flash | null, sent: Record<string, string>, status: ContentfulStatusCode = 200) {
  const { db } = c.var.deps
  const query = c.req.query()
  const filters: Record<string, string> = {}
  for (const key of LIST_FILTERS) if (query[key]) filters[key] = query[key]!
  const me = c.var.session.user.id
  const mine = MINE_TABS.find((tab) => tab.actor === query.mine)?.actor ?? null
  const state = INVOICE_STATES.includes(filters.state as InvoiceState) ? (filters.state as InvoiceState) : undefined
  const mineFilter = (actor: MineActor): InvoiceRunFilters => ({ nextActor: actor, ...(actor === 'approver' ? { notConfirmedBy: me } : {}) })
  const [page, byState, byActor, approvable] = await Promise.all([
    listInvoiceRuns(db, { filters: { ...filters, state, ...(mine ? mineFilter(mine) : {}) }, limit: 100, ...(query.cursor ? { cursor: query.cursor } : {}) }),
    db.invoiceRun.groupBy({ by: ['state'], _count: { _all: true }, where: { closedAt: null } }),
    db.invoiceRun.groupBy({ by: ['nextActor'], _count: { _all: true }, where: { closedAt: null, nextActor: { not: null } } }),
    db.invoiceRun.count({ where: { closedAt: null, nextActor: 'approver', ...notConfirmedBy(me) } }),
  ])
  const counts = Object.fromEntries(byState.map((g) => [g.state, g._count._all]))
  const mineCounts: Partial<Record<MineActor, number>> = Object.fromEntries(byActor.map((g) => [g.nextActor, g._count._all]))
  mineCounts.approver = approvable
  return c.html(listPage(frameOf(c), { rows: page.items, counts, mineCounts, filters, mine, nextCursor: page.nextCursor, flash, sent }), status)
}

async function renderInvoice(c: ConsoleContext, flash: Flash | null, options: { sent?: Record<string, string>; status?: ContentfulStatusCode; drift?: InvoiceDrift | null } = {}) {
  const { deps } = c.var
  const id = c.req.param('id')!
  const [invoice, events] = await Promise.all([
    readInvoice({ client: deps.temporal, db: deps.db, workflowId: id, timeoutMs: deps.queryTimeoutMs }),
    readInvoiceEvents(deps.db, { workflowId: id, limit: 500 }),
  ])
  if (!invoice) return renderList(c, { ok: false, text: `${WORDS[c.var.language].notFound} ${id}`, code: 'NOT_FOUND' }, {}, 404)
  const temporalUrl = temporalWorkflowUrl(deps.config.temporal, id)
  const page = invoicePage(frameOf(c), invoice, {
    events: events.items.map((e) => ({ type: e.type, actor: e.actor, createdAt: e.at })),
    flash,
    temporalUrl,
    sent: options.sent ?? {},
    drift: options.drift ?? null,
  })
  return c.html(page, options.status ?? 200)
}
