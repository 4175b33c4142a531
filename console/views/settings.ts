import { html } from 'hono/html'
import type { SettingChange } from '../../db/read-setting-changes.js'
import { formatDateTime } from '../i18n.js'
import { csrfField, fieldError, hasRole, page, words, type Flash, type Frame, type Html } from './layout.js'

export interface SettingRow {
  key: string
  value: unknown
  isDefault: boolean
  updatedAt: string | null
  updatedBy: string | null
}

/**
 * Every setting with its value; admins change one key at a time (the API validates it by its key).
 * Below, the latest changes the database recorded (who, before, after, when).
 */
export function settingsPage(frame: Frame, rows: SettingRow[], input: { flash: Flash | null; sent: { key: string; value: string } | null; changes: SettingChange[] }): Html {
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
})}</table>
${recentChanges(frame, input.changes)}`,
    input.flash,
  )
}

function recentChanges(frame: Frame, changes: SettingChange[]): Html {
  const t = words(frame)
  // A short list: long values (the seller's details) are cut; the API's history has them whole.
  const shown = (value: unknown) => {
    const text = value === null ? '—' : JSON.stringify(value)
    return text.length > 80 ? `${text.slice(0, 79)}…` : text
  }
  return html`<h2>${t.recentChanges}</h2>${
    changes.length === 0
      ? html`<p class="muted">${t.noSettingChanges}</p>`
      : html`<table class="setting-changes"><tr><th>${t.changeWhen}</th><th>${t.changeWho}</th><th>${t.key}</th><th>${t.changeBeforeAfter}</th></tr>
${changes.map((change) => html`<tr data-setting-change="${change.key}"><td>${formatDateTime(change.changedAt, frame.language)}</td><td>${change.changedBy}</td><td>${change.key}</td><td><code>${shown(change.before)}</code> → <code>${shown(change.after)}</code></td></tr>`)}</table>`
  }`
}
