import { Hono } from 'hono'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import type { z } from 'zod'
import type { BillingRunPageSchema, BillingRunSchema } from '../../operations/billing-runs/billing-run-schemas.js'
import { callApi, flashFromQuery, formText, frameOf, redirectDone, refusal, type ConsoleContext, type ConsoleEnv } from '../context.js'
import { listFromText } from '../forms.js'
import { billingRunPage, billingRunsPage } from '../views/billing-runs.js'
import type { Flash } from '../views/layout.js'

/** Month-end billing runs: start one, watch its progress, open the invoices it started. */
export const billingRunRoutes = new Hono<ConsoleEnv>()

billingRunRoutes.get('/billing-runs', (c) => renderRuns(c, flashFromQuery(c), {}))

billingRunRoutes.post('/billing-runs', async (c) => {
  const sent = formText(c)
  const dealIds = listFromText(sent.dealIds)
  const concurrency = sent.concurrency?.trim()
  const body = { period: sent.period?.trim(), ...(dealIds.length ? { dealIds } : {}), ...(concurrency ? { concurrency: Number.isFinite(Number(concurrency)) ? Number(concurrency) : concurrency } : {}) }
  const answer = await callApi<{ id: string; href?: string }>(c, { method: 'POST', path: '/billing-runs', body })
  if (answer.ok) return redirectDone(c, `/app/billing-runs/${encodeURIComponent(answer.body.id)}`, { ...answer, status: 200 }, String(body.period))
  const { flash, status } = refusal(answer, (f) => f.replace(/^body\.dealIds\.\d+$/, 'body.dealIds'))
  return renderRuns(c, flash, sent, status)
})

billingRunRoutes.get('/billing-runs/:id', async (c) => {
  const answer = await callApi<z.infer<typeof BillingRunSchema>>(c, { method: 'GET', path: `/billing-runs/${encodeURIComponent(c.req.param('id'))}` })
  if (!answer.ok) return renderRuns(c, refusal(answer).flash, {}, 404)
  return c.html(billingRunPage(frameOf(c), answer.body, flashFromQuery(c)))
})

async function renderRuns(c: ConsoleContext, flash: Flash | null, sent: Record<string, string>, status: ContentfulStatusCode = 200) {
  const cursor = c.req.query('cursor')
  const answer = await callApi<z.infer<typeof BillingRunPageSchema>>(c, { method: 'GET', path: `/billing-runs?limit=50${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}` })
  const runs = answer.ok ? answer.body : { items: [], nextCursor: null }
  return c.html(billingRunsPage(frameOf(c), runs, { flash: flash ?? (answer.ok ? null : refusal(answer).flash), sent }), status)
}
