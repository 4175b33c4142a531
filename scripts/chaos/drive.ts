import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { loadConfig } from '../../lib/config.js'
import { financeTeam } from '../finance-tokens.js'
import { createFinanceApi, sleep, type ApiAnswer } from './finance-api.js'
import { candidatePairs, type DeliveryKind } from './deals.js'
import { countMessages } from './read-effects.js'

/**
 * The chaos suite's finance team: through the HTTP API only, starts invoices of many deals,
 * confirms each (the accountant, with its preview's fingerprint), approves each (the approver,
 * with its PDF version), accepts the Didox ones as the buyer would (the Didox fake's control
 * route), and credits a few e-mailed ones after delivery. Every action carries an
 * Idempotency-Key and is sent again on 503 or no answer (scripts/chaos/finance-api.ts).
 * Writes a JSON summary (--out) and, every few seconds, its progress (--progress) and a line.
 *
 *   npx tsx scripts/chaos/drive.ts --email 4 --didox 4 --credit-notes 1 --out f.json [--progress p.json] [--timeout 600] [--kill-log kills.jsonl]
 */
const { values } = parseArgs({
  options: {
    email: { type: 'string', default: '4' },
    didox: { type: 'string', default: '4' },
    'credit-notes': { type: 'string', default: '1' },
    out: { type: 'string' },
    progress: { type: 'string' },
    timeout: { type: 'string', default: '900' },
    'kill-log': { type: 'string' },
  },
  strict: true,
})
const config = loadConfig()
const { accountant, approver, operator } = financeTeam(config.apiTokens)
const mailpitUrl = process.env.MAILPIT_URL ?? 'http://127.0.0.1:8025'
let operatorActions = 0
const deadline = Date.now() + Number(values.timeout) * 1000
const api = createFinanceApi({ baseUrl: `http://127.0.0.1:${config.api.port}`, deadline })

const DELIVERED = ['awaiting_payment', 'partially_paid', 'overdue', 'paid', 'completed']
const SETTLED = [...DELIVERED, 'needs_attention', 'void', 'cancelled']

interface InvoiceRecord {
  id: string
  kind: DeliveryKind
  state: string
  number: string | null
  attention: string | null
  settledAt: string | null
  approved: boolean
}
interface CreditNoteRecord {
  id: string
  invoiceId: string
  state: string
  attention: string | null
  settledAt: string | null
}
interface InvoiceDetail {
  state: string
  invoiceNumber: string | null
  pdfVersion: number | null
  attention: { step: string; reason: string } | null
  dispatch: Record<string, { status: string; externalId?: string }>
  preview: { sourceFingerprint: string; lines: unknown[]; errors: unknown[] } | null
}

const invoices: InvoiceRecord[] = []
const creditNotes: CreditNoteRecord[] = []
const startedAt = new Date().toISOString()

async function run(): Promise<void> {
  const taken = await existingInvoiceIds()
  const queues: Record<DeliveryKind, { dealId: string; period: string }[]> = {
    email: candidatePairs('email').filter((p) => !taken.has(`invoice:${p.dealId}:${p.period}`)),
    didox: candidatePairs('didox').filter((p) => !taken.has(`invoice:${p.dealId}:${p.period}`)),
  }
  let creditsLeft = Number(values['credit-notes'])
  const flows: Promise<void>[] = []
  const want: [DeliveryKind, number][] = [
    ['email', Number(values.email)],
    ['didox', Number(values.didox)],
  ]
  for (const [kind, count] of want) {
    for (let i = 0; i < count; i += 1) {
      flows.push(
        (async () => {
          const record = await invoiceFlow(kind, queues[kind])
          if (record && kind === 'email' && DELIVERED.includes(record.state) && creditsLeft > 0) {
            creditsLeft -= 1
            await creditNoteFlow(record)
          }
        })(),
      )
    }
  }
  const ticker = setInterval(reportProgress, 5_000)
  try {
    await Promise.all(flows)
  } finally {
    clearInterval(ticker)
    reportProgress()
    writeSummary()
  }
}

