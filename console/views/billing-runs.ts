import { html } from 'hono/html'
import type { z } from 'zod'
import type { BillingRunPageSchema, BillingRunSchema } from '../../operations/billing-runs/billing-run-schemas.js'
import { formatDateTime, formatMoney } from '../i18n.js'
import { csrfField, hasRole, page, textField, words, type Flash, type Frame, type Html } from './layout.js'

type BillingRunPage = z.infer<typeof BillingRunPageSchema>
type BillingRun = z.infer<typeof BillingRunSchema>

const runPath = (id: string) => `/app/billing-runs/${encodeURIComponent(id)}`

/** Month-end billing runs: the start form (accountants) and the runs, newest first. */
export function billingRunsPage(frame: Frame, runs: BillingRunPage, input: { flash: Flash | null; sent: Record<string, string> }): Html {
  const t = words(frame)
  const { flash, sent } = input
  return page(
    frame,
    t.billingRuns,
    html`<h1>${t.billingRuns}</h1>
${
  hasRole(frame, 'accountant')
    ? html`<form method="post" action="/app/billing-runs" class="card">${csrfField(frame)}<strong>${t.startRun}</strong>
${textField(flash, 'period', t.period, sent.period, { size: 'mid', required: true, placeholder: t.periodHint })} ${textField(flash, 'dealIds', t.dealsOptional, sent.dealIds)} ${textField(flash, 'concurrency', t.concurrency, sent.concurrency, { size: 'short' })}
<button>${t.startRun}</button></form>`
    : ''
}
${
  runs.items.length === 0
    ? html`<p>${t.noRuns}</p>`
    : html`<table><tr><th>${t.period}</th><th>${t.status}</th><th>${t.startedBy}</th><th>${t.startedAt}</th></tr>
${runs.items.map((r) => html`<tr><td><a href="${runPath(r.id)}">${r.period ?? r.id}</a></td><td>${r.status}</td><td>${r.startedBy ?? ''}</td><td>${formatDateTime(r.startedAt, frame.language)}</td></tr>`)}</table>
${runs.nextCursor ? html`<p><a href="/app/billing-runs?cursor=${encodeURIComponent(runs.nextCursor)}">→</a></p>` : ''}`
}`,
    flash,
  )
}

/** One run: its progress by state and the invoice it started for each deal. */
export function billingRunPage(frame: Frame, run: BillingRun, flash: Flash | null): Html {
  const t = words(frame)
  const { counts } = run
  return page(
    frame,
    `${t.billingRun} ${run.period}`,
    html`<h1>${t.billingRun} ${run.period} <span class="muted">${run.status}${run.state ? ` · ${run.state}` : ''}</span></h1>
<p>${t.startedBy} ${run.startedBy ?? ''} · ${t.startedAt} ${formatDateTime(run.startedAt, frame.language)}${run.concurrency ? html` · ${t.concurrency} ${run.concurrency}` : ''}</p>
${run.notice ? html`<p class="flash bad">${run.notice}</p>` : ''}${run.failure ? html`<p class="flash bad">${run.failure}</p>` : ''}
<h2>${t.progress}</h2>
<p data-progress>${counts.deals} deals: ${counts.started} started, ${counts.existing} existing, ${counts.pending} pending, ${counts.failed} failed</p>
<p class="counts">${Object.entries(counts.byState).map(([state, n]) => html`<span class="tag">${state}: ${n}</span> `)}</p>
<table><tr><th>${t.deal}</th><th>${t.invoice}</th><th>${t.state}</th><th></th></tr>
${run.deals.map(
  (d) => html`<tr><td>${d.dealId}</td><td>${d.start === 'pending' ? d.invoiceId : html`<a href="/app/invoices/${encodeURIComponent(d.invoiceId)}">${d.invoiceId}</a>`} <span class="muted">${d.start}</span></td><td>${d.state ?? ''}</td>
<td class="muted">${d.message ?? ''}${d.lateWork && d.lateWork.lines > 0 ? html` ${t.earlier}: ${formatMoney(d.lateWork.amount, d.lateWork.currency, frame.language)}` : ''}${d.drift && d.drift.invoices.length ? html` ${t.drift}: ${d.drift.invoices.map((i) => `${i.number} ${i.amountDelta}`).join(', ')}` : ''}</td></tr>`,
)}</table>`,
    flash,
    // While invoices are still being started, the page follows them by itself.
    run.status === 'running' ? { refreshSeconds: 5 } : {},
  )
}
