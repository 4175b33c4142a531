import { html, raw } from 'hono/html'
import type { HtmlEscapedString } from 'hono/utils/html'
import type { InvoiceSummary } from '../operations/invoices/list-invoice-runs.js'
import type { InvoiceDetails } from '../operations/invoices/read-invoice.js'
import { formatMoney, NEXT_STEP, WORDS, type ConsoleLanguage } from './i18n.js'

/**
 * The console's pages, server-rendered with Hono's `html` (every value escaped), no script and
 * nothing fetched from elsewhere: they work offline. No business rule here: the pages show what
 * the operations answer and post forms back to the same operations.
 */

type Html = HtmlEscapedString | Promise<HtmlEscapedString>

const STYLE = raw(`
body{font:14px/1.45 system-ui,sans-serif;margin:0;color:#1d2433;background:#f6f7f9}
header{background:#1d2433;color:#fff;padding:10px 20px;display:flex;gap:16px;align-items:center}
header a{color:#fff} main{padding:16px 20px;max-width:1200px}
table{border-collapse:collapse;width:100%;background:#fff} th,td{padding:6px 8px;border-bottom:1px solid #e3e6eb;text-align:left;vertical-align:top}
td.num,th.num{text-align:right;white-space:nowrap} .muted{color:#6b7280;font-size:12px}
.flash{padding:10px 12px;margin:10px 0;border-radius:4px} .ok{background:#e7f6ec} .bad{background:#fdecec}
.counts a{margin-right:10px} form.inline{display:inline} .card{background:#fff;padding:12px;margin:12px 0;border:1px solid #e3e6eb}
button{padding:5px 10px} input,select{padding:4px}
`)

export interface Frame {
  language: ConsoleLanguage
  user: { id: string; roles: string[] } | null
  csrf: string | null
}

export function page(frame: Frame, title: string, body: Html): Html {
  const t = WORDS[frame.language]
  return html`<!DOCTYPE html>
<html lang="${frame.language}"><head><meta charset="utf-8"><title>${title} · ${t.title}</title><style>${STYLE}</style></head>
<body><header><strong>${t.title}</strong><a href="/app">${t.invoices}</a>
<span style="flex:1"></span>
<a href="?lang=en">EN</a> <a href="?lang=ru">RU</a>
${frame.user ? html`<span>${frame.user.id} (${frame.user.roles.join(', ')})</span><form class="inline" method="post" action="/app/logout"><input type="hidden" name="csrf" value="${frame.csrf ?? ''}"><button>${t.signOut}</button></form>` : ''}
</header><main>${body}</main></body></html>`
}

export function loginPage(frame: Frame, problem: string | null): Html {
  const t = WORDS[frame.language]
  return page(
    frame,
    t.signIn,
    html`<h1>${t.signIn}</h1>${problem ? html`<p class="flash bad">${problem}</p>` : ''}
<form method="post" action="/app/login"><label>${t.token} <input type="password" name="token" autocomplete="current-password" required></label> <button>${t.signIn}</button></form>`,
  )
}

export type ListRow = Pick<InvoiceSummary, 'id' | 'state' | 'customerId' | 'dealId' | 'period' | 'number' | 'total' | 'currency' | 'nextActor'>

export function listPage(frame: Frame, input: { rows: ListRow[]; counts: Record<string, number>; filters: Record<string, string>; mine: boolean }): Html {
  const t = WORDS[frame.language]
  const { filters } = input
  const field = (name: string, label: string) => html`<label>${label} <input name="${name}" value="${filters[name] ?? ''}" size="12"></label> `
  return page(
    frame,
    t.invoices,
    html`<h1>${t.invoices}</h1>
<p class="counts"><a href="/app?mine=1"><strong>${t.waitingForMe}</strong></a> <a href="/app">${t.all}</a>
${Object.entries(input.counts).map(([state, count]) => html`<a href="/app?state=${state}">${state} (${count})</a>`)}</p>
<form method="get" action="/app">${field('state', t.state)}${field('customerId', t.customer)}${field('dealId', t.deal)}${field('period', t.period)}${field('number', t.number)}<button>${t.filter}</button></form>
${
  input.rows.length === 0
    ? html`<p>${t.noInvoices}</p>`
    : html`<table><tr><th>${t.number}</th><th>${t.deal}</th><th>${t.period}</th><th>${t.customer}</th><th>${t.state}</th><th>${t.nextActor}</th><th class="num">${t.total}</th></tr>
${input.rows.map(
  (r) => html`<tr><td><a href="/app/invoices/${encodeURIComponent(r.id)}">${r.number ?? r.id}</a></td><td>${r.dealId}</td><td>${r.period}</td><td>${r.customerId ?? ''}</td><td>${r.state}</td><td>${r.nextActor ?? ''}</td><td class="num">${formatMoney(r.total, r.currency, frame.language)}</td></tr>`,
)}</table>`
}`,
  )
}

export interface Flash {
  ok: boolean
  text: string
  code?: string
}