/** One invoice, start to settled. Null when the candidates ran out. */
async function invoiceFlow(kind: DeliveryKind, queue: { dealId: string; period: string }[]): Promise<InvoiceRecord | null> {
  for (;;) {
    const pair = queue.shift()
    if (!pair) {
      console.error(`no ${kind} deal/period left to invoice`)
      return null
    }
    const id = await start(pair)
    if (!id) continue
    const record: InvoiceRecord = { id, kind, state: 'prefilling', number: null, attention: null, settledAt: null, approved: false }
    invoices.push(record)
    const outcome = await confirmAndApprove(record)
    if (outcome === 'nothing to bill') {
      invoices.splice(invoices.indexOf(record), 1)
      continue
    }
    await settle(record)
    return record
  }
}

async function start(pair: { dealId: string; period: string }): Promise<string | null> {
  const res = await api.call('POST', '/invoices', accountant.token, pair, { waitSeconds: 30 })
  if (res.status === 201 || res.status === 202) return String(res.body.id)
  // Our own start whose answer was lost: the retry finds it (the driver skipped taken pairs).
  if (res.status === 409 && res.body.code === 'ALREADY_EXISTS' && ['prefilling', 'awaiting_confirmation'].includes(String(res.body.state))) return String(res.body.workflowId)
  console.error(`${pair.dealId} ${pair.period}: HTTP ${res.status} ${String(res.body.code)}; taking the next one`)
  return null
}

/** Confirm with the preview's fingerprint, then approve the PDF version. */
async function confirmAndApprove(record: InvoiceRecord): Promise<'ok' | 'nothing to bill'> {
  const path = `/invoices/${encodeURIComponent(record.id)}`
  let detail = await waitForState(record, ['awaiting_confirmation', 'needs_attention'])
  for (let round = 1; detail.state === 'awaiting_confirmation'; round += 1) {
    const preview = detail.preview
    if (!preview || preview.lines.length === 0 || preview.errors.length > 0) {
      await api.call('POST', `${path}/cancel`, accountant.token, { reason: 'chaos drill: nothing to bill in this period' }, { idempotencyKey: `cancel-${record.id}` })
      return 'nothing to bill'
    }
    const res = await api.call('POST', `${path}/confirm`, accountant.token, { fingerprint: preview.sourceFingerprint }, { idempotencyKey: `confirm-${round}-${record.id}` })
    if (res.status === 422 && res.body.code === 'NOTHING_TO_BILL') {
      await api.call('POST', `${path}/cancel`, accountant.token, { reason: 'chaos drill: nothing to bill' }, { idempotencyKey: `cancel-${record.id}` })
      return 'nothing to bill'
    }
    if (res.status >= 400 && res.body.code !== 'STALE_PREVIEW' && res.body.code !== 'WRONG_STATE') throw new Error(`confirm ${record.id}: HTTP ${res.status} ${JSON.stringify(res.body)}`)
    // Accepted: wait for the run to move on. It may still refuse inside (STALE_PREVIEW after the
    // API's wait ended): the page then shows the same preview, and the accountant refreshes it.
    detail = await waitForConfirmOutcome(record, preview.sourceFingerprint, res.status >= 400 ? 0 : 60_000)
    if (detail.state === 'awaiting_confirmation' && detail.preview?.sourceFingerprint === preview.sourceFingerprint) {
      // STALE_PREVIEW: the sources or the ledger moved (another month of the deal billed late work);
      // compute the preview again and confirm what it now shows.
      await api.call('POST', `${path}/refresh`, accountant.token, {}, { idempotencyKey: `refresh-${round}-${record.id}` })
      detail = await waitForState(record, ['awaiting_confirmation', 'awaiting_approval', 'needs_attention'])
    }
  }
  // WRONG_STATE: the page (the read model) ran ahead of a run replaying after a kill, which still
  // stood at finalizing; the approver reloads and approves again, as a person would.
  for (let round = 1; detail.state === 'awaiting_approval'; round += 1) {
    const res = await api.call('POST', `${path}/approve`, approver.token, { pdfVersion: detail.pdfVersion }, { idempotencyKey: `approve-v${detail.pdfVersion}-${round}-${record.id}` })
    if (res.status < 400) break
    if (res.body.code !== 'WRONG_STATE' || round >= 30) throw new Error(`approve ${record.id}: HTTP ${res.status} ${JSON.stringify(res.body)}`)
    await sleep(2_000)
    detail = await waitForState(record, ['awaiting_approval', 'dispatching', 'awaiting_payment', 'needs_attention'])
  }
  record.approved = true
  return 'ok'
}

