import { html } from 'hono/html'
import type { PreviewLine } from '../../billing/types.js'
import type { InvoiceDetails } from '../../operations/invoices/read-invoice.js'
import type { InvoiceDrift } from '../../drift/types.js'
import { DELIVERED_STATES } from '../../workflows/invoice-contract.js'
import { formatDateTime, formatMoney, formatNumber } from '../i18n.js'
import { actionKeyField, csrfField, fieldError, hasRole, page, textField, unitWord, words, type Flash, type Frame, type Html } from './layout.js'

export interface InvoicePageExtra {
  events: { type: string; actor: string; createdAt: string }[]
  flash: Flash | null
  temporalUrl: string
  /** What the user sent with a refused form, to show it again (input name → value). */
  sent: Record<string, string>
  drift: InvoiceDrift | null
}

const isEarlier = (line: PreviewLine) => line.lineId.startsWith('earlier:')

/**
 * An invoice as the accountant checks it and the approver decides on it: the preview's lines
 * with their explanations, the per-issue detail, totals, warnings; the forms its state and the
 * user's roles allow (the API's roles); after delivery its balance, credit notes and payments;
 * what was sent where; the history.
 */
export function invoicePage(frame: Frame, invoice: InvoiceDetails, extra: InvoicePageExtra): Html {
  const t = words(frame)
  const currency = invoice.preview?.currency ?? invoice.totals?.currency ?? null
  const money = (v: string | null | undefined) => formatMoney(v, currency, frame.language)
  const base = `/app/invoices/${encodeURIComponent(invoice.id)}`
  const can = (action: string, ...roles: string[]) => invoice.allowedActions.includes(action as never) && hasRole(frame, ...roles)
  const form = (action: string, body: Html, label: string) =>
    html`<form class="inline" method="post" action="${base}/${action}">${csrfField(frame)}${actionKeyField()}${body}<button>${label}</button></form> `
  const reasonInput = (action: string) => html`<input name="reason" placeholder="${t.reason}" required aria-label="${t.reason}: ${action}">`
  const delivered = DELIVERED_STATES.includes(invoice.state) && invoice.state !== 'completed'
  return page(
    frame,
    invoice.invoiceNumber ?? invoice.id,
    html`<h1>${invoice.invoiceNumber ?? invoice.id} <span class="muted" data-state="${invoice.state}">${invoice.state}</span></h1>
<p>${t.deal} ${invoice.dealId} · ${t.period} ${invoice.period} · ${t.customer} ${invoice.customerId ?? ''}${invoice.confirmedBy ? html` · ${t.confirmedBy} ${invoice.confirmedBy}` : ''}${invoice.approvedBy ? html` · ${t.approvedBy} ${invoice.approvedBy}` : ''} · <a href="${extra.temporalUrl}">${t.temporal}</a></p>
${invoice.notice ? html`<p class="flash bad">${invoice.notice}</p>` : ''}
${invoice.attention ? html`<p class="flash bad" role="alert" data-attention>${t.attention}: ${invoice.attention.step}: ${invoice.attention.reason} <span class="muted">${formatDateTime(invoice.attention.since, frame.language)}</span></p>` : ''}
${invoice.stepsInFlight.map((step) => html`<p class="flash ${step.attempt > 1 ? 'bad' : 'ok'}" data-step>${t.working}: ${step.activity}, ${t.attempt} ${step.attempt}${step.lastFailure ? html` · ${t.lastError}: ${step.lastFailure}` : ''}${step.nextAttemptAt ? html` · ${t.nextAttempt} ${formatDateTime(step.nextAttemptAt, frame.language)}:${step.nextAttemptAt.slice(17, 19)}` : ''}</p>`)}
${invoice.balance ? html`<p>${t.total} ${money(invoice.balance.total)} · ${t.credited} ${money(invoice.balance.credited)} · ${t.paid} ${money(invoice.balance.paid)} · <strong>${t.balance} ${money(invoice.balance.due)}</strong></p>` : ''}
${previewSection(frame, invoice, extra, can('confirm', 'accountant'), money)}
<div class="card"><h2>${t.actions}</h2>
${can('refresh', 'accountant') ? form('refresh', html``, t.refresh) : ''}
${can('retry', 'admin') ? form('retry', html``, t.retry) : ''}
${can('skip', 'admin') ? form('skip', reasonInput('skip'), t.skip) : ''}
${can('cancel', 'accountant', 'approver') ? form('cancel', reasonInput('cancel'), t.cancelInvoice) : ''}
${pdfSection(frame, invoice, base, can('approve', 'approver'), form, reasonInput)}
</div>
${delivered ? afterDeliverySection(frame, invoice, extra, base, money) : ''}
${driftSection(frame, invoice, extra, base)}
${dispatchSection(frame, invoice)}
<h2>${t.events}</h2><table>${extra.events.map((e) => html`<tr><td class="muted">${formatDateTime(e.createdAt, frame.language)}</td><td>${e.type}</td><td>${e.actor}</td></tr>`)}</table>`,
    extra.flash,
  )
}

