import { Hono } from 'hono'
import { deleteCookie, getCookie, setCookie } from 'hono/cookie'
import { hashToken } from '../api/auth.js'
import type { CallApi } from './api-client.js'
import { frameOf, type ConsoleEnv } from './context.js'
import { pickLanguage, WORDS } from './i18n.js'
import { billingRunRoutes } from './routes/billing-runs.js'
import { creditNoteRoutes } from './routes/credit-notes.js'
import { invoiceRoutes } from './routes/invoices.js'
import { ruleRoutes } from './routes/rules.js'
import { settingRoutes } from './routes/settings.js'
import { checkCsrf, readSession, SESSION_COOKIE, SESSION_TTL_MS, sessionKey, signSession } from './session.js'
import { loginPage } from './views/login.js'

/**
 * The finance console under /app (docs/console.md): sign-in with a token for a session cookie,
 * then pages for invoices, credit notes, billing runs, rules and settings, in English, Russian or
 * Uzbek. Every change goes through the API's own routes (`api`), so it is validated, authorised
 * and refused exactly as for a JSON client; a refusal is shown as a sentence.
 */
export function createConsoleRouter(api: CallApi): Hono<ConsoleEnv> {
  const app = new Hono<ConsoleEnv>()

  app.use('*', async (c, next) => {
    const asked = c.req.query('lang')
    if (asked) setCookie(c, 'lang', pickLanguage(asked), { path: '/app', sameSite: 'Strict', httpOnly: true, maxAge: 365 * 86_400 })
    c.set('language', pickLanguage(asked ?? getCookie(c, 'lang')))
    c.set('key', sessionKey(c.var.deps.config.apiTokens))
    c.set('api', api)
    await next()
  })

  app.get('/login', (c) => c.html(loginPage(frameOf(c, null), null)))
  app.post('/login', async (c) => {
    const body = await c.req.parseBody()
    const user = typeof body.token === 'string' ? c.var.tokens.get(hashToken(body.token.trim())) : undefined
    if (!user) return c.html(loginPage(frameOf(c, null), WORDS[c.var.language].badToken), 401)
    setCookie(c, SESSION_COOKIE, signSession(c.var.key, user), { path: '/app', httpOnly: true, sameSite: 'Strict', maxAge: SESSION_TTL_MS / 1000, secure: c.req.url.startsWith('https:') })
    return c.redirect('/app', 303)
  })

  // Everything else needs a session; every POST a CSRF token bound to it.
  app.use('*', async (c, next) => {
    const session = readSession(c.var.key, getCookie(c, SESSION_COOKIE))
    if (!session) return c.redirect('/app/login', 303)
    c.set('session', session)
    c.set('form', {})
    if (c.req.method === 'POST') {
      const body = await c.req.parseBody()
      if (!checkCsrf(c.var.key, session, body.csrf)) return c.text('The form expired or did not come from this console: reload the page and try again.', 403)
      c.set('form', body)
    }
    await next()
  })

  app.post('/logout', (c) => {
    deleteCookie(c, SESSION_COOKIE, { path: '/app' })
    return c.redirect('/app/login', 303)
  })

  app.route('/', invoiceRoutes)
  app.route('/', creditNoteRoutes)
  app.route('/', billingRunRoutes)
  app.route('/', ruleRoutes)
  app.route('/', settingRoutes)
  return app
}