/** Waits for delivery (accepting a Didox e-invoice as the buyer) or needs_attention. */
async function settle(record: InvoiceRecord): Promise<void> {
  let accepted = false
  for (;;) {
    const detail = await readInvoice(record)
    const didox = detail.dispatch.didox
    if (detail.state === 'needs_attention' && (await actAsOperator(`/invoices/${encodeURIComponent(record.id)}`, detail.attention?.reason))) continue
    if (SETTLED.includes(detail.state)) break
    if (!accepted && didox?.status === 'done' && didox.externalId) {
      const res = await fetch(`${config.didox.url}/__control/documents/${didox.externalId}/status`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ status: 3 }) }).catch(() => null)
      accepted = res?.ok === true
    }
    if (Date.now() > deadline) return
    await sleep(2_000 + Math.random() * 1_000)
  }
  record.settledAt = new Date().toISOString()
}

/** A goodwill credit of 10.00 after delivery: drafted, confirmed, approved by the other person. */
async function creditNoteFlow(invoice: InvoiceRecord): Promise<void> {
  const path = `/invoices/${encodeURIComponent(invoice.id)}/credit-notes`
  const res = await api.call('POST', path, accountant.token, { reason: 'chaos drill: goodwill discount', correction: 'terms', amount: '10.00' }, { waitSeconds: 30 })
  if (res.status >= 400 && res.body.code !== 'CONFLICT') throw new Error(`credit note of ${invoice.id}: HTTP ${res.status} ${JSON.stringify(res.body)}`)
  // Whatever exists now is ours (a lost answer retried may have drafted it already).
  const listed = await api.call('GET', path, accountant.token)
  const ids = ((listed.body.items ?? []) as { id: string }[]).map((c) => c.id)
  await Promise.all(ids.map((id) => driveCreditNote(invoice.id, id)))
}

async function driveCreditNote(invoiceId: string, id: string): Promise<void> {
  const record: CreditNoteRecord = { id, invoiceId, state: 'drafting', attention: null, settledAt: null }
  creditNotes.push(record)
  const path = `/credit-notes/${encodeURIComponent(id)}`
  let confirmed = false
  let approved = false
  while (Date.now() < deadline) {
    const note = (await api.call('GET', path, accountant.token)).body as { state: string; fingerprint: string | null; pdfVersion: number | null; attention: { reason: string } | null }
    record.state = note.state
    record.attention = note.attention?.reason ?? null
    if (note.state === 'needs_attention' && (await actAsOperator(path, note.attention?.reason))) continue
    if (['completed', 'cancelled', 'needs_attention'].includes(note.state)) {
      record.settledAt = new Date().toISOString()
      return
    }
    if (note.state === 'awaiting_confirmation' && !confirmed) {
      const res = await api.call('POST', `${path}/confirm`, accountant.token, { fingerprint: note.fingerprint }, { idempotencyKey: `confirm-${id}` })
      confirmed = res.status < 400
    }
    if (note.state === 'awaiting_approval' && !approved) {
      const res = await api.call('POST', `${path}/approve`, approver.token, { pdfVersion: note.pdfVersion }, { idempotencyKey: `approve-${id}` })
      approved = res.status < 400
    }
    await sleep(2_000)
  }
}

/**
 * What the operator does with an e-mail whose outcome is unknown (a worker died while sending,
 * docs/storage-and-email.md): looks for its Message-ID in the mailbox (Mailpit), then skips the
 * step when it arrived, or retries it when it did not. Answers false for any other attention.
 */
async function actAsOperator(path: string, reason: string | undefined): Promise<boolean> {
  const messageId = reason?.includes('may or may not have been sent') ? /<([^>]+)>/.exec(reason)?.[1] : undefined
  if (!messageId) return false
  const arrived = (await countMessages(mailpitUrl, messageId)) > 0
  operatorActions += 1
  // An Idempotency-Key takes letters, digits, ".", "_", ":" and "-" only (a Message-ID has "@").
  const key = (action: string) => `${action}-${operatorActions}-${messageId}`.replace(/[^A-Za-z0-9._:-]/g, '-').slice(0, 100)
  const res = arrived
    ? await api.call('POST', `${path}/skip`, operator.token, { reason: `chaos drill: ${messageId} is in the mailbox` }, { idempotencyKey: key('skip') })
    : await api.call('POST', `${path}/retry`, operator.token, undefined, { idempotencyKey: key('retry') })
  console.log(`operator: ${path}: ${messageId} ${arrived ? 'arrived: skip' : 'not in the mailbox: retry'} (HTTP ${res.status})`)
  await sleep(2_000)
  return true
}