function previewSection(frame: Frame, invoice: InvoiceDetails, extra: InvoicePageExtra, editable: boolean, money: (v: string | null | undefined) => string): Html | string {
  const t = words(frame)
  const preview = invoice.preview
  if (!preview) return ''
  const { flash, sent } = extra
  const value = (name: string, fallback: string) => sent[name] ?? fallback
  const manualRow = (n: number | '__N__') => html`<tr data-row><td></td>
<td><input name="add.${n}.description" value="${value(`add.${n}.description`, '')}" style="width:100%" aria-label="${t.description}">${fieldError(flash, `add.${n}.description`)}</td>
<td><input name="add.${n}.quantity" class="short" value="${value(`add.${n}.quantity`, '')}" aria-label="${t.quantity}">${fieldError(flash, `add.${n}.quantity`)}
<select name="add.${n}.unit" aria-label="${t.unit}">${['hour', 'item', 'month'].map((u) => html`<option value="${u}" ${value(`add.${n}.unit`, 'hour') === u ? 'selected' : ''}>${unitWord(frame, u)}</option>`)}</select></td>
<td><input name="add.${n}.rate" class="mid" value="${value(`add.${n}.rate`, '')}" aria-label="${t.rate}">${fieldError(flash, `add.${n}.rate`)}</td>
<td colspan="2"><input name="add.${n}.reason" value="${value(`add.${n}.reason`, '')}" placeholder="${t.reason}" aria-label="${t.reason}">${fieldError(flash, `add.${n}.reason`)}</td></tr>`
  const manualRows = Math.max(1, Object.keys(sent).filter((k) => /^add\.\d+\.description$/.test(k)).length)
  const lineRow = (l: PreviewLine, i: number) => html`<tr data-line="${l.lineId}">
${editable ? html`<td><input type="hidden" name="lines.${i}.lineId" value="${l.lineId}"><input type="hidden" name="lines.${i}.original" value="${l.description}"><input name="lines.${i}.order" class="short" value="${value(`lines.${i}.order`, String(i + 1))}" aria-label="${t.order}: ${l.description}"></td>` : ''}
<td>${editable ? html`<input name="lines.${i}.description" value="${value(`lines.${i}.description`, l.description)}" style="width:100%" aria-label="${t.description}: ${l.description}">${fieldError(flash, `lines.${i}.description`)}` : l.description}
${isEarlier(l) ? html` <span class="tag">${t.earlier} ${l.lineId.split(':')[1]}</span>` : ''}${l.kind === 'manual' && l.reason ? html` <span class="tag">${l.reason}</span>` : ''}
<div class="muted">${l.explanation}</div></td>
<td class="num">${formatNumber(l.quantity, frame.language)} ${unitWord(frame, l.unit)}</td><td class="num">${money(l.rate)}</td><td class="num">${money(l.amount)}</td>
${editable ? html`<td><label><input type="checkbox" name="lines.${i}.drop" value="1" ${sent[`lines.${i}.drop`] ? 'checked' : ''}> ${t.drop}</label></td>` : ''}</tr>`
  const table = html`<table><tr>${editable ? html`<th>${t.order}</th>` : ''}<th>${t.description}</th><th class="num">${t.quantity}</th><th class="num">${t.rate}</th><th class="num">${t.amount}</th>${editable ? html`<th>${t.drop}</th>` : ''}</tr>
${preview.lines.map(lineRow)}
${
  editable
    ? html`<tr><th colspan="6">${t.addManualLine}</th></tr>${Array.from({ length: manualRows }, (_, n) => manualRow(n))}
<template id="manual-line">${manualRow('__N__')}</template>`
    : ''
}
<tr><td colspan="${editable ? 4 : 3}" class="num">${t.hours}: ${formatNumber(preview.hours.raw, frame.language)} ${t.rawHours}, ${formatNumber(preview.hours.billable, frame.language)} ${t.billableHours} · ${t.subtotal}</td><td class="num">${money(preview.subtotal)}</td>${editable ? html`<td></td>` : ''}</tr>
<tr><td colspan="${editable ? 4 : 3}" class="num">${t.vat} ${formatNumber(preview.vatRate, frame.language)}%</td><td class="num">${money(preview.vatAmount)}</td>${editable ? html`<td></td>` : ''}</tr>
<tr><td colspan="${editable ? 4 : 3}" class="num"><strong>${t.total}</strong></td><td class="num"><strong data-total>${money(preview.total)}</strong></td>${editable ? html`<td></td>` : ''}</tr></table>`
  const findings = html`${preview.warnings.length ? html`<h3>${t.warnings}</h3><ul>${preview.warnings.map((w) => html`<li>${w.code}: ${w.message}</li>`)}</ul>` : ''}
${preview.errors.length ? html`<h3>${t.errors}</h3><ul>${preview.errors.map((e) => html`<li>${e.code}: ${e.message}</li>`)}</ul>` : ''}`
  const issues = preview.issueDetails.length
    ? html`<details><summary>${t.issueDetail} (${preview.issueDetails.length})</summary><table><tr><th>${t.issue}</th><th>${t.category}</th><th class="num">${t.rawHours}</th><th class="num">${t.billableHours}</th><th class="num">${t.amount}</th></tr>
${preview.issueDetails.map((d) => html`<tr><td>${d.issueKey} <span class="muted">${d.summary ?? ''}</span></td><td>${d.category}</td><td class="num">${formatNumber(d.rawHours, frame.language)}</td><td class="num">${formatNumber(d.billableHours, frame.language)}</td><td class="num">${money(d.amount)}</td></tr>`)}</table></details>`
    : ''
  if (!editable) return html`<h2>${t.lines}</h2>${table}${findings}${issues}`
  return html`<form method="post" action="/app/invoices/${encodeURIComponent(invoice.id)}/confirm">${csrfField(frame)}${actionKeyField()}<input type="hidden" name="fingerprint" value="${preview.sourceFingerprint}">
<h2>${t.lines}</h2><p class="muted">${t.confirmHint}</p>${table}
<p><button type="button" data-add-row="manual-line">${t.anotherLine}</button> <button>${t.confirm}</button></p></form>${findings}${issues}`
}

