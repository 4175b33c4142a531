import { Hono, type Context } from 'hono'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import { deleteCookie, getCookie, setCookie } from 'hono/cookie'
import { ACTION_ROLES } from '../api/action-roles.js'
import { hashToken, type Role } from '../api/auth.js'
import type { AppEnv } from '../api/context.js'
import { statusOf } from '../api/errors.js'
import { actOnInvoice, type ActionRequest } from '../operations/invoices/act-on-invoice.js'
import { listInvoiceRuns } from '../operations/invoices/list-invoice-runs.js'
import { readInvoiceEvents } from '../operations/invoices/read-invoice-events.js'
import { readInvoicePdf } from '../operations/invoices/read-invoice-pdf.js'
import { latestRun, readInvoice } from '../operations/invoices/read-invoice.js'
import { OperationError } from '../operations/operation-error.js'
import { INVOICE_STATES, type InvoiceState } from '../workflows/invoice-contract.js'
import { pickLanguage, WORDS, type ConsoleLanguage } from './i18n.js'
import { invoicePage, listPage, loginPage, type Flash, type Frame } from './pages.js'
import { checkCsrf, csrfFor, readSession, SESSION_COOKIE, SESSION_TTL_MS, sessionKey, signSession, type Session } from './session.js'

type ConsoleEnv = AppEnv & { Variables: AppEnv['Variables'] & { session: Session; language: ConsoleLanguage; key: Buffer } }

/** The "waiting for me" view: the next actor each role works for. */
const MINE: Record<Role, string | null> = { viewer: null, accountant: 'accountant', approver: 'approver', admin: 'operator' }

/**
 * The finance console under /app (docs/console.md): sign-in with a token for a session cookie,
 * the invoice list and an invoice's page with the actions its state and the user's roles allow,
 * in English or Russian. It calls the API's operations; a refusal is shown as a sentence.
 */
