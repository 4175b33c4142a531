import { mkdirSync, writeFileSync } from 'node:fs'
import { loadConfig } from '../lib/config.js'

/**
 * The README's main job, as a finance team would do it through the API: an accountant starts a
 * deal's invoice, reads the preview and confirms it; an approver approves it; the invoice is
 * booked, stored and delivered. Prints each step and the final references.
 * Each run bills the first deal/period of the candidates not invoiced yet (or DEMO_DEAL and
 * DEMO_PERIOD), so it can be run again.
 */
const config = loadConfig()
const api = `http://127.0.0.1:${config.api.port}`
const tokens = parseTokens(config.apiTokens)
const accountant = tokens.find((t) => t.roles.includes('accountant') && !t.roles.includes('approver'))!
const approver = tokens.find((t) => t.roles.includes('approver') && t.user !== accountant.user)!
const CANDIDATES = (process.env.DEMO_DEAL ? [process.env.DEMO_DEAL] : ['APP-1001', 'APP-1002', 'APP-1013', 'APP-1004', 'APP-1015', 'APP-1008']).flatMap((deal) =>
  (process.env.DEMO_PERIOD ? [process.env.DEMO_PERIOD] : ['2026-10', '2026-09', '2026-08']).map((period) => ({ deal, period })),
)

interface InvoiceBody {
  id: string
  state: string
  invoiceNumber: string | null
  pdfVersion: number | null
  attention: { step: string; reason: string } | null
  dispatch: Record<string, { status: string; externalId?: string; detail?: string }>
  preview: {
    currency: string
    lines: { lineId: string; description: string; quantity: string; unit: string; rate: string; amount: string }[]
    warnings: { code: string; message: string }[]
    errors: { code: string; message: string }[]
    subtotal: string
    vatRate: string
    vatAmount: string
    total: string
    sourceFingerprint: string
    hours: { raw: string; billable: string; billed: string }
  } | null
}

async function run(): Promise<void> {
  const started = await startFirstFree()
  const id = encodeURIComponent(started.id)
  step(`${accountant.user} (accountant) started ${started.id}`)

  // POST /invoices answered once the prefill ended; the page reads the read model.
  let invoice = (await call('GET', `/invoices/${id}`, accountant.token)) as InvoiceBody
  if (invoice.state === 'needs_attention') throw new Error(`prefill needs attention: ${invoice.attention?.reason}`)
  printPreview(invoice)

  // Each action answers with its outcome once the workflow has acted on it.
  const confirmed = (await call('POST', `/invoices/${id}/confirm`, accountant.token, { fingerprint: invoice.preview!.sourceFingerprint })) as { state: string; invoiceNumber: string; pdfVersion: number }
  step(`${accountant.user} confirmed the preview: ${confirmed.state}, invoice number ${confirmed.invoiceNumber}, PDF version ${confirmed.pdfVersion}`)
  invoice = (await call('GET', `/invoices/${id}`, accountant.token)) as InvoiceBody

  const pdf = await fetch(`${api}/invoices/${id}/pdf`, { headers: { authorization: `Bearer ${approver.token}` } })
  if (!pdf.ok) throw new Error(`PDF download: HTTP ${pdf.status}`)
  mkdirSync('.local/demo', { recursive: true })
  const pdfPath = `.local/demo/${invoice.invoiceNumber}.pdf`
  writeFileSync(pdfPath, Buffer.from(await pdf.arrayBuffer()))
  step(`${approver.user} (approver) downloaded the PDF to ${pdfPath} (sha256 ${pdf.headers.get('etag')})`)

  const approved = (await call('POST', `/invoices/${id}/approve`, approver.token, { pdfVersion: invoice.pdfVersion })) as { state: string }
  step(`${approver.user} approved PDF version ${invoice.pdfVersion}: ${approved.state}`)
  invoice = await waitFor(id, (v) => v.state === 'completed' || v.state === 'needs_attention' || v.dispatch.didox?.status === 'done')
  if (invoice.state === 'dispatching' && invoice.dispatch.didox) {
    step(`e-invoice ${invoice.dispatch.didox.externalId} created in Didox; the buyer accepts it (simulated through the Didox fake)`)
    await fetch(`${config.didox.url}/__control/documents/${invoice.dispatch.didox.externalId}/status`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ status: 3 }),
    })
    invoice = await waitFor(id, (v) => v.state === 'completed' || v.state === 'needs_attention', 120_000)
  }
  if (invoice.state !== 'completed') throw new Error(`the invoice needs attention: ${invoice.attention?.step}: ${invoice.attention?.reason}`)

  const d = invoice.dispatch
  console.log('\nDone.')
  console.log(`  invoice number      ${invoice.invoiceNumber}`)
  console.log(`  total               ${invoice.preview!.total} ${invoice.preview!.currency}`)
  console.log(`  PDF                 ${pdfPath}`)
  console.log(`  PlanFact operation  ${d.planfact?.externalId ?? d.planfact?.status}`)
  console.log(`  R2 object           bucket ${config.s3.bucket}, key ${d.r2?.externalId ?? d.r2?.status}`)
  if (d.didox) console.log(`  delivery            Didox e-invoice ${d.didox.externalId}: ${d.didox_acceptance?.detail ?? d.didox.detail}`)
  if (d.email) console.log(`  delivery            e-mail ${d.email.externalId} ${d.email.detail ?? ''}`)
  const runId = started.runId ? `/${started.runId}` : ''
  console.log(`  Temporal Web        ${config.temporal.uiUrl}/namespaces/${config.temporal.namespace}/workflows/${encodeURIComponent(started.id)}${runId}/history`)
  console.log(`  API                 ${api}/invoices/${id} (token: ${approver.token})`)
}

