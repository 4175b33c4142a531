import { html } from 'hono/html'
import type { InvoiceSummary } from '../../operations/invoices/list-invoice-runs.js'
import { formatMoney } from '../i18n.js'
import { csrfField, hasRole, page, textField, words, type Flash, type Frame, type Html } from './layout.js'

export type ListRow = Pick<InvoiceSummary, 'id' | 'state' | 'customerId' | 'dealId' | 'period' | 'number' | 'total' | 'currency' | 'nextActor'>

/** The "waiting for me" tabs: who acts next, and the role that acts for them. */
export const MINE_TABS = [
  { actor: 'accountant', role: 'accountant' },
  { actor: 'approver', role: 'approver' },
  { actor: 'operator', role: 'admin' },
  { actor: 'finance', role: 'accountant' },
] as const
export type MineActor = (typeof MINE_TABS)[number]['actor']

export interface ListInput {
  rows: ListRow[]
  /** Open invoices per state. */
  counts: Record<string, number>
  /** Open invoices waiting for each tab the user has. */
  mineCounts: Partial<Record<MineActor, number>>
  filters: Record<string, string>
  mine: MineActor | null
  nextCursor: string | null
  flash: Flash | null
  sent: Record<string, string>
}

export function listPage(frame: Frame, input: ListInput): Html {
  const t = words(frame)
  const { filters } = input
  const field = (name: string, label: string) => html`<label>${label} <input name="${name}" value="${filters[name] ?? ''}" size="12"></label> `
  const tabs = MINE_TABS.filter((tab) => hasRole(frame, tab.role))
  const next = new URLSearchParams({ ...filters, ...(input.mine ? { mine: input.mine } : {}), ...(input.nextCursor ? { cursor: input.nextCursor } : {}) })
  return page(
    frame,
    t.invoices,
    html`<h1>${input.mine ? html`${t.waitingForMe}: ${t[`mine_${input.mine}`]}` : t.invoices}</h1>
<p class="counts"><strong>${t.waitingForMe}:</strong> ${tabs.map((tab) => html`<a href="/app?mine=${tab.actor}">${t[`mine_${tab.actor}`]} (${input.mineCounts[tab.actor] ?? 0})</a>`)}
· <a href="/app">${t.all}</a> ${Object.entries(input.counts).map(([state, count]) => html`<a href="/app?state=${state}">${state} (${count})</a>`)}</p>
${
  hasRole(frame, 'accountant')
    ? html`<form method="post" action="/app/invoices" class="card">${csrfField(frame)}<strong>${t.startInvoice}</strong> ${textField(input.flash, 'dealId', t.deal, input.sent.dealId, { size: 'mid', required: true })} ${textField(input.flash, 'period', t.period, input.sent.period, { size: 'mid', required: true, placeholder: t.periodHint })}<button>${t.start}</button></form>`
    : ''
}
<form method="get" action="/app">${field('state', t.state)}${field('customerId', t.customer)}${field('dealId', t.deal)}${field('period', t.period)}${field('number', t.number)}<button>${t.filter}</button></form>
${
  input.rows.length === 0
    ? html`<p>${t.noInvoices}</p>`
    : html`<table><tr><th>${t.number}</th><th>${t.deal}</th><th>${t.period}</th><th>${t.customer}</th><th>${t.state}</th><th>${t.nextActor}</th><th class="num">${t.total}</th></tr>
${input.rows.map(
  (r) => html`<tr><td><a href="/app/invoices/${encodeURIComponent(r.id)}">${r.number ?? r.id}</a></td><td>${r.dealId}</td><td>${r.period}</td><td>${r.customerId ?? ''}</td><td>${r.state}</td><td>${r.nextActor ?? ''}</td><td class="num">${formatMoney(r.total, r.currency, frame.language)}</td></tr>`,
)}</table>${input.nextCursor ? html`<p><a href="/app?${next.toString()}">→</a></p>` : ''}`
}`,
    input.flash,
  )
}