/** Polls the invoice until its state is one of `states` (and, when given, not one of `leave` first). */
/** After a confirm: the invoice left awaiting_confirmation, its preview changed, or `waitMs` passed. */
async function waitForConfirmOutcome(record: InvoiceRecord, fingerprint: string, waitMs: number): Promise<InvoiceDetail> {
  const giveUpAt = Date.now() + waitMs
  for (;;) {
    const detail = await readInvoice(record)
    if (detail.state !== 'awaiting_confirmation' && detail.state !== 'prefilling') return detail
    if (detail.state === 'awaiting_confirmation' && (detail.preview?.sourceFingerprint !== fingerprint || Date.now() >= giveUpAt)) return detail
    if (Date.now() > deadline) throw new Error(`${record.id}: still ${detail.state} at the time bound`)
    await sleep(1_500 + Math.random() * 1_000)
  }
}

async function waitForState(record: InvoiceRecord, states: string[], leave?: string[]): Promise<InvoiceDetail> {
  let left = leave === undefined
  for (;;) {
    const detail = await readInvoice(record)
    if (!left && !leave!.includes(detail.state)) left = true
    if (left && states.includes(detail.state)) return detail
    if (Date.now() > deadline) throw new Error(`${record.id}: still ${detail.state} at the time bound`)
    await sleep(1_500 + Math.random() * 1_000)
  }
}

async function readInvoice(record: InvoiceRecord): Promise<InvoiceDetail> {
  const res: ApiAnswer = await api.call('GET', `/invoices/${encodeURIComponent(record.id)}`, accountant.token)
  const detail = res.body as unknown as InvoiceDetail
  record.state = detail.state
  record.number = detail.invoiceNumber ?? record.number
  record.attention = detail.attention ? `${detail.attention.step}: ${detail.attention.reason}` : null
  return detail
}

async function existingInvoiceIds(): Promise<Set<string>> {
  const ids = new Set<string>()
  let cursor: string | null = null
  do {
    const res = await api.call('GET', `/invoices?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, accountant.token)
    for (const item of (res.body.items ?? []) as { id: string }[]) ids.add(item.id)
    cursor = (res.body.nextCursor as string | null) ?? null
  } while (cursor)
  return ids
}

function reportProgress(): void {
  const count = (pred: (r: InvoiceRecord) => boolean) => invoices.filter(pred).length
  const progress = {
    invoices: invoices.length,
    approved: count((r) => r.approved),
    settled: count((r) => r.settledAt !== null),
    needsAttention: count((r) => r.state === 'needs_attention'),
    creditNotes: creditNotes.length,
    creditNotesSettled: creditNotes.filter((c) => c.settledAt !== null).length,
    apiRetries: api.retried(),
    operatorActions,
    kills: values['kill-log'] && existsSync(values['kill-log']) ? readFileSync(values['kill-log'], 'utf8').split('\n').filter(Boolean).length : undefined,
  }
  if (values.progress) writeFileSync(values.progress, JSON.stringify(progress))
  const states: Record<string, number> = {}
  for (const r of invoices) states[r.state] = (states[r.state] ?? 0) + 1
  const kills = progress.kills === undefined ? '' : `, kills ${progress.kills}`
  console.log(
    `[${new Date().toISOString().slice(11, 19)}] invoices settled ${progress.settled}/${progress.invoices} (approved ${progress.approved}), credit notes ${progress.creditNotesSettled}/${progress.creditNotes}, API retries ${progress.apiRetries}${kills}; ${Object.entries(states).map(([s, n]) => `${s} ${n}`).join(', ')}`,
  )
}

function writeSummary(): void {
  if (!values.out) return
  writeFileSync(values.out, JSON.stringify({ startedAt, finishedAt: new Date().toISOString(), invoices, creditNotes, apiRetries: api.retried(), operatorActions }, null, 2))
}

run().catch((err) => {
  writeSummary()
  console.error(err)
  process.exit(1)
})
