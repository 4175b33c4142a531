import { html, raw } from 'hono/html'
import type { FieldSpec, SentForm } from '../forms.js'
import { formatDateTime } from '../i18n.js'
import { csrfField, fieldError, hasRole, page, words, type Flash, type Frame, type Html } from './layout.js'

/** A kind of rule the console edits through the API's /rate-rules or /category-rules. */
export interface RuleResource {
  path: 'rate-rules' | 'category-rules'
  title: 'rateRules' | 'categoryRules'
  fields: readonly FieldSpec[]
  /** The columns of the list, besides the fields: e.g. the rate rule's scope. */
  extraColumn?: { label: 'scope'; value: (row: Record<string, unknown>) => string }
}

export const RATE_RULES: RuleResource = {
  path: 'rate-rules',
  title: 'rateRules',
  fields: [
    { name: 'dealId', label: 'deal', kind: 'nullable', size: 'mid' },
    { name: 'customerId', label: 'customer', kind: 'nullable', size: 'mid' },
    { name: 'category', label: 'category', kind: 'nullable', size: 'mid' },
    { name: 'rate', label: 'rate', kind: 'text', size: 'mid' },
    { name: 'currency', label: 'currency', kind: 'text', size: 'short' },
    { name: 'validFrom', label: 'validFrom', kind: 'text', size: 'mid' },
    { name: 'validTo', label: 'validTo', kind: 'nullable', size: 'mid' },
    { name: 'note', label: 'note', kind: 'nullable' },
  ],
  extraColumn: { label: 'scope', value: (row) => String(row.scope ?? '') },
}

export const CATEGORY_RULES: RuleResource = {
  path: 'category-rules',
  title: 'categoryRules',
  fields: [
    { name: 'position', label: 'position', kind: 'number', size: 'short' },
    { name: 'category', label: 'category', kind: 'text', size: 'mid' },
    { name: 'issueTypes', label: 'issueTypes', kind: 'list' },
    { name: 'labels', label: 'labels', kind: 'list' },
    { name: 'components', label: 'components', kind: 'list' },
    { name: 'tempoAccounts', label: 'tempoAccounts', kind: 'list' },
    { name: 'projectKeys', label: 'projectKeys', kind: 'list' },
    { name: 'active', label: 'active', kind: 'boolean' },
    { name: 'note', label: 'note', kind: 'nullable' },
  ],
}

function ruleForm(frame: Frame, resource: RuleResource, action: string, values: SentForm, flash: Flash | null, label: string): Html {
  const t = words(frame)
  return html`<form method="post" action="${action}" class="card" data-rule-form>${csrfField(frame)}
${resource.fields.map((f) =>
  f.kind === 'boolean'
    ? html`<label><input type="checkbox" name="${f.name}" value="1" ${values[f.name] ? raw('checked') : ''}> ${t[f.label]}</label>`
    : html`<label>${t[f.label]}${f.kind === 'list' ? html` <span class="muted">(${t.listHint})</span>` : ''} <input name="${f.name}" value="${values[f.name] ?? ''}" ${f.size ? raw(`class="${f.size}"`) : ''} ${f.kind === 'nullable' ? html`placeholder="${t.any}"` : ''}>${fieldError(flash, f.name)}</label>`,
)}
<button>${label}</button></form>`
}

const cell = (value: unknown) => (Array.isArray(value) ? value.join(', ') : value === null || value === undefined ? '' : String(value))

/** The rules in the API's order, with the form to add one (admins). */
export function rulesPage(frame: Frame, resource: RuleResource, rows: Record<string, unknown>[], input: { flash: Flash | null; sent: SentForm | null; nextOffset: number | null }): Html {
  const t = words(frame)
  const admin = hasRole(frame, 'admin')
  const defaults: SentForm = resource.path === 'category-rules' ? { active: '1' } : {}
  return page(
    frame,
    t[resource.title],
    html`<h1>${t[resource.title]}</h1>
${admin ? ruleForm(frame, resource, `/app/${resource.path}`, input.sent ?? defaults, input.flash, t.create) : ''}
<table><tr>${resource.extraColumn ? html`<th>${t[resource.extraColumn.label]}</th>` : ''}${resource.fields.map((f) => html`<th>${t[f.label]}</th>`)}<th>${t.updated}</th></tr>
${rows.map(
  (row) => html`<tr data-rule="${String(row.id)}">${resource.extraColumn ? html`<td>${resource.extraColumn.value(row)}</td>` : ''}${resource.fields.map((f) => html`<td>${f.kind === 'boolean' ? (row[f.name] ? t.yes : t.no) : cell(row[f.name])}</td>`)}
<td class="muted">${formatDateTime(String(row.updatedAt), frame.language)} ${admin ? html`<a href="/app/${resource.path}/${encodeURIComponent(String(row.id))}">${t.edit}</a>` : ''}</td></tr>`,
)}</table>${input.nextOffset ? html`<p><a href="/app/${resource.path}?offset=${input.nextOffset}">→</a></p>` : ''}`,
    input.flash,
  )
}

/** One rule's form to change it, and its delete button. */
export function ruleEditPage(frame: Frame, resource: RuleResource, id: string, values: SentForm, flash: Flash | null): Html {
  const t = words(frame)
  const action = `/app/${resource.path}/${encodeURIComponent(id)}`
  return page(
    frame,
    t[resource.title],
    html`<h1><a href="/app/${resource.path}">${t[resource.title]}</a> · ${t.edit}</h1>
${ruleForm(frame, resource, action, values, flash, t.save)}
<form method="post" action="${action}/delete">${csrfField(frame)}<button>${t.delete}</button></form>`,
    flash,
  )
}
