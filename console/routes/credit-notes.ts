import { Hono } from 'hono'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import { readCreditNote, readCreditNotePdf } from '../../operations/credit-notes/read-credit-note.js'
import { callApi, flashFromQuery, sendInlinePdf, formText, frameOf, redirectDone, refusal, type ConsoleContext, type ConsoleEnv } from '../context.js'
import { WORDS } from '../i18n.js'
import { creditNotePage } from '../views/credit-note.js'
import type { Flash } from '../views/layout.js'
import { temporalWorkflowUrl } from '../../lib/temporal-web.js'

const notePath = (id: string) => `/app/credit-notes/${encodeURIComponent(id)}`

/** A credit note's page, its PDF and its actions (the API's /credit-notes/{id}/{action}). */
export const creditNoteRoutes = new Hono<ConsoleEnv>()

creditNoteRoutes.get('/credit-notes/:id', (c) => renderCreditNote(c, flashFromQuery(c)))

creditNoteRoutes.get('/credit-notes/:id/pdf', async (c) => {
  const pdf = await readCreditNotePdf(c.var.deps.db, c.req.param('id'))
  return sendInlinePdf(c, pdf)
})

creditNoteRoutes.post('/credit-notes/:id/:action{confirm|approve|reject|cancel|retry|skip}', async (c) => {
  const action = c.req.param('action')
  const sent = formText(c)
  const pdfVersion = Number(sent.pdfVersion)
  const bodies: Record<string, Record<string, unknown> | undefined> = {
    confirm: { fingerprint: sent.fingerprint },
    approve: { pdfVersion },
    reject: { pdfVersion, reason: sent.reason },
    cancel: { reason: sent.reason },
    retry: undefined,
    skip: { reason: sent.reason },
  }
  const id = c.req.param('id')
  const answer = await callApi<{ state: string | null }>(c, { method: 'POST', path: `/credit-notes/${encodeURIComponent(id)}/${action}`, body: bodies[action], idempotencyKey: sent.key, waitSeconds: 30 })
  if (answer.ok) return redirectDone(c, notePath(id), answer, `${action}: ${answer.body.state ?? ''}`)
  const { flash, status } = refusal(answer)
  return renderCreditNote(c, flash, status)
})

async function renderCreditNote(c: ConsoleContext, flash: Flash | null, status: ContentfulStatusCode = 200) {
  const { deps } = c.var
  const id = c.req.param('id')!
  const note = await readCreditNote(deps.db, id)
  if (!note) return c.text(`${WORDS[c.var.language].notFound} ${id}`, 404)
  const temporalUrl = temporalWorkflowUrl(deps.config.temporal, id)
  return c.html(creditNotePage(frameOf(c), note, { flash, temporalUrl }), status)
}
