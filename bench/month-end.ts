import { spawn, type ChildProcess } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { PutObjectCommand } from '@aws-sdk/client-s3'
import { Client, Connection } from '@temporalio/client'
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker'
import pg from 'pg'
import { createClickHouse } from '../clients/clickhouse.js'
import { createEmailTransport } from '../clients/email.js'
import { createGotenbergClient } from '../clients/gotenberg.js'
import { createR2Client } from '../clients/r2.js'
import { loadConfig } from '../lib/config.js'
import { temporalConnectionOptions } from '../lib/temporal-connection-options.js'
import { financeTeam } from '../scripts/finance-tokens.js'
import { createFinanceApi, sleep, type ApiAnswer } from '../scripts/chaos/finance-api.js'
import { generateScaleSources, type ScaleSummary } from '../sources/generate/scale.js'
import { applySourceSchema, truncateSourceTables } from '../sources/schema.js'
import { CONCERNS, needsClickHouse, parseConcerns, taskQueueOf } from '../workers/concerns.js'
import { idleWorkflow, pingUpdate } from './idle-workflow.js'

const USAGE = `The month-end run at scale (docs/deploy.md, "How many workers"): N deals generated for one
month, the billing run started through the API, every invoice confirmed (alice, with the preview's
fingerprint) and approved (bob, with the PDF version) through the API, Didox ones accepted as the
buyer through the fake, all dispatched to the fakes, moto and Mailpit. Reports the time to the last
invoice delivered, throughput, p50/p99 per stage, CPU seconds per invoice and peak memory per
process, and the floors. Run it through bench/month-end.sh (its own database, namespace, queue,
bucket, ports and ClickHouse directory); the environment it needs is set there.

  bash bench/month-end.sh [--deals 1000] [--workers all] [--seed 42] [--month 2026-10]
                          [--concurrency 20] [--actors 16] [--timeout 1800] [--regenerate]

  --deals N         deals (one invoice each), default 1000
  --workers LIST    worker processes, ';' between processes, each a WORKER_CONCERNS value:
                    "all" (default: one process), "workflows,prefill,effects;documents,planfact"
  --concurrency N   the billing run's prefills at once (1-20, default 20)
  --actors N        requests each finance person has in flight (default 16)
  --timeout S       give up after S seconds (default 1800)
  --regenerate      generate the source data even if the same seed, deals and month are there
  --start MODE      billing-run: POST /billing-runs (default); invoices: POST /invoices per
                    deal, --concurrency at once

Each process that reads ClickHouse (serving prefill or effects: workers/concerns.ts) gets its own
copy of the ClickHouse directory (the embedded engine locks it).`

const { values } = parseArgs({
  options: {
    deals: { type: 'string', default: '1000' },
    workers: { type: 'string', default: 'all' },
    seed: { type: 'string', default: '42' },
    month: { type: 'string', default: '2026-10' },
    concurrency: { type: 'string', default: '20' },
    actors: { type: 'string', default: '16' },
    timeout: { type: 'string', default: '1800' },
    regenerate: { type: 'boolean', default: false },
    start: { type: 'string' },
    help: { type: 'boolean', default: false },
  },
  strict: true,
})
if (values.help) {
  console.log(USAGE)
  process.exit(0)
}

const DEALS = positiveInt('--deals', values.deals)
const SEED = positiveInt('--seed', values.seed)
const MONTH = values.month
const ACTORS = positiveInt('--actors', values.actors)
const CONCURRENCY = positiveInt('--concurrency', values.concurrency)
const TIMEOUT_S = positiveInt('--timeout', values.timeout)
const WORKER_LAYOUT = values.workers.split(';').map((s) => s.trim()).filter(Boolean)
if (WORKER_LAYOUT.length === 0) throw new Error('--workers: give at least one process')
for (const w of WORKER_LAYOUT) parseConcerns(w)
const prefillProcesses = WORKER_LAYOUT.filter((w) => parseConcerns(w).includes('prefill')).length
const clickhouseProcesses = WORKER_LAYOUT.filter((w) => needsClickHouse(parseConcerns(w))).length
const planfactProcesses = WORKER_LAYOUT.filter((w) => parseConcerns(w).includes('planfact')).length
if (prefillProcesses === 0) throw new Error('--workers: no process serves prefill')
if (planfactProcesses !== 1) throw new Error(`--workers: planfact must be served by exactly one process (${planfactProcesses} do)`)
for (const c of CONCERNS) if (!WORKER_LAYOUT.some((w) => parseConcerns(w).includes(c))) throw new Error(`--workers: no process serves ${c}`)

const START_MODE = values.start ?? 'billing-run'
if (START_MODE !== 'billing-run' && START_MODE !== 'invoices') throw new Error(`--start: billing-run or invoices, got ${START_MODE}`)

const BENCH_DIR = process.env.BENCH_DIR ?? '.local/bench/month-end'
const config = loadConfig()
if (!config.temporal.taskQueue.startsWith('invoicing-bench') || config.s3.bucket === 'invoices') throw new Error('run through bench/month-end.sh: it sets the bench stack (task queue invoicing-bench, its own bucket and database)')
const { accountant, approver } = financeTeam(config.apiTokens)
const apiUrl = `http://127.0.0.1:${config.api.port}`
const startedWall = Date.now()
const deadline = startedWall + TIMEOUT_S * 1000
const api = createFinanceApi({ baseUrl: apiUrl, deadline })
const ownerUrl = process.env.DATABASE_OWNER_URL ?? config.database.url
const dbName = new URL(config.database.url).pathname.slice(1)
const DELIVERED = ['awaiting_payment', 'partially_paid', 'overdue', 'paid', 'completed']
const log = (text: string) => console.error(`[${new Date().toISOString().slice(11, 19)}] ${text}`)

// ---------------------------------------------------------------- processes

interface Proc {
  name: string
  child: ChildProcess
}
const procs: Proc[] = []