/**
 * `--late-work`: November's invoice of APP-1001 after a worklog of 30 October arrived late
 * (scripts/demo-late-worklog.ts): the preview offers it as a line of its own. Left awaiting
 * confirmation, for the accountant to confirm or drop in the console or the API.
 */
async function showLateWork(): Promise<void> {
  const res = await fetch(`${api}/invoices`, {
    method: 'POST',
    headers: { authorization: `Bearer ${accountant.token}`, 'content-type': 'application/json', prefer: 'wait=30' },
    body: JSON.stringify({ dealId: 'APP-1001', period: '2026-11' }),
  })
  const body = (await res.json()) as { id?: string; workflowId?: string; code?: string; message?: string }
  if (res.status >= 400 && body.code !== 'ALREADY_EXISTS') throw new Error(`POST /invoices: HTTP ${res.status} ${JSON.stringify(body)}`)
  const id = body.id ?? body.workflowId!
  step(`${accountant.user} (accountant) ${res.status >= 400 ? 'opened the existing' : 'started'} ${id}`)
  const invoice = await waitFor(encodeURIComponent(id), (v) => v.state !== 'prefilling', 120_000)
  if (!invoice.preview) throw new Error(`the invoice is ${invoice.state}: no preview (${invoice.attention?.reason ?? 'see .local/worker.log'})`)
  printPreview(invoice)
  const late = invoice.preview.lines.filter((l) => l.lineId.startsWith('earlier:'))
  if (late.length === 0) {
    step('no late work on it: October of APP-1001 has no invoice the ledger records in this database (such an invoice is what makes 30 October late)')
    return
  }
  for (const line of late) step(`late work offered: ${line.description}: ${line.quantity} ${line.unit} x ${line.rate} = ${line.amount} (${line.lineId})`)
  step(`left awaiting confirmation: confirm it, or drop the line and it waits for December's invoice (API: ${api}/invoices/${encodeURIComponent(id)})`)
}

async function startFirstFree(): Promise<{ id: string; runId?: string }> {
  for (const { deal, period } of CANDIDATES) {
    const res = await fetch(`${api}/invoices`, {
      method: 'POST',
      headers: { authorization: `Bearer ${accountant.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ dealId: deal, period }),
    })
    const body = (await res.json()) as { id: string; runId?: string; code?: string; message?: string }
    if (res.status === 201 || res.status === 202) return body
    if (res.status !== 409) throw new Error(`POST /invoices: HTTP ${res.status} ${JSON.stringify(body)}`)
    step(`${deal} ${period}: ${body.message}; trying the next one`)
  }
  throw new Error('every demo deal and period is invoiced already: set DEMO_DEAL and DEMO_PERIOD')
}

function printPreview(invoice: InvoiceBody): void {
  const p = invoice.preview!
  console.log(`\nPreview (${p.currency}; hours logged ${p.hours.raw}, billable ${p.hours.billable}, billed ${p.hours.billed})`)
  for (const l of p.lines) {
    console.log(`  ${l.description.slice(0, 60).padEnd(60)} ${l.quantity.padStart(10)} ${l.unit.padEnd(5)} x ${l.rate.padStart(12)} = ${l.amount.padStart(14)}`)
  }
  console.log(`  ${'Subtotal'.padStart(106)} ${p.subtotal.padStart(14)}`)
  console.log(`  ${`VAT ${p.vatRate}%`.padStart(106)} ${p.vatAmount.padStart(14)}`)
  console.log(`  ${'Total'.padStart(106)} ${p.total.padStart(14)}`)
  for (const w of p.warnings) console.log(`  warning ${w.code}: ${w.message}`)
  for (const e of p.errors) console.log(`  ERROR ${e.code}: ${e.message}`)
  console.log('')
}

async function waitFor(id: string, ready: (v: InvoiceBody) => boolean, timeoutMs = 60_000): Promise<InvoiceBody> {
  const deadline = Date.now() + timeoutMs
  let last: InvoiceBody | undefined
  while (Date.now() < deadline) {
    last = (await call('GET', `/invoices/${id}`, accountant.token)) as InvoiceBody
    if (ready(last)) return last
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
  throw new Error(`timed out; the invoice is ${last?.state}`)
}

async function call(method: string, path: string, token: string, body?: unknown): Promise<unknown> {
  const res = await fetch(`${api}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  const json = await res.json()
  if (res.status >= 400) throw new Error(`${method} ${path}: HTTP ${res.status} ${JSON.stringify(json)}`)
  return json
}

function step(text: string): void {
  console.log(`[${new Date().toISOString().slice(11, 19)}] ${text}`)
}

function parseTokens(text: string): { token: string; user: string; roles: string[] }[] {
  return text
    .split(',')
    .filter(Boolean)
    .map((entry) => {
      const [token, rest] = entry.split('=') as [string, string]
      const [user, roles] = rest.split(':') as [string, string]
      return { token, user, roles: roles.split('+') }
    })
}

(process.argv.includes('--late-work') ? showLateWork() : run()).catch((err) => {
  console.error(err instanceof Error ? err.message : err)
  process.exit(1)
})
