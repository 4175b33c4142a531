import { html } from 'hono/html'
import { formatDateTime } from '../i18n.js'
import { csrfField, fieldError, hasRole, page, words, type Flash, type Frame, type Html } from './layout.js'

export interface SettingRow {
  key: string
  value: unknown
  isDefault: boolean
  updatedAt: string | null
  updatedBy: string | null
}

/** Every setting with its value; admins change one key at a time (the API validates it by its key). */
export function settingsPage(frame: Frame, rows: SettingRow[], input: { flash: Flash | null; sent: { key: string; value: string } | null }): Html {
  const t = words(frame)
  const admin = hasRole(frame, 'admin')
  return page(
    frame,
    t.settings,
    html`<h1>${t.settings}</h1><p class="muted">${t.valueHint}</p>
<table><tr><th>${t.key}</th><th>${t.value}</th><th>${t.updated}</th></tr>
${rows.map((row) => {
  const isObject = typeof row.value === 'object' && row.value !== null && !Array.isArray(row.value)
  const shown = input.sent?.key === row.key ? input.sent.value : JSON.stringify(row.value, null, isObject ? 2 : undefined)
  return html`<tr data-setting="${row.key}"><td>${row.key}</td><td>${
    admin
      ? html`<form method="post" action="/app/settings/${encodeURIComponent(row.key)}">${csrfField(frame)}${isObject ? html`<textarea name="value" rows="${Math.min(14, shown.split('\n').length)}" cols="60" aria-label="${row.key}">${shown}</textarea>` : html`<input name="value" value="${shown}" size="40" aria-label="${row.key}">`} <button>${t.save}</button>${input.sent?.key === row.key ? fieldError(input.flash, 'value') : ''}</form>`
      : html`<code>${shown}</code>`
  }</td><td class="muted">${row.isDefault ? t.isDefault : html`${row.updatedBy ?? ''} ${formatDateTime(row.updatedAt, frame.language)}`}</td></tr>`
})}</table>`,
    input.flash,
  )
}
