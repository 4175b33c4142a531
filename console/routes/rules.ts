import { Hono } from 'hono'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import { callApi, flashFromQuery, formText, frameOf, redirectDone, refusal, type ConsoleContext, type ConsoleEnv } from '../context.js'
import { bodyFromForm, formFromRecord, type SentForm } from '../forms.js'
import type { Flash } from '../views/layout.js'
import { CATEGORY_RULES, RATE_RULES, ruleEditPage, rulesPage, type RuleResource } from '../views/rules.js'

/**
 * Rate rules and category rules: list, add, change, delete, each through the API's own route,
 * so a refusal (an overlap, a taken position, a bad rate) reads as the API's, next to its field.
 */
export const ruleRoutes = new Hono<ConsoleEnv>()

for (const resource of [RATE_RULES, CATEGORY_RULES]) {
  const list = `/app/${resource.path}`
  ruleRoutes.get(`/${resource.path}`, (c) => renderRules(c, resource, flashFromQuery(c), null))
  ruleRoutes.post(`/${resource.path}`, async (c) => {
    const sent = formText(c)
    const answer = await callApi(c, { method: 'POST', path: `/${resource.path}`, body: bodyFromForm(sent, resource.fields) })
    if (answer.ok) return redirectDone(c, list, answer, String(answer.body.id))
    const { flash, status } = refusal(answer)
    return renderRules(c, resource, flash, sent, status)
  })
  ruleRoutes.get(`/${resource.path}/:id`, async (c) => {
    const answer = await callApi(c, { method: 'GET', path: `/${resource.path}/${encodeURIComponent(c.req.param('id'))}` })
    if (!answer.ok) return renderRules(c, resource, refusal(answer).flash, null, 404)
    return c.html(ruleEditPage(frameOf(c), resource, c.req.param('id'), formFromRecord(answer.body, resource.fields), flashFromQuery(c)))
  })
  ruleRoutes.post(`/${resource.path}/:id`, async (c) => {
    const sent = formText(c)
    const id = c.req.param('id')
    const answer = await callApi(c, { method: 'PUT', path: `/${resource.path}/${encodeURIComponent(id)}`, body: bodyFromForm(sent, resource.fields) })
    if (answer.ok) return redirectDone(c, list, answer, id)
    const { flash, status } = refusal(answer)
    return c.html(ruleEditPage(frameOf(c), resource, id, sent, flash), status)
  })
  ruleRoutes.post(`/${resource.path}/:id/delete`, async (c) => {
    const id = c.req.param('id')
    const answer = await callApi(c, { method: 'DELETE', path: `/${resource.path}/${encodeURIComponent(id)}` })
    if (answer.ok) return redirectDone(c, list, answer, `${id} deleted`)
    return renderRules(c, resource, refusal(answer).flash, null, refusal(answer).status)
  })
}

async function renderRules(c: ConsoleContext, resource: RuleResource, flash: Flash | null, sent: SentForm | null, status: ContentfulStatusCode = 200) {
  // Rate rules come a page at a time (the API's limit); category rules all at once.
  const offset = Math.max(0, Math.floor(Number(c.req.query('offset')) || 0))
  const query = resource.path === 'rate-rules' ? `?limit=100&offset=${offset}` : ''
  const answer = await callApi<{ items: Record<string, unknown>[]; nextOffset?: number | null }>(c, { method: 'GET', path: `/${resource.path}${query}` })
  const shown = flash ?? (answer.ok ? null : refusal(answer).flash)
  return c.html(rulesPage(frameOf(c), resource, answer.ok ? answer.body.items : [], { flash: shown, sent, nextOffset: answer.ok ? (answer.body.nextOffset ?? null) : null }), status)
}
