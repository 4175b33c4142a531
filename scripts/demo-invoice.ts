import { mkdirSync, writeFileSync } from 'node:fs'
import { loadConfig } from '../lib/config.js'
import { parseTokens } from './finance-tokens.js'

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
  balance?: { total: string; credited: string; paid: string; due: string } | null
  payment?: { status: string; dueDate: string | null; due: string } | null
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
  const delivered = (v: InvoiceBody) => ['awaiting_payment', 'partially_paid', 'overdue', 'paid', 'completed'].includes(v.state)
  invoice = await waitFor(id, (v) => delivered(v) || v.state === 'needs_attention' || v.dispatch.didox?.status === 'done')
  if (invoice.state === 'dispatching' && invoice.dispatch.didox) {
    step(`e-invoice ${invoice.dispatch.didox.externalId} created in Didox; the buyer accepts it (simulated through the Didox fake)`)
    await fetch(`${config.didox.url}/__control/documents/${invoice.dispatch.didox.externalId}/status`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ status: 3 }),
    })
    invoice = await waitFor(id, (v) => delivered(v) || v.state === 'needs_attention', 120_000)
  }
  if (!delivered(invoice)) throw new Error(`the invoice needs attention: ${invoice.attention?.step}: ${invoice.attention?.reason}`)
  step(`delivered: ${invoice.state}, ${invoice.balance?.due} ${invoice.preview!.currency} due by ${invoice.payment?.dueDate ?? '?'}`)
  const afterDelivery = await creditAndPay(id, invoice)

  const d = invoice.dispatch
  console.log('\nDone.')
  console.log(`  invoice number      ${invoice.invoiceNumber}`)
  console.log(`  total               ${invoice.preview!.total} ${invoice.preview!.currency}`)
  console.log(`  PDF                 ${pdfPath}`)
  console.log(`  PlanFact operation  ${d.planfact?.externalId ?? d.planfact?.status}`)
  console.log(`  R2 object           bucket ${config.s3.bucket}, key ${d.r2?.externalId ?? d.r2?.status}`)
  if (d.didox) console.log(`  delivery            Didox e-invoice ${d.didox.externalId}: ${d.didox_acceptance?.detail ?? d.didox.detail}`)
  if (d.email) console.log(`  delivery            e-mail ${d.email.externalId} ${d.email.detail ?? ''}`)
  console.log(`  credit note         ${afterDelivery.number}: ${afterDelivery.total} ${invoice.preview!.currency} credited, PDF ${afterDelivery.pdfPath}`)
  console.log(`  payment             ${afterDelivery.paid} recorded by hand: ${afterDelivery.state}`)
  const runId = started.runId ? `/${started.runId}` : ''
  console.log(`  Temporal Web        ${config.temporal.uiUrl}/namespaces/${config.temporal.namespace}/workflows/${encodeURIComponent(started.id)}${runId}/history`)
  console.log(`  API                 ${api}/invoices/${id} (token: ${approver.token})`)
  console.log(`  console             ${api}/app/invoices/${id} (after bash scripts/start.sh; sign in with ${approver.token})`)
}

/**
 * Life after delivery: a goodwill discount as a credit note (drafted and confirmed by the
 * accountant, approved by the approver, then booked, stored and e-mailed), and the rest paid,
 * recorded by hand as if from the bank statement.
 */
async function creditAndPay(id: string, invoice: InvoiceBody): Promise<{ number: string; total: string; pdfPath: string; paid: string; state: string }> {
  const started = (await call('POST', `/invoices/${id}/credit-notes`, accountant.token, { reason: 'Goodwill discount agreed with the customer', correction: 'terms', amount: '112.00' })) as {
    id: string
    creditNote: { fingerprint: string; total: string; remainingAfter: string }
  }
  const cn = encodeURIComponent(started.id)
  step(`${accountant.user} drafted a credit note ${started.id}: ${started.creditNote.total} credited, ${started.creditNote.remainingAfter} left of the invoice`)
  const confirmed = (await call('POST', `/credit-notes/${cn}/confirm`, accountant.token, { fingerprint: started.creditNote.fingerprint })) as { creditNoteNumber: string; pdfVersion: number }
  step(`${accountant.user} confirmed it: number ${confirmed.creditNoteNumber}, PDF version ${confirmed.pdfVersion}`)
  const pdf = await fetch(`${api}/credit-notes/${cn}/pdf`, { headers: { authorization: `Bearer ${approver.token}` } })
  const pdfPath = `.local/demo/${confirmed.creditNoteNumber}.pdf`
  writeFileSync(pdfPath, Buffer.from(await pdf.arrayBuffer()))
  await call('POST', `/credit-notes/${cn}/approve`, approver.token, { pdfVersion: confirmed.pdfVersion })
  step(`${approver.user} approved it; it is booked in PlanFact, stored in R2 and e-mailed`)
  const done = await waitForCreditNote(cn)
  if (done.state !== 'completed') throw new Error(`the credit note needs attention: ${done.attention?.step}: ${done.attention?.reason}`)
  const due = (await waitFor(id, (v) => v.balance?.credited === '112.00', 60_000)).balance!.due
  const paid = (await call('POST', `/invoices/${id}/payments`, accountant.token, { amount: due, paidOn: new Date().toISOString().slice(0, 10), reference: `DEMO-${invoice.invoiceNumber}` })) as { state: string }
  step(`${accountant.user} recorded the customer's payment of ${due} from the bank statement: ${paid.state}`)
  return { number: confirmed.creditNoteNumber, total: done.total, pdfPath, paid: due, state: paid.state }
}

async function waitForCreditNote(cn: string): Promise<{ state: string; total: string; attention: { step: string; reason: string } | null }> {
  for (let i = 0; i < 240; i += 1) {
    const note = (await call('GET', `/credit-notes/${cn}`, accountant.token)) as { state: string; total: string; attention: { step: string; reason: string } | null }
    if (note.state === 'completed' || note.state === 'needs_attention') return note
    await new Promise((resolve) => setTimeout(resolve, 500))
  }
  throw new Error('the credit note did not complete within 2 minutes')
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
  step(`to do it in the console: bash scripts/start.sh, open ${api}/app/invoices/${encodeURIComponent(id)} and sign in with the token ${accountant.token}`)
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

(process.argv.includes('--late-work') ? showLateWork() : run()).catch((err) => {
  console.error(err instanceof Error ? err.message : err)
  process.exit(1)
})
