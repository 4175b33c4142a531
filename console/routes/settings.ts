import { Hono } from 'hono'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import { readSettingChanges } from '../../db/read-setting-changes.js'
import { callApi, flashFromQuery, formText, frameOf, redirectDone, refusal, type ConsoleContext, type ConsoleEnv } from '../context.js'
import type { Flash } from '../views/layout.js'
import { settingsPage, type SettingRow } from '../views/settings.js'

/**
 * Settings: each key saved through PUT /settings/{key}, validated there by the key's own schema;
 * the latest changes of every key below (each key's full history: GET /settings/{key}/history).
 */
export const settingRoutes = new Hono<ConsoleEnv>()

const RECENT_CHANGES = 10

settingRoutes.get('/settings', (c) => renderSettings(c, flashFromQuery(c), null))

settingRoutes.post('/settings/:key', async (c) => {
  const key = c.req.param('key')
  const text = formText(c).value ?? ''
  const answer = await callApi(c, { method: 'PUT', path: `/settings/${encodeURIComponent(key)}`, body: { value: parseValue(text) } })
  if (answer.ok) return redirectDone(c, '/app/settings', answer, `${key} = ${JSON.stringify(answer.body.value)}`)
  const { flash, status } = refusal(answer, (f) => (f.startsWith('body.value') ? 'value' : f))
  return renderSettings(c, flash, { key, value: text }, status)
})

/** JSON when it is JSON (true, 15, [3,10,30], "CN-"), else the text itself (CN-). */
function parseValue(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return text.trim()
  }
}

async function renderSettings(c: ConsoleContext, flash: Flash | null, sent: { key: string; value: string } | null, status: ContentfulStatusCode = 200) {
  const [answer, changes] = await Promise.all([
    callApi<{ items: SettingRow[] }>(c, { method: 'GET', path: '/settings' }),
    readSettingChanges(c.var.deps.db, { limit: RECENT_CHANGES }),
  ])
  return c.html(settingsPage(frameOf(c), answer.ok ? answer.body.items : [], { flash, sent, changes }), status)
}