function start(name: string, script: string, env: Record<string, string>): Proc {
  mkdirSync(BENCH_DIR, { recursive: true })
  const logFile = `${BENCH_DIR}/${name}.log`
  // A file descriptor keeps the child's output off this process's event loop.
  const out = openSync(logFile, 'a')
  const child = spawn(process.execPath, ['--import', 'tsx', script], { stdio: ['ignore', out, out], env: { ...process.env, LOG_LEVEL: 'WARN', DATABASE_POOL_IDLE_MS: '0', ...env } })
  writeFileSync(`${BENCH_DIR}/${name}.pid`, String(child.pid))
  const proc = { name, child }
  procs.push(proc)
  return proc
}

let stopping: Promise<void> | null = null
function stopAll(): Promise<void> {
  stopping ??= (async () => {
    for (const p of procs) if (p.child.exitCode === null) p.child.kill('SIGTERM')
    const until = Date.now() + 15_000
    while (procs.some((p) => p.child.exitCode === null && p.child.signalCode === null) && Date.now() < until) await sleep(200)
    for (const p of procs) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL')
    for (const p of procs) rmSync(`${BENCH_DIR}/${p.name}.pid`, { force: true })
  })()
  return stopping
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    log(`${signal}: stopping the bench's processes`)
    void stopAll().then(() => process.exit(130))
  })
}

// ---------------------------------------------------------------- /proc

interface ProcStat { pid: number; ppid: number; cpu: number; childCpu: number; rssKb: number }
const TICKS = 100
const PAGE_KB = 4

function readStat(pid: number): ProcStat | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const f = text.slice(text.lastIndexOf(')') + 2).split(' ')
    return { pid, ppid: Number(f[1]), cpu: (Number(f[11]) + Number(f[12])) / TICKS, childCpu: (Number(f[13]) + Number(f[14])) / TICKS, rssKb: Number(f[21]) * PAGE_KB }
  } catch {
    return null
  }
}

function allStats(): Map<number, ProcStat> {
  const stats = new Map<number, ProcStat>()
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    const s = readStat(Number(entry))
    if (s) stats.set(s.pid, s)
  }
  return stats
}

/** CPU seconds of a process and all its descendants (alive: own time; reaped: in their parent's child time), and their RSS. */
function treeUsage(root: number, stats: Map<number, ProcStat>): { cpu: number; rssKb: number; pids: number } {
  const children = new Map<number, number[]>()
  for (const s of stats.values()) children.set(s.ppid, [...(children.get(s.ppid) ?? []), s.pid])
  let cpu = 0
  let rssKb = 0
  let pids = 0
  const stack = [root]
  while (stack.length > 0) {
    const pid = stack.pop()!
    const s = stats.get(pid)
    if (!s) continue
    cpu += s.cpu + s.childCpu
    rssKb += s.rssKb
    pids += 1
    stack.push(...(children.get(pid) ?? []))
  }
  return { cpu, rssKb, pids }
}

function vmHwmKb(pid: number): number | null {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
    return m ? Number(m[1]) : null
  } catch {
    return null
  }
}

function pidFile(file: string): number | null {
  try {
    const pid = Number(readFileSync(file, 'utf8').trim().split('\n')[0])
    return Number.isInteger(pid) && pid > 0 && existsSync(`/proc/${pid}`) ? pid : null
  } catch {
    return null
  }
}

interface Tracked { name: string; pid: number; shared: boolean; note?: string }

function trackedProcesses(): Tracked[] {
  const ours: Tracked[] = procs.map((p) => ({ name: p.name, pid: p.child.pid!, shared: false }))
  const shared: [string, string | undefined, string][] = [
    ['temporal server', '.local/temporal/server.pid', 'every namespace on it'],
    ['postgresql (whole cluster)', process.env.BENCH_PG_PIDFILE, 'every database on it; the bench database alone is the next row'],
    ['gotenberg + chromium', '.local/gotenberg/server.pid', 'everyone\'s PDFs'],
    ['moto (S3)', '.local/s3/server.pid', 'every bucket'],
    ['mailpit (SMTP)', '.local/mailpit/server.pid', 'every mailbox'],
  ]
  for (const [name, file, note] of shared) {
    const pid = file ? pidFile(file) : null
    if (pid) ours.push({ name, pid, shared: true, note })
  }
  return ours
}

/** Samples RSS of every tracked tree and the CPU of the bench database's PostgreSQL backends. */
function createSampler(tracked: Tracked[], pgPool: pg.Pool) {
  const peakRssKb = new Map<string, number>()
  const backendCpu = new Map<number, { first: number; last: number; rssKb: number }>()
  let backendPeakRssKb = 0
  let timer: NodeJS.Timeout | null = null
  const sample = async () => {
    const stats = allStats()
    for (const t of tracked) peakRssKb.set(t.name, Math.max(peakRssKb.get(t.name) ?? 0, treeUsage(t.pid, stats).rssKb))
    try {
      const { rows } = await pgPool.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [dbName])
      let rss = 0
      for (const { pid } of rows) {
        const s = stats.get(pid) ?? readStat(pid)
        if (!s) continue
        const known = backendCpu.get(pid)
        // A backend first seen after the start counts from 0: it was opened during the run.
        backendCpu.set(pid, { first: known?.first ?? (started ? 0 : s.cpu), last: s.cpu, rssKb: s.rssKb })
        rss += s.rssKb
      }
      backendPeakRssKb = Math.max(backendPeakRssKb, rss)
    } catch {
      // PostgreSQL restarting: the next sample catches up
    }
  }
  let started = false
  return {
    async start() {
      await sample()
      started = true
      timer = setInterval(() => void sample(), 1_000)
    },
    async stop() {
      if (timer) clearInterval(timer)
      await sample()
    },
    peakRssKb,
    backendCpuSeconds: () => [...backendCpu.values()].reduce((sum, b) => sum + (b.last - b.first), 0),
    backendPeakRssKb: () => backendPeakRssKb,
  }
}