export function invoicePage(frame: Frame, invoice: InvoiceDetails, extra: { events: { type: string; actor: string; createdAt: string }[]; flash: Flash | null; temporalUrl: string }): Html {
  const t = WORDS[frame.language]
  const preview = invoice.preview
  const money = (v: string | null | undefined) => formatMoney(v, preview?.currency, frame.language)
  const base = `/app/invoices/${encodeURIComponent(invoice.id)}`
  const roles = frame.user?.roles ?? []
  const can = (action: string, ...needed: string[]) => invoice.allowedActions.includes(action as never) && needed.some((r) => roles.includes(r) || roles.includes('admin'))
  const hidden = html`<input type="hidden" name="csrf" value="${frame.csrf ?? ''}">`
  const nextStep = extra.flash?.code ? NEXT_STEP[frame.language][extra.flash.code] : undefined
  return page(
    frame,
    invoice.invoiceNumber ?? invoice.id,
    html`<h1>${invoice.invoiceNumber ?? invoice.id} <span class="muted">${invoice.state}</span></h1>
${extra.flash ? html`<p class="flash ${extra.flash.ok ? 'ok' : 'bad'}">${extra.flash.ok ? t.done : t.refused}: ${extra.flash.text}${nextStep ? html`<br><strong>${nextStep}</strong>` : ''}</p>` : ''}
<p>${t.deal} ${invoice.dealId} · ${t.period} ${invoice.period} · ${t.customer} ${invoice.customerId ?? ''} · <a href="${extra.temporalUrl}">${t.temporal}</a></p>
${invoice.attention ? html`<p class="flash bad">${t.attention}: ${invoice.attention.step}: ${invoice.attention.reason}</p>` : ''}
${invoice.balance ? html`<p>${t.total} ${money(invoice.balance.total)} · ${t.credited} ${money(invoice.balance.credited)} · ${t.paid} ${money(invoice.balance.paid)} · <strong>${t.balance} ${money(invoice.balance.due)}</strong></p>` : ''}
${
  preview
    ? html`<form method="post" action="${base}/confirm">${hidden}<input type="hidden" name="fingerprint" value="${preview.sourceFingerprint}">
<h2>${t.lines}</h2><table><tr><th>${t.description}</th><th class="num">${t.quantity}</th><th class="num">${t.rate}</th><th class="num">${t.amount}</th>${can('confirm', 'accountant') ? html`<th>${t.drop}</th>` : ''}</tr>
${preview.lines.map(
  (l) => html`<tr><td>${l.description}<div class="muted">${l.explanation}</div></td><td class="num">${l.quantity} ${l.unit}</td><td class="num">${money(l.rate)}</td><td class="num">${money(l.amount)}</td>${can('confirm', 'accountant') ? html`<td><input type="checkbox" name="drop" value="${l.lineId}"></td>` : ''}</tr>`,
)}
<tr><td colspan="3" class="num">${t.subtotal}</td><td class="num">${money(preview.subtotal)}</td></tr>
<tr><td colspan="3" class="num">${t.vat} ${preview.vatRate}%</td><td class="num">${money(preview.vatAmount)}</td></tr>
<tr><td colspan="3" class="num"><strong>${t.total}</strong></td><td class="num"><strong>${money(preview.total)}</strong></td></tr></table>
${preview.warnings.length ? html`<h3>${t.warnings}</h3><ul>${preview.warnings.map((w) => html`<li>${w.code}: ${w.message}</li>`)}</ul>` : ''}
${preview.errors.length ? html`<h3>${t.errors}</h3><ul>${preview.errors.map((e) => html`<li>${e.code}: ${e.message}</li>`)}</ul>` : ''}
${can('confirm', 'accountant') ? html`<p><button>${t.confirm}</button></p>` : ''}</form>`
    : ''
}
<div class="card"><h2>${t.actions}</h2>
${can('refresh', 'accountant') ? html`<form class="inline" method="post" action="${base}/refresh">${hidden}<button>${t.refresh}</button></form> ` : ''}
${invoice.pdfVersion ? html`<p><a href="${base}/pdf">${t.pdf} v${invoice.pdfVersion}</a></p>` : ''}
${
  can('approve', 'approver')
    ? html`<iframe src="${base}/pdf" title="PDF" style="width:100%;height:480px;border:1px solid #ccc"></iframe>
<form class="inline" method="post" action="${base}/approve">${hidden}<input type="hidden" name="pdfVersion" value="${invoice.pdfVersion ?? ''}"><button>${t.approve}</button></form>
<form class="inline" method="post" action="${base}/reject">${hidden}<input type="hidden" name="pdfVersion" value="${invoice.pdfVersion ?? ''}"><input name="reason" placeholder="${t.reason}" required><button>${t.reject}</button></form>`
    : ''
}
${can('retry', 'admin') ? html`<form class="inline" method="post" action="${base}/retry">${hidden}<button>${t.retry}</button></form> ` : ''}
${can('skip', 'admin') ? html`<form class="inline" method="post" action="${base}/skip">${hidden}<input name="reason" placeholder="${t.reason}" required><button>${t.skip}</button></form> ` : ''}
${can('cancel', 'accountant', 'approver') ? html`<form class="inline" method="post" action="${base}/cancel">${hidden}<input name="reason" placeholder="${t.reason}" required><button>${t.cancel}</button></form>` : ''}
</div>
${
  Object.keys(invoice.dispatch ?? {}).length
    ? html`<h2>${t.dispatch}</h2><table>${Object.entries(invoice.dispatch ?? {}).map(([system, d]) => html`<tr><td>${system}</td><td>${d.status}</td><td>${d.externalId ?? ''}</td><td class="muted">${d.detail ?? ''}</td></tr>`)}</table>`
    : ''
}
${invoice.creditNotes.length ? html`<h2>${t.creditNotes}</h2><table>${invoice.creditNotes.map((c) => html`<tr><td>${c.number ?? c.id}</td><td>${c.state}</td><td class="num">${money(c.total)}</td><td>${c.reason}</td></tr>`)}</table>` : ''}
${invoice.payments.length ? html`<h2>${t.payments}</h2><table>${invoice.payments.map((p) => html`<tr><td>${p.paidOn}</td><td>${p.source}</td><td class="num">${money(p.amount)}</td><td>${p.counted ? '' : '='}</td></tr>`)}</table>` : ''}
<h2>${t.events}</h2><table>${extra.events.map((e) => html`<tr><td class="muted">${e.createdAt}</td><td>${e.type}</td><td>${e.actor}</td></tr>`)}</table>`,
  )
}
