import type { Context } from 'hono'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import type { AppEnv } from '../api/context.js'
import { problemOf, type ApiAnswer, type ApiCall, type CallApi } from './api-client.js'
import { WORDS, type ConsoleLanguage } from './i18n.js'
import { csrfFor, type Session } from './session.js'
import type { Flash, Frame } from './views/layout.js'

export type ConsoleEnv = AppEnv & { Variables: AppEnv['Variables'] & { session: Session; language: ConsoleLanguage; key: Buffer; api: CallApi; form: Record<string, unknown> } }
export type ConsoleContext = Context<ConsoleEnv>

export function frameOf(c: ConsoleContext, session: Session | null = c.var.session ?? null): Frame {
  return { language: c.var.language, user: session?.user ?? null, csrf: session ? csrfFor(c.var.key, session) : null, path: c.req.path + (new URL(c.req.url).search || '') }
}

/** A call to the API as the signed-in user. */
export function callApi<T = Record<string, unknown>>(c: ConsoleContext, call: Omit<ApiCall, 'user'>): Promise<ApiAnswer<T>> {
  return c.var.api<T>({ ...call, user: c.var.session.user })
}

/** The form's text fields (parsed once by the CSRF check). */
export function formText(c: ConsoleContext): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(c.var.form)) if (typeof v === 'string' && k !== 'csrf') out[k] = v
  return out
}

/** The flash a redirect carries: ?done=… for a done action, ?accepted=1 for one still running. */
export function flashFromQuery(c: ConsoleContext): Flash | null {
  const done = c.req.query('done')
  if (done) return { ok: true, text: done }
  if (c.req.query('accepted')) return { ok: true, text: WORDS[c.var.language].accepted }
  return null
}

/** Redirects to `to` with the outcome in the query: done, or accepted when the API answered 202. */
export function redirectDone(c: ConsoleContext, to: string, answer: ApiAnswer<unknown>, text: string): Response {
  const separator = to.includes('?') ? '&' : '?'
  return c.redirect(answer.status === 202 ? `${to}${separator}accepted=1` : `${to}${separator}done=${encodeURIComponent(text)}`, 303)
}

/** The refusal as the page shows it, with the API's issues renamed to the form's inputs. */
export function refusal(answer: ApiAnswer<unknown>, rename: (field: string) => string = (f) => f): { flash: Flash; status: ContentfulStatusCode } {
  const problem = problemOf(answer)
  const issues = problem.issues?.map((i) => ({ field: rename(i.field), problem: i.problem }))
  return { flash: { ok: false, text: problem.message, code: problem.code, ...(issues ? { issues } : {}) }, status: answer.status as ContentfulStatusCode }
}

/** A PDF shown in the page (an iframe, a link), not downloaded; 404 while there is none. */
export function sendInlinePdf(c: ConsoleContext, pdf: { fileName: string; bytes: Uint8Array } | null): Response {
  if (!pdf) return c.text('no PDF yet', 404)
  c.header('Content-Type', 'application/pdf')
  c.header('Content-Disposition', `inline; filename="${pdf.fileName}"`)
  return c.body(new Uint8Array(pdf.bytes), 200)
}
