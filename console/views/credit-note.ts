import { html } from 'hono/html'
import type { CreditNoteDetails } from '../../operations/credit-notes/read-credit-note.js'
import { formatDateTime, formatMoney, formatNumber } from '../i18n.js'
import { actionKeyField, csrfField, hasRole, page, unitWord, words, type Flash, type Frame, type Html } from './layout.js'

/** A credit note (or a void): its lines and figures, the PDF to approve, its actions and what was sent where. */
export function creditNotePage(frame: Frame, note: CreditNoteDetails, extra: { flash: Flash | null; temporalUrl: string }): Html {
  const t = words(frame)
  const money = (v: string | null | undefined) => formatMoney(v, note.currency, frame.language)
  const base = `/app/credit-notes/${encodeURIComponent(note.id)}`
  const can = (action: string, ...roles: string[]) => note.allowedActions.includes(action) && hasRole(frame, ...roles)
  const form = (action: string, body: Html, label: string) =>
    html`<form class="inline" method="post" action="${base}/${action}">${csrfField(frame)}${actionKeyField()}${body}<button>${label}</button></form> `
  const reason = html`<input name="reason" placeholder="${t.reason}" required aria-label="${t.reason}">`
  const version = html`<input type="hidden" name="pdfVersion" value="${note.pdfVersion ?? ''}">`
  return page(
    frame,
    note.number ?? note.id,
    html`<h1>${t.creditNote} ${note.number ?? ''} <span class="muted" data-state="${note.state}">${note.state}</span></h1>
<p>${t.invoice} <a href="/app/invoices/${encodeURIComponent(note.invoice.id)}">${note.invoice.number ?? note.invoice.id}</a> · ${note.kind} · ${note.correction} · ${t.reason}: ${note.reason}
${note.confirmedBy ? html` · ${t.confirmedBy} ${note.confirmedBy}` : ''}${note.approvedBy ? html` · ${t.approvedBy} ${note.approvedBy}` : ''} · <a href="${extra.temporalUrl}">${t.temporal}</a></p>
${note.attention ? html`<p class="flash bad" role="alert" data-attention>${t.attention}: ${note.attention.step}: ${note.attention.reason}</p>` : ''}
<table><tr><th>${t.description}</th><th class="num">${t.quantity}</th><th class="num">${t.rate}</th><th class="num">${t.amount}</th></tr>
${note.lines.map((l) => html`<tr><td>${l.description}</td><td class="num">${formatNumber(l.quantity, frame.language)} ${unitWord(frame, l.unit)}</td><td class="num">${money(l.rate)}</td><td class="num">${money(l.amount)}</td></tr>`)}
<tr><td colspan="3" class="num">${t.subtotal}</td><td class="num">${money(note.subtotal)}</td></tr>
<tr><td colspan="3" class="num">${t.vat} ${formatNumber(note.vatRate, frame.language)}%</td><td class="num">${money(note.vatAmount)}</td></tr>
<tr><td colspan="3" class="num"><strong>${t.total}</strong></td><td class="num"><strong>${money(note.total)}</strong></td></tr>
${note.remainingAfter ? html`<tr><td colspan="3" class="num">${t.balance}</td><td class="num">${money(note.remainingAfter)}</td></tr>` : ''}</table>
<div class="card"><h2>${t.actions}</h2>
${can('confirm', 'accountant') && note.fingerprint ? form('confirm', html`<input type="hidden" name="fingerprint" value="${note.fingerprint}">`, t.confirm) : ''}
${can('cancel', 'accountant', 'approver') ? form('cancel', reason, t.cancel) : ''}
${can('retry', 'admin') ? form('retry', html``, t.retry) : ''}
${can('skip', 'admin') ? form('skip', reason, t.skip) : ''}
${note.pdfVersion ? html`<p><a href="${base}/pdf">${t.pdf} v${note.pdfVersion}</a></p>` : ''}
${
  can('approve', 'approver') && note.pdfVersion
    ? html`<iframe src="${base}/pdf" title="PDF v${note.pdfVersion}" style="width:100%;height:520px;border:1px solid #ccc"></iframe>
<p>${form('approve', version, `${t.approve} v${note.pdfVersion}`)} ${form('reject', html`${version}${reason}`, t.reject)}</p>`
    : ''
}</div>
${
  note.externalReferences.length || Object.keys(note.dispatch ?? {}).length
    ? html`<h2>${t.dispatch}</h2><table>${Object.entries(note.dispatch ?? {}).map(([system, d]) => html`<tr><td>${system}</td><td>${d.status}</td><td>${d.externalId ?? ''}</td><td class="muted">${d.detail ?? ''}</td></tr>`)}
${note.externalReferences.map((r) => html`<tr><td>${r.system}</td><td>${r.status}</td><td>${r.externalId ?? ''}</td><td class="muted">${r.purpose} · ${formatDateTime(r.updatedAt, frame.language)}</td></tr>`)}</table>`
    : ''
}`,
    extra.flash,
  )
}
