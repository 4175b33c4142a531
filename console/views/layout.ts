import { html, raw } from 'hono/html'
import type { HtmlEscapedString } from 'hono/utils/html'
import { CONSOLE_LANGUAGES, NEXT_STEP, WORDS, type ConsoleLanguage, type Words } from '../i18n.js'

/**
 * The frame every console page shares: header, navigation, the outcome of the last action and
 * field errors. Server-rendered with Hono's `html` (every value escaped); nothing is fetched from
 * elsewhere, so the pages work offline.
 */

export type Html = HtmlEscapedString | Promise<HtmlEscapedString>

const STYLE = raw(`
body{font:14px/1.45 system-ui,sans-serif;margin:0;color:#1d2433;background:#f6f7f9}
header{background:#1d2433;color:#fff;padding:10px 20px;display:flex;gap:16px;align-items:center;flex-wrap:wrap}
header a{color:#fff} main{padding:16px 20px;max-width:1280px}
table{border-collapse:collapse;width:100%;background:#fff} th,td{padding:6px 8px;border-bottom:1px solid #e3e6eb;text-align:left;vertical-align:top}
td.num,th.num{text-align:right;white-space:nowrap} .muted{color:#6b7280;font-size:12px}
.flash{padding:10px 12px;margin:10px 0;border-radius:4px} .ok{background:#e7f6ec} .bad{background:#fdecec}
.counts a{margin-right:10px} form.inline{display:inline} .card{background:#fff;padding:12px;margin:12px 0;border:1px solid #e3e6eb}
.field-error{color:#b42318;font-size:12px;display:block} .tag{background:#eef2ff;border-radius:3px;padding:0 4px;font-size:12px}
button{padding:5px 10px} input,select{padding:4px} input.short{width:5em} input.mid{width:9em}
label{margin-right:10px;display:inline-block}
`)

// The one script: "another manual line" copies the template row (without it there is one row).
const SCRIPT = raw(`document.addEventListener('click',function(e){var b=e.target.closest('[data-add-row]');if(!b)return;e.preventDefault();
var t=document.getElementById(b.getAttribute('data-add-row'));var body=t.parentNode;var n=body.querySelectorAll('tr[data-row]').length;
var row=t.content.firstElementChild.cloneNode(true);row.querySelectorAll('[name]').forEach(function(i){i.name=i.name.replace('__N__',n)});body.appendChild(row)})`)

export interface Frame {
  language: ConsoleLanguage
  user: { id: string; roles: string[] } | null
  csrf: string | null
  /** The page's path and query, for the language links. */
  path: string
}

/** The outcome of the last action: done, accepted (still working) or refused with the API's code and issues. */
export interface Flash {
  ok: boolean
  text: string
  code?: string
  issues?: { field: string; problem: string }[]
}

export function words(frame: Frame): Words {
  return WORDS[frame.language]
}

/** A line's unit as the language writes it (h, ч, soat). */
export function unitWord(frame: Frame, unit: string): string {
  return words(frame)[`unit_${unit}` as 'unit_hour'] ?? unit
}

export function hasRole(frame: Frame, ...roles: string[]): boolean {
  const mine = frame.user?.roles ?? []
  return mine.includes('admin') || roles.some((r) => mine.includes(r))
}

export function page(frame: Frame, title: string, body: Html, flash: Flash | null = null, options: { refreshSeconds?: number } = {}): Html {
  const t = words(frame)
  const languageLink = (l: ConsoleLanguage) => {
    const url = new URL(frame.path, 'http://console')
    url.searchParams.set('lang', l)
    return html`<a href="${url.pathname}${url.search}" ${l === frame.language ? raw('aria-current="true"') : ''}>${l.toUpperCase()}</a>`
  }
  return html`<!DOCTYPE html>
<html lang="${frame.language}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">${options.refreshSeconds ? html`<meta http-equiv="refresh" content="${options.refreshSeconds}">` : ''}<title>${title} · ${t.title}</title><style>${STYLE}</style></head>
<body><header><strong>${t.title}</strong>
${frame.user ? html`<a href="/app">${t.invoices}</a><a href="/app/billing-runs">${t.billingRuns}</a><a href="/app/rate-rules">${t.rateRules}</a><a href="/app/category-rules">${t.categoryRules}</a><a href="/app/settings">${t.settings}</a>` : ''}
<span style="flex:1"></span>
${CONSOLE_LANGUAGES.map(languageLink)}
${frame.user ? html`<span>${frame.user.id} (${frame.user.roles.join(', ')})</span><form class="inline" method="post" action="/app/logout">${csrfField(frame)}<button>${t.signOut}</button></form>` : ''}
</header><main>${flash ? flashBox(frame, flash) : ''}${body}</main><script>${SCRIPT}</script></body></html>`
}

function flashBox(frame: Frame, flash: Flash): Html {
  const t = words(frame)
  const next = flash.code ? NEXT_STEP[frame.language][flash.code] : undefined
  return html`<div class="flash ${flash.ok ? 'ok' : 'bad'}" role="${flash.ok ? 'status' : 'alert'}"><strong>${flash.ok ? t.done : t.refused}:</strong> ${flash.text}${next ? html`<br><strong>${next}</strong>` : ''}</div>`
}

export function csrfField(frame: Frame): Html {
  return html`<input type="hidden" name="csrf" value="${frame.csrf ?? ''}">`
}

/** A fresh key per rendered form: sending the same form twice is the same action (Idempotency-Key). */
export function actionKeyField(): Html {
  return html`<input type="hidden" name="key" value="${crypto.randomUUID()}">`
}

/** The API's problem with one field (`body.<name>`), shown next to its input. */
export function fieldError(flash: Flash | null, name: string): Html | string {
  const problems = (flash?.issues ?? []).filter((i) => i.field === `body.${name}` || i.field === name).map((i) => i.problem)
  return problems.length ? html`<span class="field-error">${problems.join('; ')}</span>` : ''
}

/** A labelled text input with its error; `value` is what the user sent or what is stored. */
export function textField(flash: Flash | null, name: string, label: string, value: string | null | undefined, options: { size?: 'short' | 'mid'; placeholder?: string; required?: boolean } = {}): Html {
  return html`<label>${label} <input name="${name}" value="${value ?? ''}" ${options.size ? raw(`class="${options.size}"`) : ''} ${options.placeholder ? html`placeholder="${options.placeholder}"` : ''} ${options.required ? raw('required') : ''}>${fieldError(flash, name)}</label>`
}