// ---------------------------------------------------------------- data

async function prepareData(): Promise<ScaleSummary> {
  const dataDir = `${BENCH_DIR}/clickhouse`
  const marker = `${BENCH_DIR}/data.json`
  const key = JSON.stringify({ seed: SEED, deals: DEALS, month: MONTH, generator: 1 })
  if (!values.regenerate && existsSync(marker) && existsSync(dataDir)) {
    const saved = JSON.parse(readFileSync(marker, 'utf8')) as { key: string; summary: ScaleSummary }
    if (saved.key === key) {
      log(`source data: reusing ${dataDir} (seed ${SEED}, ${DEALS} deals, ${MONTH}; --regenerate to write it again)`)
      return saved.summary
    }
  }
  rmSync(dataDir, { recursive: true, force: true })
  log(`source data: generating ${DEALS} deals for ${MONTH} (seed ${SEED}) into ${dataDir}`)
  const client = createClickHouse({ ...config.clickhouse, url: undefined, path: dataDir, timeoutMs: 120_000 })
  try {
    await applySourceSchema(client)
    await truncateSourceTables(client)
    const summary = await generateScaleSources(client, {
      seed: SEED,
      deals: DEALS,
      month: MONTH,
      onProgress: (p) => log(`  ${p.phase} ${p.done}/${p.total} (${((100 * p.done) / Math.max(1, p.total)).toFixed(0)}%), ${(p.elapsedMs / 1000).toFixed(1)} s, rss ${Math.round(process.memoryUsage.rss() / 2 ** 20)} MB`),
    })
    log(`source data: ${summary.customers} customers, ${summary.contacts} contacts, ${summary.deals.length} deals, ${summary.issues} issues, ${summary.worklogs} worklogs in ${(summary.elapsedMs / 1000).toFixed(1)} s`)
    writeFileSync(marker, JSON.stringify({ key, summary }))
    return summary
  } finally {
    await client.close()
  }
}

/** The embedded engine locks its directory: each process that reads ClickHouse gets a copy. */
function clickhouseDirFor(slot: number): string {
  const source = `${BENCH_DIR}/clickhouse`
  if (clickhouseProcesses === 1) return source
  const copy = `${BENCH_DIR}/clickhouse-${slot}`
  rmSync(copy, { recursive: true, force: true })
  cpSync(source, copy, { recursive: true })
  return copy
}

// ---------------------------------------------------------------- the finance team

interface InvoiceTrack {
  id: string
  dealId: string
  delivery: 'email' | 'didox'
  confirmedAt?: number
  approvedAt?: number
  accepted?: boolean
  outcome?: string
}

interface InvoiceDetail {
  state: string
  pdfVersion: number | null
  dispatch: Record<string, { status: string; externalId?: string }>
  preview: { sourceFingerprint: string; lines: unknown[]; errors: unknown[] } | null
}

/** A queue served by `limit` workers at once. */
function createPool<T>(limit: number, task: (item: T) => Promise<void>) {
  const items: T[] = []
  let running = 0
  let failures = 0
  const pump = () => {
    while (running < limit && items.length > 0) {
      const item = items.shift()!
      running += 1
      task(item)
        .catch((err) => {
          failures += 1
          log(`finance: ${err instanceof Error ? err.message : String(err)}`)
        })
        .finally(() => {
          running -= 1
          pump()
        })
    }
  }
  return {
    push(item: T) {
      items.push(item)
      pump()
    },
    busy: () => running + items.length,
    failures: () => failures,
  }
}

async function readInvoice(id: string): Promise<InvoiceDetail> {
  const res: ApiAnswer = await api.call('GET', `/invoices/${encodeURIComponent(id)}`, accountant.token)
  if (res.status !== 200) throw new Error(`GET ${id}: HTTP ${res.status} ${JSON.stringify(res.body)}`)
  return res.body as unknown as InvoiceDetail
}

async function waitForState(id: string, states: string[]): Promise<InvoiceDetail> {
  for (;;) {
    const detail = await readInvoice(id)
    if (states.includes(detail.state)) return detail
    if (Date.now() > deadline) throw new Error(`${id}: still ${detail.state} at the time bound`)
    await sleep(1_000)
  }
}