function pdfSection(frame: Frame, invoice: InvoiceDetails, base: string, approvable: boolean, form: (action: string, body: Html, label: string) => Html, reasonInput: (action: string) => Html): Html | string {
  const t = words(frame)
  if (!invoice.pdfVersion) return ''
  const versions = html`<p>${t.pdfVersions}: ${invoice.pdfs.map((p) => html`<a href="${base}/pdf?version=${p.version}">v${p.version}</a> <span class="muted">${formatDateTime(p.createdAt, frame.language)}</span> `)}</p>`
  if (!approvable) return versions
  const version = html`<input type="hidden" name="pdfVersion" value="${invoice.pdfVersion}">`
  return html`${versions}<iframe src="${base}/pdf?version=${invoice.pdfVersion}" title="PDF v${invoice.pdfVersion}" style="width:100%;height:560px;border:1px solid #ccc"></iframe>
<p>${form('approve', version, `${t.approve} v${invoice.pdfVersion}`)} ${form('reject', html`${version}${reasonInput('reject')}`, t.reject)}</p>`
}

function afterDeliverySection(frame: Frame, invoice: InvoiceDetails, extra: InvoicePageExtra, base: string, money: (v: string | null | undefined) => string): Html {
  const t = words(frame)
  const { flash, sent } = extra
  const accountant = hasRole(frame, 'accountant') && invoice.state !== 'void'
  const lines = invoice.preview?.lines.filter((l) => l.kind !== 'cap') ?? []
  const creditForm = html`<form method="post" action="${base}/credit-notes">${csrfField(frame)}<h3>${t.newCreditNote}</h3><p class="muted">${t.creditHint}</p>
<table><tr><th>${t.creditLine}</th><th>${t.description}</th><th>${t.hours}</th><th>${t.amount}</th></tr>
${lines.map(
  (l, i) => html`<tr><td><input type="checkbox" name="credit.${i}.lineId" value="${l.lineId}" aria-label="${t.creditLine}: ${l.description}"></td><td>${l.description} <span class="muted">${formatNumber(l.quantity, frame.language)} ${unitWord(frame, l.unit)} · ${money(l.amount)}</span></td>
<td>${l.unit === 'hour' ? html`<input name="credit.${i}.hours" class="short" value="${sent[`credit.${i}.hours`] ?? ''}" placeholder="${t.wholeLine}" aria-label="${t.hours}: ${l.description}">${fieldError(flash, `credit.${i}.hours`)}` : ''}</td>
<td><input name="credit.${i}.amount" class="mid" value="${sent[`credit.${i}.amount`] ?? ''}" aria-label="${t.amount}: ${l.description}">${fieldError(flash, `credit.${i}.amount`)}</td></tr>`,
)}</table>
<p>${textField(flash, 'amount', t.creditAmount, sent.amount, { size: 'mid' })} ${textField(flash, 'reason', t.reason, sent.reason, { required: true })}
<label>${t.correction} <select name="correction"><option value="terms">${t.correctionTerms}</option><option value="error">${t.correctionError}</option></select></label>
<button>${t.draftCreditNote}</button></p>${fieldError(flash, 'credit')}</form>
<form method="post" action="${base}/void">${csrfField(frame)}<p><input name="reason" placeholder="${t.reason}" required aria-label="${t.reason}: void"> <button>${t.voidInvoice}</button></p></form>`
  const paymentForm = html`<form method="post" action="${base}/payments">${csrfField(frame)}${actionKeyField()}<h3>${t.recordPayment}</h3>
<p>${textField(flash, 'payment.amount', t.amount, sent['payment.amount'], { size: 'mid', required: true })} ${textField(flash, 'payment.paidOn', t.paidOn, sent['payment.paidOn'] ?? new Date().toISOString().slice(0, 10), { size: 'mid', required: true })}
${textField(flash, 'payment.reference', t.reference, sent['payment.reference'])} ${textField(flash, 'payment.note', t.note, sent['payment.note'])} <button>${t.recordPayment}</button></p></form>`
  return html`<h2>${t.creditNotes}</h2>
${invoice.creditNotes.length ? html`<table>${invoice.creditNotes.map((c) => html`<tr><td><a href="/app/credit-notes/${encodeURIComponent(c.id)}">${c.number ?? c.id}</a></td><td>${c.kind}</td><td>${c.state}</td><td class="num">${money(c.total)}</td><td>${c.reason}</td></tr>`)}</table>` : ''}
${accountant ? html`<div class="card">${creditForm}</div>` : ''}
<h2>${t.payments}</h2>
${invoice.payments.length ? html`<table>${invoice.payments.map((p) => html`<tr><td>${p.paidOn}</td><td>${p.source}</td><td>${p.reference ?? ''}</td><td class="num">${money(p.amount)}</td><td>${p.counted ? '' : '='}</td></tr>`)}</table>` : ''}
${accountant && invoice.state !== 'paid' ? html`<div class="card">${paymentForm}</div>` : ''}`
}