export function createConsoleRouter(): Hono<ConsoleEnv> {
  const app = new Hono<ConsoleEnv>()

  app.use('*', async (c, next) => {
    const asked = c.req.query('lang')
    if (asked) setCookie(c, 'lang', pickLanguage(asked), { path: '/app', sameSite: 'Strict', httpOnly: true })
    c.set('language', pickLanguage(asked ?? getCookie(c, 'lang')))
    c.set('key', sessionKey(c.var.deps.config.apiTokens))
    await next()
  })

  app.get('/login', (c) => c.html(loginPage(frame(c, null), null)))
  app.post('/login', async (c) => {
    const body = await c.req.parseBody()
    const user = typeof body.token === 'string' ? c.var.tokens.get(hashToken(body.token.trim())) : undefined
    if (!user) return c.html(loginPage(frame(c, null), WORDS[c.var.language].badToken), 401)
    setCookie(c, SESSION_COOKIE, signSession(c.var.key, user), { path: '/app', httpOnly: true, sameSite: 'Strict', maxAge: SESSION_TTL_MS / 1000, secure: c.req.url.startsWith('https:') })
    return c.redirect('/app', 303)
  })

  // Everything else needs a session; every POST a CSRF token bound to it.
  app.use('*', async (c, next) => {
    const session = readSession(c.var.key, getCookie(c, SESSION_COOKIE))
    if (!session) return c.redirect('/app/login', 303)
    c.set('session', session)
    if (c.req.method === 'POST') {
      const body = await c.req.parseBody()
      if (!checkCsrf(c.var.key, session, body.csrf)) return c.text('The form expired or did not come from this console: reload the page and try again.', 403)
    }
    await next()
  })

  app.post('/logout', (c) => {
    deleteCookie(c, SESSION_COOKIE, { path: '/app' })
    return c.redirect('/app/login', 303)
  })

  app.get('/', async (c) => {
    const { db } = c.var.deps
    const query = c.req.query()
    const filters: Record<string, string> = {}
    for (const key of ['state', 'customerId', 'dealId', 'period', 'number']) if (query[key]) filters[key] = query[key]!
    const mine = query.mine === '1'
    const nextActor = mine ? (c.var.session.user.roles.map((r) => MINE[r]).find(Boolean) ?? undefined) : undefined
    const state = INVOICE_STATES.includes(filters.state as InvoiceState) ? (filters.state as InvoiceState) : undefined
    const page = await listInvoiceRuns(db, { filters: { ...filters, state, ...(nextActor ? { nextActor: nextActor as never } : {}) } as never, limit: 100 })
    const grouped = await db.invoiceRun.groupBy({ by: ['state'], _count: { _all: true }, where: { closedAt: null } })
    const counts = Object.fromEntries(grouped.map((g) => [g.state, g._count._all]))
    return c.html(listPage(frame(c, c.var.session), { rows: page.items, counts, filters, mine }))
  })

  app.get('/invoices/:id', async (c) => renderInvoice(c, flashFrom(c)))

  app.get('/invoices/:id/pdf', async (c) => {
    const run = await latestRun(c.var.deps.db, c.req.param('id'))
    const pdf = run ? await readInvoicePdf(c.var.deps.db, { runId: run.workflowRunId }) : null
    if (!pdf) return c.text('no PDF yet', 404)
    c.header('Content-Type', 'application/pdf')
    c.header('Content-Disposition', `inline; filename="${pdf.fileName}"`)
    return c.body(new Uint8Array(pdf.bytes), 200)
  })

  app.post('/invoices/:id/:action', async (c) => {
    const action = c.req.param('action')
    const roles: readonly Role[] | undefined = ACTION_ROLES[action as keyof typeof ACTION_ROLES]
    const { user } = c.var.session
    if (!roles) return c.text(`no action ${action}`, 404)
    if (!user.roles.some((r) => roles.includes(r))) return renderInvoice(c, { ok: false, text: `${action} needs the role ${roles.join(' or ')}`, code: 'FORBIDDEN' }, 403)
    const body = await c.req.parseBody({ all: true })
    const text = (name: string) => (typeof body[name] === 'string' ? (body[name] as string) : '')
    const drop = ([] as unknown[]).concat(body.drop ?? []).filter((v): v is string => typeof v === 'string')
    const requests: Record<string, () => ActionRequest> = {
      confirm: () => ({ action: 'confirm', fingerprint: text('fingerprint'), ...(drop.length ? { edits: { dropLineIds: drop } } : {}) }),
      refresh: () => ({ action: 'refresh' }),
      approve: () => ({ action: 'approve', pdfVersion: Number(text('pdfVersion')) }),
      reject: () => ({ action: 'reject', pdfVersion: Number(text('pdfVersion')), reason: text('reason') }),
      cancel: () => ({ action: 'cancel', reason: text('reason') }),
      retry: () => ({ action: 'retry' }),
      skip: () => ({ action: 'skip', reason: text('reason') }),
    }
    try {
      const result = await actOnInvoice({ client: c.var.deps.temporal, db: c.var.deps.db, workflowId: c.req.param('id'), request: requests[action]!(), actor: user.id, waitMs: c.var.deps.actionWaitMs })
      return c.redirect(`/app/invoices/${encodeURIComponent(c.req.param('id'))}?done=${encodeURIComponent(`${action}: ${result.state ?? ''}`)}`, 303)
    } catch (err) {
      if (!(err instanceof OperationError)) throw err
      return renderInvoice(c, { ok: false, text: err.message, code: err.code }, statusOf(err))
    }
  })

  return app
}

async function renderInvoice(c: Context<ConsoleEnv>, flash: Flash | null, status: ContentfulStatusCode = 200) {
  const { deps } = c.var
  const id = c.req.param('id')!
  const invoice = await readInvoice({ client: deps.temporal, db: deps.db, workflowId: id, timeoutMs: deps.queryTimeoutMs })
  if (!invoice) return c.html(listPage(frame(c, c.var.session), { rows: [], counts: {}, filters: {}, mine: false }), 404)
  const events = await readInvoiceEvents(deps.db, { workflowId: id, limit: 200 })
  const temporalUrl = `${deps.config.temporal.uiUrl}/namespaces/${deps.config.temporal.namespace}/workflows/${encodeURIComponent(id)}`
  return c.html(invoicePage(frame(c, c.var.session), invoice, { events: events.items.map((e) => ({ type: e.type, actor: e.actor, createdAt: e.at })), flash, temporalUrl }), status)
}

function flashFrom(c: Context<ConsoleEnv>): Flash | null {
  const done = c.req.query('done')
  return done ? { ok: true, text: done } : null
}

function frame(c: Context<ConsoleEnv>, session: Session | null): Frame {
  return { language: c.var.language, user: session?.user ?? null, csrf: session ? csrfFor(c.var.key, session) : null }
}