function createFinanceTeam(deliveries: Map<string, 'email' | 'didox'>) {
  const tracks = new Map<string, InvoiceTrack>()
  const path = (id: string) => `/invoices/${encodeURIComponent(id)}`

  // bob: approves the PDF version alice's confirmation answered with (WRONG_STATE: reload, again).
  const approve = createPool<{ track: InvoiceTrack; pdfVersion: number }>(ACTORS, async ({ track, pdfVersion }) => {
    for (let round = 1; ; round += 1) {
      const res = await api.call('POST', `${path(track.id)}/approve`, approver.token, { pdfVersion }, { idempotencyKey: `approve-v${pdfVersion}-${round}-${track.id}`, waitSeconds: 60 })
      if (res.status < 400) break
      if (res.body.code !== 'WRONG_STATE' || round >= 30) throw new Error(`approve ${track.id}: HTTP ${res.status} ${JSON.stringify(res.body)}`)
      await sleep(2_000)
      pdfVersion = (await waitForState(track.id, ['awaiting_approval'])).pdfVersion ?? pdfVersion
    }
    track.approvedAt = Date.now()
    if (track.delivery === 'didox') didox.push(track)
  })

  // alice: confirms the preview she reads, with its fingerprint; the answer carries the PDF version.
  const confirm = createPool<InvoiceTrack>(ACTORS, async (track) => {
    for (let round = 1; ; round += 1) {
      const detail = await readInvoice(track.id)
      if (detail.state === 'awaiting_approval' && detail.pdfVersion !== null) {
        track.confirmedAt = Date.now()
        approve.push({ track, pdfVersion: detail.pdfVersion })
        return
      }
      if (detail.state !== 'awaiting_confirmation') {
        if (round > 120) throw new Error(`confirm ${track.id}: still ${detail.state}`)
        await sleep(1_000)
        continue
      }
      const preview = detail.preview
      if (!preview || preview.lines.length === 0 || preview.errors.length > 0) {
        track.outcome = `not billed: ${!preview ? 'no preview' : preview.lines.length === 0 ? 'nothing to bill' : `preview errors ${JSON.stringify(preview.errors).slice(0, 200)}`}`
        await api.call('POST', `${path(track.id)}/cancel`, accountant.token, { reason: 'bench: nothing to bill' }, { idempotencyKey: `cancel-${track.id}` })
        return
      }
      const res = await api.call('POST', `${path(track.id)}/confirm`, accountant.token, { fingerprint: preview.sourceFingerprint }, { idempotencyKey: `confirm-${round}-${track.id}`, waitSeconds: 60 })
      if (res.status === 200 && res.body.state === 'awaiting_approval' && typeof res.body.pdfVersion === 'number') {
        track.confirmedAt = Date.now()
        approve.push({ track, pdfVersion: res.body.pdfVersion })
        return
      }
      if (res.status === 422 && res.body.code === 'NOTHING_TO_BILL') {
        track.outcome = 'not billed: NOTHING_TO_BILL'
        await api.call('POST', `${path(track.id)}/cancel`, accountant.token, { reason: 'bench: nothing to bill' }, { idempotencyKey: `cancel-${track.id}` })
        return
      }
      if (res.status === 200 && res.body.state === 'needs_attention') throw new Error(`confirm ${track.id}: needs attention ${JSON.stringify(res.body.attention)}`)
      if (res.status >= 400 && res.body.code !== 'STALE_PREVIEW' && res.body.code !== 'WRONG_STATE') throw new Error(`confirm ${track.id}: HTTP ${res.status} ${JSON.stringify(res.body)}`)
      // 202 (no outcome within the wait), STALE_PREVIEW or WRONG_STATE: read it again.
      await sleep(1_000)
    }
  })

  // the buyer: accepts a Didox e-invoice once it was sent (the fake's control route, as drive.ts).
  const didox = createPool<InvoiceTrack>(Math.max(4, Math.ceil(ACTORS / 2)), async (track) => {
    for (;;) {
      const detail = await readInvoice(track.id)
      const d = detail.dispatch?.didox
      if (DELIVERED.includes(detail.state) || detail.state === 'needs_attention') return
      if (d?.status === 'done' && d.externalId) {
        const res = await fetch(`${config.didox.url}/__control/documents/${d.externalId}/status`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ status: 3 }) }).catch(() => null)
        if (res?.ok) {
          track.accepted = true
          return
        }
      }
      if (Date.now() > deadline) return
      await sleep(1_500)
    }
  })

  return {
    tracks,
    /** New invoices waiting for alice (the read model's list, as her "waiting for me"). */
    async discover(): Promise<number> {
      let cursor: string | null = null
      let found = 0
      do {
        const res = await api.call('GET', `/invoices?state=awaiting_confirmation&period=${MONTH}&limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, accountant.token)
        const items = (res.body.items ?? []) as { id: string; dealId: string }[]
        let fresh = 0
        for (const item of items) {
          if (tracks.has(item.id)) continue
          const track: InvoiceTrack = { id: item.id, dealId: item.dealId, delivery: deliveries.get(item.dealId) ?? 'email' }
          tracks.set(item.id, track)
          confirm.push(track)
          fresh += 1
        }
        found += fresh
        // Newest first: a page with nothing new means the rest was seen before.
        cursor = fresh > 0 ? ((res.body.nextCursor as string | null) ?? null) : null
      } while (cursor)
      return found
    },
    busy: () => confirm.busy() + approve.busy() + didox.busy(),
    failures: () => confirm.failures() + approve.failures() + didox.failures(),
  }
}

// ---------------------------------------------------------------- measurements after the run

interface Timing { ms: number[] }
const add = (m: Map<string, Timing>, key: string, ms: number) => {
  if (!Number.isFinite(ms) || ms < 0) return
  const t = m.get(key) ?? { ms: [] }
  t.ms.push(ms)
  m.set(key, t)
}

interface Pct { n: number; p50: number; p99: number; min: number; max: number; mean: number; sumS: number }
function pct(samples: number[]): Pct {
  const s = [...samples].sort((a, b) => a - b)
  if (s.length === 0) return { n: 0, p50: NaN, p99: NaN, min: NaN, max: NaN, mean: NaN, sumS: 0 }
  const rank = (p: number) => s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!
  const sum = s.reduce((a, b) => a + b, 0)
  const r = (x: number) => Math.round(x * 10) / 10
  return { n: s.length, p50: r(rank(50)), p99: r(rank(99)), min: r(s[0]!), max: r(s.at(-1)!), mean: r(sum / s.length), sumS: Math.round(sum / 100) / 10 }
}

/** Stage times from the invoice events (PostgreSQL): each the time between two events of a run. */
async function stageTimings(pool: pg.Pool): Promise<{ stages: Map<string, Timing>; firstStart: number; lastDelivered: number; delivered: number; states: Record<string, number> }> {
  const { rows } = await pool.query<{ workflow_id: string; type: string; at: Date }>(
    `SELECT e.workflow_id, e.type, e.created_at AS at FROM invoice_events e JOIN invoice_runs r ON r.workflow_run_id = e.workflow_run_id WHERE r.period = $1 ORDER BY e.id`,
    [MONTH],
  )
  const byRun = new Map<string, Map<string, number>>()
  for (const row of rows) {
    const m = byRun.get(row.workflow_id) ?? new Map<string, number>()
    if (!m.has(row.type)) m.set(row.type, row.at.getTime()) // the first of each type (a retry's would be later)
    byRun.set(row.workflow_id, m)
  }
  const stages = new Map<string, Timing>()
  let firstStart = Infinity
  let lastDelivered = 0
  let delivered = 0
  for (const e of byRun.values()) {
    const at = (t: string) => e.get(t) ?? NaN
    const deliveredAt = Math.min(...DELIVERED.map((s) => e.get(`state_${s}`) ?? Infinity))
    firstStart = Math.min(firstStart, at('state_prefilling'))
    if (Number.isFinite(deliveredAt)) {
      delivered += 1
      lastDelivered = Math.max(lastDelivered, deliveredAt)
    }
    add(stages, 'prefill', at('state_awaiting_confirmation') - at('state_prefilling'))
    add(stages, '(wait for the accountant)', at('state_finalizing') - at('state_awaiting_confirmation'))
    add(stages, 'finalize', at('finalized') - at('state_finalizing'))
    add(stages, 'PDF', at('pdf_rendered') - at('finalized'))
    add(stages, '(wait for the approver)', at('state_dispatching') - at('state_awaiting_approval'))
    add(stages, 'dispatch (to delivered)', deliveredAt - at('state_dispatching'))
    add(stages, '  dispatch: PlanFact', at('planfact_done') - at('state_dispatching'))
    add(stages, '  dispatch: R2', at('r2_done') - at('planfact_done'))
    add(stages, '  dispatch: e-mail', at('email_done') - at('r2_done'))
    add(stages, '  dispatch: Didox draft', at('didox_done') - at('r2_done'))
    add(stages, '  dispatch: Didox accepted', deliveredAt - at('didox_done'))
    add(stages, 'start to delivered', deliveredAt - at('state_prefilling'))
  }
  const counts = await pool.query<{ state: string; n: string }>('SELECT state, count(*) AS n FROM invoice_runs WHERE period = $1 GROUP BY state', [MONTH])
  return { stages, firstStart, lastDelivered, delivered, states: Object.fromEntries(counts.rows.map((r) => [r.state, Number(r.n)])) }
}

const STAGE_ORDER = ['prefill', '(wait for the accountant)', 'finalize', 'PDF', '(wait for the approver)', 'dispatch (to delivered)', '  dispatch: PlanFact', '  dispatch: R2',
  '  dispatch: e-mail', '  dispatch: Didox draft', '  dispatch: Didox accepted', 'start to delivered']

const tsMs = (t: { seconds?: unknown; nanos?: number | null } | null | undefined): number => (t ? Number(t.seconds ?? 0) * 1000 + (t.nanos ?? 0) / 1e6 : NaN)

/** Per activity (and workflow tasks): time in the queue (scheduled to started) and running (started to completed), from the histories. */
async function activityTimings(client: Client, ids: string[]): Promise<{ queued: Map<string, Timing>; running: Map<string, Timing> }> {
  const queued = new Map<string, Timing>()
  const running = new Map<string, Timing>()
  let next = 0
  await Promise.all(Array.from({ length: 8 }, async () => {
    while (next < ids.length) {
      const id = ids[next++]!
      let history
      try {
        history = await client.workflow.getHandle(id).fetchHistory()
      } catch {
        continue
      }
      const scheduled = new Map<string, { name: string; at: number }>()
      const started = new Map<string, number>()
      let wfScheduled = NaN
      let wfStarted = NaN
      for (const ev of history.events ?? []) {
        const at = tsMs(ev.eventTime)
        const id = String(ev.eventId)
        if (ev.activityTaskScheduledEventAttributes) scheduled.set(id, { name: ev.activityTaskScheduledEventAttributes.activityType?.name ?? '?', at })
        else if (ev.activityTaskStartedEventAttributes) {
          const s = scheduled.get(String(ev.activityTaskStartedEventAttributes.scheduledEventId))
          if (s) {
            add(queued, s.name, at - s.at)
            started.set(String(ev.activityTaskStartedEventAttributes.scheduledEventId), at)
          }
        } else if (ev.activityTaskCompletedEventAttributes) {
          const key = String(ev.activityTaskCompletedEventAttributes.scheduledEventId)
          const s = scheduled.get(key)
          if (s && started.has(key)) add(running, s.name, at - started.get(key)!)
        } else if (ev.workflowTaskScheduledEventAttributes) wfScheduled = at
        else if (ev.workflowTaskStartedEventAttributes) {
          wfStarted = at
          add(queued, '(workflow task)', at - wfScheduled)
        } else if (ev.workflowTaskCompletedEventAttributes) add(running, '(workflow task)', at - wfStarted)
      }
    }
  }))
  return { queued, running }
}

/** What each step costs with nothing else to wait for, measured now on the same stack. */
async function measureFloors(): Promise<Record<string, Pct & { what: string }>> {
  const floors: Record<string, Pct & { what: string }> = {}
  const time = async (name: string, what: string, count: number, call: (i: number) => Promise<unknown>) => {
    const ms: number[] = []
    for (let i = 0; i < count; i += 1) {
      const t = performance.now()
      try {
        await call(i)
        ms.push(performance.now() - t)
      } catch (err) {
        log(`floor ${name}: ${err instanceof Error ? err.message : String(err)}`)
        return
      }
    }
    floors[name] = { what, ...pct(ms.slice(Math.min(2, count - 1))) } // the first calls warm up
  }
  // Temporal: an Update round trip on a workflow that does nothing (bench/idle-workflow.ts).
  Runtime.install({ logger: new DefaultLogger('WARN') })
  const native = await NativeConnection.connect(temporalConnectionOptions(config.temporal))
  const taskQueue = `${config.temporal.taskQueue}-idle-${process.pid}`
  const worker = await Worker.create({ connection: native, namespace: config.temporal.namespace, taskQueue, workflowsPath: fileURLToPath(new URL('./idle-workflow.ts', import.meta.url)) })
  const connection = await Connection.connect(temporalConnectionOptions(config.temporal))
  const client = new Client({ connection, namespace: config.temporal.namespace })
  try {
    await worker.runUntil(async () => {
      const handle = await client.workflow.start(idleWorkflow, { taskQueue, workflowId: `bench-idle-${Date.now()}` })
      await time('temporal update', 'an Update round trip on an idle workflow (client -> Temporal -> workflow task -> back), worker in the bench', 42, async (i) => handle.executeUpdate(pingUpdate, { args: [String(i)] }))
      await handle.executeUpdate('stop')
    })
  } finally {
    await connection.close()
    await native.close()
  }
  const gotenberg = createGotenbergClient({ url: config.gotenberg.url, timeoutMs: 30_000 })
  await time('gotenberg', 'a one-line HTML page to PDF (Chromium\'s fixed cost per PDF)', 12, async () => gotenberg.convertHtml({ html: '<html><body><p>floor</p></body></html>' }))
  const pool = new pg.Pool({ connectionString: config.database.url, max: 1 })
  await time('postgresql', 'SELECT 1 on an open connection', 52, async () => pool.query('SELECT 1'))
  await pool.end()
  const s3 = createR2Client(config.s3)
  const body = new Uint8Array(60_000)
  await time('s3 put', 'PUT of a 60 KB object (about an invoice PDF)', 12, async (i) => s3.send(new PutObjectCommand({ Bucket: config.s3.bucket, Key: `bench-floor/${process.pid}-${i}.bin`, Body: body })))
  s3.destroy()
  const smtp = createEmailTransport(config.smtp)
  await time('smtp', 'one small e-mail to Mailpit', 12, async (i) => smtp.sendMail({ from: config.smtp.from, to: 'floor@bench.example', subject: `floor ${i}`, text: 'floor' }))
  smtp.close()
  await time('planfact fake', 'an HTTP round trip to the PlanFact fake (an unknown route)', 22, async () => (await fetch(`${config.planfact.url}/bench-floor`)).text())
  return floors
}

// ---------------------------------------------------------------- the run

async function run(): Promise<void> {
  log(`month-end bench: ${DEALS} deals, ${MONTH}, workers ${WORKER_LAYOUT.map((w) => `[${w}]`).join(' ')}, namespace ${config.temporal.namespace}, queue ${config.temporal.taskQueue}, API ${apiUrl}`)
  const data = await prepareData()
  const deliveries = new Map(data.deals.map((d) => [d.dealId, d.delivery] as const))

  start('fakes', 'scripts/run-fakes.ts', {})
  WORKER_LAYOUT.forEach((concerns, i) => {
    const slot = i + 1
    const env: Record<string, string> = { WORKER_CONCERNS: concerns }
    if (needsClickHouse(parseConcerns(concerns))) env.CLICKHOUSE_PATH = clickhouseDirFor(WORKER_LAYOUT.slice(0, slot).filter((w) => needsClickHouse(parseConcerns(w))).length)
    start(`worker-${slot}`, 'worker.ts', env)
  })
  start('api', 'api/server.ts', {})
  const connection = await Connection.connect(temporalConnectionOptions(config.temporal))
  const client = new Client({ connection, namespace: config.temporal.namespace })
  const pgPool = new pg.Pool({ connectionString: ownerUrl, max: 2 })
  try {
    await waitFor('the API', async () => (await fetch(`${apiUrl}/openapi.json`)).ok)
    await waitFor('the fakes', async () => (await fetch(`${config.didox.url}/__control/state`)).ok)
    for (const concern of CONCERNS) {
      const name = taskQueueOf(config.temporal.taskQueue, concern)
      await waitFor(`a worker polling ${name}`, async () => {
        const r = await client.workflowService.describeTaskQueue({ namespace: config.temporal.namespace, taskQueue: { name }, taskQueueType: concern === 'workflows' ? 1 : 2 })
        return (r.pollers ?? []).length > 0
      })
    }
    log('stack up: fakes, API and workers polling every queue')

    const tracked = trackedProcesses()
    const sampler = createSampler(tracked, pgPool)
    const cpuBefore = new Map(tracked.map((t) => [t.name, treeUsage(t.pid, allStats()).cpu]))
    const benchCpuBefore = process.cpuUsage()
    await sampler.start()
    const t0 = Date.now()

    // the month-end: alice starts the billing run of every active deal
    let runId: string | null = null
    if (START_MODE === 'billing-run') {
      const started = await api.call('POST', '/billing-runs', accountant.token, { period: MONTH, concurrency: Math.min(20, CONCURRENCY) }, { idempotencyKey: `bench-run-${MONTH}` })
      if (started.status !== 202) throw new Error(`POST /billing-runs: HTTP ${started.status} ${JSON.stringify(started.body)}`)
      runId = String(started.body.id)
      log(`billing run ${runId} started`)
    } else {
      log(`starting the ${DEALS} invoices with POST /invoices, ${CONCURRENCY} at once (--start invoices)`)
      const starts = createPool<string>(CONCURRENCY, async (dealId) => {
        const res = await api.call('POST', '/invoices', accountant.token, { dealId, period: MONTH }, { idempotencyKey: `start-${dealId}`, waitSeconds: 30 })
        if (res.status !== 201 && res.status !== 202 && !(res.status === 409 && res.body.code === 'ALREADY_EXISTS')) throw new Error(`POST /invoices ${dealId}: HTTP ${res.status} ${JSON.stringify(res.body)}`)
      })
      for (const d of data.deals) starts.push(d.dealId)
    }
    const team = createFinanceTeam(deliveries)

    let lastLine = 0
    let finished = 0
    let states: Record<string, number> = {}
    let lastChange = Date.now()
    let lastKey = ''
    for (;;) {
      try {
        await team.discover()
      } catch (err) {
        if (Date.now() <= deadline) throw err
      }
      const counts = await pgPool.query<{ state: string; n: string }>('SELECT state, count(*) AS n FROM invoice_runs WHERE period = $1 GROUP BY state', [MONTH])
      states = Object.fromEntries(counts.rows.map((r) => [r.state, Number(r.n)]))
      finished = Object.entries(states).filter(([s]) => DELIVERED.includes(s) || s === 'cancelled' || s === 'needs_attention').reduce((sum, [, n]) => sum + n, 0)
      if (Date.now() - lastLine > 5_000) {
        lastLine = Date.now()
        const rate = (60_000 * (states.awaiting_payment ?? 0)) / Math.max(1, Date.now() - t0)
        log(`${((Date.now() - t0) / 1000).toFixed(0)} s: ${finished}/${DEALS} settled (${rate.toFixed(0)}/min), ${Object.entries(states).map(([s, n]) => `${s} ${n}`).join(', ')}; finance busy ${team.busy()}`)
      }
      const key = JSON.stringify(states)
      if (key !== lastKey) [lastKey, lastChange] = [key, Date.now()]
      else if (Date.now() - lastChange > 60_000) {
        // Stuck: say why, from one invoice's steps in flight (the activity's last failure).
        lastChange = Date.now()
        const stuck = [...team.tracks.keys()].find(() => true) ?? null
        const body = stuck ? (await api.call('GET', `/invoices/${encodeURIComponent(stuck)}`, accountant.token)).body : null
        log(`no progress for 60 s; ${stuck ?? 'no invoice'}: ${JSON.stringify(body?.stepsInFlight ?? body?.attention ?? null).slice(0, 600)}`)
      }
      if (finished >= DEALS && team.busy() === 0) break
      if (Date.now() > deadline) {
        log(`time bound (${TIMEOUT_S} s) reached with ${finished}/${DEALS} settled`)
        break
      }
      await sleep(1_000)
    }
    const cpuAfterStats = allStats()
    const benchCpu = process.cpuUsage(benchCpuBefore)
    await sampler.stop()
    const wallMs = Date.now() - t0

    log('reading stage times from the invoice events and the Temporal histories')
    const ev = await stageTimings(pgPool)
    const ids = [...team.tracks.keys()]
    const hist = await activityTimings(client, runId ? [...ids, runId] : ids)
    log('measuring the floors (the stack idle now)')
    const floors = await measureFloors()

    // ---- report
    const delivered = ev.delivered
    const elapsedMs = ev.lastDelivered > 0 ? ev.lastDelivered - t0 : wallMs
    const perMin = (delivered * 60_000) / Math.max(1, elapsedMs)
    const cpu: { name: string; cpuS: number; perInvoiceMs: number; peakRssMb: number; vmHwmMb: number | null; shared: boolean; note?: string }[] = []
    for (const t of tracked) {
      const used = treeUsage(t.pid, cpuAfterStats).cpu - (cpuBefore.get(t.name) ?? 0)
      const hwm = t.shared ? null : vmHwmKb(t.pid)
      cpu.push({ name: t.name, cpuS: round1(used), perInvoiceMs: round1((used * 1000) / Math.max(1, delivered)), peakRssMb: Math.round((sampler.peakRssKb.get(t.name) ?? 0) / 1024), vmHwmMb: hwm === null ? null : Math.round(hwm / 1024), shared: t.shared, note: t.note })
    }
    const backendS = sampler.backendCpuSeconds()
    cpu.push({ name: `postgresql backends of ${dbName}`, cpuS: round1(backendS), perInvoiceMs: round1((backendS * 1000) / Math.max(1, delivered)), peakRssMb: Math.round(sampler.backendPeakRssKb() / 1024), vmHwmMb: null, shared: false, note: 'sampled each second; a backend that ended between samples loses its last second' })
    const benchS = (benchCpu.user + benchCpu.system) / 1e6
    cpu.push({ name: 'bench (finance team, monitoring)', cpuS: round1(benchS), perInvoiceMs: round1((benchS * 1000) / Math.max(1, delivered)), peakRssMb: Math.round(process.memoryUsage.rss() / 2 ** 20), vmHwmMb: Math.round((vmHwmKb(process.pid) ?? 0) / 1024), shared: false })
    const ownCpuS = cpu.filter((c) => !c.shared && !c.name.startsWith('bench')).reduce((s, c) => s + c.cpuS, 0)
    const sharedCpuS = cpu.filter((c) => c.shared && !c.name.startsWith('postgresql (whole')).reduce((s, c) => s + c.cpuS, 0) + backendS
    const cores = availableParallelism()

    const stageRows = [...ev.stages.entries()].sort(([a], [b]) => STAGE_ORDER.indexOf(a) - STAGE_ORDER.indexOf(b)).map(([name, t]) => ({ name, ...pct(t.ms) }))
    const actRows = [...new Set([...hist.queued.keys(), ...hist.running.keys()])].sort().map((name) => ({ name, queued: pct(hist.queued.get(name)?.ms ?? []), running: pct(hist.running.get(name)?.ms ?? []) }))
    const fmt = (x: number) => (Number.isFinite(x) ? (x >= 10_000 ? `${(x / 1000).toFixed(1)}s` : x < 10 ? x.toFixed(1) : `${Math.round(x)}`) : '-')
    // The target (1,000 invoices in < 5 min, 200/min) is a throughput: a small run is mostly the pipeline's latency.
    const target = delivered >= 1000 && elapsedMs < (delivered / 1000) * 300_000

    const out: string[] = []
    out.push('')
    out.push(`month-end run: ${DEALS} deals (${data.worklogs} worklogs; ${fmtMix(data.mix)}), workers ${WORKER_LAYOUT.map((w) => `[${w}]`).join(' ')}, started by ${START_MODE === 'billing-run' ? 'POST /billing-runs' : 'POST /invoices per deal'} (${CONCURRENCY} at once), ${cores} cores`)
    out.push(`delivered ${delivered}/${DEALS} in ${(elapsedMs / 1000).toFixed(1)} s from the billing run's start to the last invoice delivered (awaiting_payment): ${perMin.toFixed(1)} invoices/min; states ${JSON.stringify(ev.states)}`)
    out.push(`target 1,000 invoices in < 5 min (200/min): ${DEALS < 1000 ? `not judged below 1,000 deals (a small run is mostly one invoice's latency, ${fmt(pct(ev.stages.get('start to delivered')?.ms ?? []).p50)} ms p50 start to delivered); ${perMin.toFixed(1)}/min here` : target ? 'met' : 'NOT met'}; finance-side failures ${team.failures()}`)
    out.push('')
    out.push('stage (invoice events, PostgreSQL)   |     n |  p50 ms |  p99 ms |  min ms |  max ms | sum s')
    for (const r of stageRows) out.push(`${r.name.padEnd(37)} | ${String(r.n).padStart(5)} | ${fmt(r.p50).padStart(7)} | ${fmt(r.p99).padStart(7)} | ${fmt(r.min).padStart(7)} | ${fmt(r.max).padStart(7)} | ${String(r.sumS).padStart(6)}`)
    out.push('')
    out.push('activity (Temporal histories)        |     n | queued p50 | queued p99 | run p50 | run p99 | run min | run sum s')
    for (const r of actRows) out.push(`${r.name.padEnd(37)} | ${String(Math.max(r.queued.n, r.running.n)).padStart(5)} | ${fmt(r.queued.p50).padStart(10)} | ${fmt(r.queued.p99).padStart(10)} | ${fmt(r.running.p50).padStart(7)} | ${fmt(r.running.p99).padStart(7)} | ${fmt(r.running.min).padStart(7)} | ${String(r.running.sumS).padStart(8)}`)
    out.push('')
    out.push('process                                 | CPU s  | CPU ms/invoice | peak RSS MB | VmHWM MB | note')
    for (const c of cpu) out.push(`${(c.name + (c.shared ? ' (shared)' : '')).padEnd(39)} | ${String(c.cpuS).padStart(6)} | ${String(c.perInvoiceMs).padStart(14)} | ${String(c.peakRssMb).padStart(11)} | ${String(c.vmHwmMb ?? '-').padStart(8)} | ${c.note ?? ''}`)
    const perInvoiceAll = ((ownCpuS + sharedCpuS) * 1000) / Math.max(1, delivered)
    out.push(`CPU per invoice, the bench's processes + Temporal, Gotenberg, moto, Mailpit and the bench database's backends: ${perInvoiceAll.toFixed(0)} ms; at ${cores} cores fully busy that alone bounds ${DEALS} invoices at >= ${((perInvoiceAll * DEALS) / 1000 / cores).toFixed(0)} s (the CPU floor of the run)`)
    out.push('')
    out.push('floor (measured after the run, the stack idle) |  p50 ms |  p99 ms | what')
    for (const [name, f] of Object.entries(floors)) out.push(`${name.padEnd(47)} | ${fmt(f.p50).padStart(7)} | ${fmt(f.p99).padStart(7)} | ${f.what}`)
    out.push(`The floor is what a step costs with nothing to wait for on this stack: a stage's p50 far above its floor (and above its fastest "run min") is waiting, in a queue ("queued") or for a core, not working. Each invoice makes about ${Math.round(((hist.queued.get('(workflow task)')?.ms.length ?? 0) / Math.max(1, ids.length)))} workflow tasks; at the Update floor's cost each, Temporal's share alone is the rows "(workflow task)" and "temporal server".`)
    console.log(out.join('\n'))

    mkdirSync('bench/results', { recursive: true })
    const file = 'bench/results/month-end.json'
    writeFileSync(
      file,
      JSON.stringify(
        {
          measuredAt: new Date().toISOString(),
          options: { deals: DEALS, seed: SEED, month: MONTH, workers: WORKER_LAYOUT, start: START_MODE, concurrency: CONCURRENCY, actors: ACTORS },
          cores,
          data: { customers: data.customers, contacts: data.contacts, worklogs: data.worklogs, issues: data.issues, mix: data.mix },
          result: { delivered, deals: DEALS, elapsedMs, wallMs, invoicesPerMinute: round1(perMin), targetMet: target, states: ev.states, financeFailures: team.failures() },
          stages: stageRows,
          activities: actRows,
          processes: cpu,
          cpuPerInvoiceMs: round1(perInvoiceAll),
          floors,
          notTracked: team.tracks.size < DEALS ? `${DEALS - team.tracks.size} deals never reached awaiting_confirmation` : null,
          notBilled: [...team.tracks.values()].filter((t) => t.outcome).map((t) => ({ id: t.id, outcome: t.outcome })),
        },
        null,
        2,
      ),
    )
    console.log(`\nwritten to ${file}; logs in ${BENCH_DIR}/`)
    if (delivered < DEALS) process.exitCode = 1
  } finally {
    await pgPool.end().catch(() => {})
    await connection.close().catch(() => {})
    await stopAll()
  }
}

function fmtMix(mix: Record<string, Record<string, number>>): string {
  return Object.entries(mix).map(([k, v]) => `${k} ${Object.entries(v).map(([a, n]) => `${a} ${n}`).join('/')}`).join('; ')
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 120_000): Promise<void> {
  const until = Date.now() + timeoutMs
  while (Date.now() < until) {
    if (await check().catch(() => false)) return
    for (const p of procs) if (p.child.exitCode !== null) throw new Error(`${p.name} exited (${p.child.exitCode}) while waiting for ${what}: see ${BENCH_DIR}/${p.name}.log`)
    await sleep(500)
  }
  throw new Error(`${what}: not ready within ${timeoutMs / 1000} s`)
}

function round1(x: number): number {
  return Math.round(x * 10) / 10
}

function positiveInt(name: string, text: string): number {
  const n = Number(text)
  if (!/^\d+$/.test(text) || n < 1) throw new Error(`${name} must be a positive integer, got ${JSON.stringify(text)}`)
  return n
}

run()
  .catch(async (err) => {
    console.error(err)
    await stopAll()
    process.exitCode = 1
  })
  .finally(() => {
    // The Temporal runtime keeps the loop alive.
    setTimeout(() => process.exit(), 500).unref()
  })