function driftSection(frame: Frame, invoice: InvoiceDetails, extra: InvoicePageExtra, base: string): Html | string {
  const t = words(frame)
  if (!invoice.invoiceId) return ''
  const drift = extra.drift
  if (!drift) return html`<p><a href="${base}?drift=1">${t.checkDrift}</a></p>`
  if (drift.totals.worklogs === 0) return html`<h2>${t.drift}</h2><p>${t.noDrift}</p>`
  return html`<h2>${t.drift}</h2><p>${drift.totals.worklogs} worklogs, ${drift.totals.minutesDelta} min, ${formatMoney(drift.totals.amountDelta, drift.currency, frame.language)}</p>
<table>${drift.lines.map((l) => html`<tr><td>${l.lineKey}</td><td class="num">${l.worklogs}</td><td class="num">${l.minutesDelta} min</td><td class="num">${formatMoney(l.amountDelta, drift.currency, frame.language)}</td></tr>`)}</table>`
}

function dispatchSection(frame: Frame, invoice: InvoiceDetails): Html | string {
  const t = words(frame)
  const steps = Object.entries(invoice.dispatch ?? {})
  if (steps.length === 0 && invoice.externalReferences.length === 0) return ''
  return html`<h2>${t.dispatch}</h2><table>
${steps.map(([system, d]) => html`<tr><td>${system}</td><td>${d.status}</td><td>${d.externalId ?? ''}</td><td class="muted">${d.detail ?? ''}</td></tr>`)}
</table>
${invoice.externalReferences.length ? html`<details><summary>${t.externalReferences} (${invoice.externalReferences.length})</summary><table>${invoice.externalReferences.map((r) => html`<tr><td>${r.system}</td><td>${r.status}</td><td>${r.externalId ?? ''}</td><td class="muted">${r.purpose}${r.pdfVersion ? ` · PDF v${r.pdfVersion}` : ''} · ${formatDateTime(r.updatedAt, frame.language)}</td></tr>`)}</table></details>` : ''}`
}
