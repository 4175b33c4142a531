import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { availableParallelism, setPriority } from 'node:os'
import { Client, Connection } from '@temporalio/client'
import { loadConfig } from '../lib/config.js'
import { invoiceStatusKey } from '../workflows/search-attributes.js'
import { runOpenLoopLoad, type LoadRequest } from './open-loop-load.js'

/**
 * Signal endpoint latency under load. The API server and the worker run as their own processes
 * (as in production); the load comes from this process over loopback at a fixed rate, evenly
 * spaced, with latency counted from the moment each request was due (open-loop-load.ts).
 *
 * Every signal is one a finance user could really send and the workflow really acts on: the
 * bench first starts one invoice per request (one-day periods of a deal, in a far year no demo
 * uses) and waits until all of them await confirmation; the load then sends `cancel` to each
 * invoice once, with `Prefer: respond-async`, in a random order: first while the worker applies
 * the cancellations as they come, then with the worker stopped (the endpoint's own work: the
 * API, and Temporal taking each signal; the restarted worker then drains the backlog). It checks that
 * every invoice signalled ended cancelled. For comparison it also measures `GET /invoices/:id`
 * and the signal without respond-async (the API waits for the workflow's reaction).
 * Each run is preceded by a short warm-up of the same request (JIT, connection pools), not counted.
 * Prints p50/p90/p99 and the CPU seconds of each process, and writes
 * bench/results/api-signals.json.
 * BENCH_BACKGROUND=nice runs every thread of the worker and the Temporal server at niceness 10
 * while the load runs (restored afterwards, which needs root): the API and PostgreSQL first, the
 * background work on what CPU is left, as a machine that hosts them all would be set up
 * (docs/api.md, Speed).
 * Needs the services up (bash scripts/services.sh up) and the demo data (scripts/generate-data.ts).
 *   npx tsx bench/api-signals.ts [seconds=15] [rate=100]
 * Target (issue 6): p99 < 50 ms at 100 req/s.
 */
const seconds = Number(process.argv[2] ?? '15')
const rate = Number(process.argv[3] ?? '100')
const DEAL = 'APP-1016'
const config = loadConfig()
const api = `http://127.0.0.1:${config.api.port}`
const token = (name: string) => config.apiTokens.split(',').find((e) => e.includes(`:${name}`))!.split('=')[0]!
const accountant = token('accountant')
const headers = { authorization: `Bearer ${accountant}`, 'content-type': 'application/json' }
const background = process.env.BENCH_BACKGROUND === 'nice' ? 'nice' : 'normal'

interface Summary {
  title: string
  /** CPU seconds each process used during the load: where the machine's two cores went. */
  cpuSeconds: Record<string, number>
  requests: number
  non2xx: number
  errors: number
  /** How late the generator sent a request, at worst (ms). */
  maxSendLag: number
  p50: number
  p90: number
  p99: number
  max: number
}

/** BENCH_CPU_PROFILE=1 writes a V8 CPU profile of the API and worker into .local/profiles. */
function startProcess(script: string): ChildProcess {
  const profile = process.env.BENCH_CPU_PROFILE === '1' ? ['--cpu-prof', '--cpu-prof-dir', '.local/profiles'] : []
  return spawn(process.execPath, [...profile, '--import', 'tsx', script], { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, LOG_LEVEL: 'WARN' } })
}

async function waitUntil(check: () => Promise<boolean>, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
  throw new Error(`${what} not reached in ${timeoutMs} ms`)
}

/** Runs `task` over `items` with at most `limit` in flight. */
async function forEachLimited<T>(items: T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0
  await Promise.all(Array.from({ length: limit }, async () => {
    while (next < items.length) await task(items[next++]!)
  }))
}

/** Starts `count` invoices of consecutive one-day periods and waits until each awaits confirmation. */
async function startInvoices(temporal: Client, count: number): Promise<string[]> {
  const firstDay = Date.UTC(2040, 0, 1) + Math.floor(Math.random() * 40_000) * 86_400_000
  const periods = Array.from({ length: count }, (_, i) => {
    const day = new Date(firstDay + i * 86_400_000).toISOString().slice(0, 10)
    const next = new Date(firstDay + (i + 1) * 86_400_000).toISOString().slice(0, 10)
    return `${day}..${next}`
  })
  const ids: string[] = []
  let done = 0
  await forEachLimited(periods, 8, async (period) => {
    const response = await fetch(`${api}/invoices`, { method: 'POST', headers, body: JSON.stringify({ dealId: DEAL, period }) })
    if (response.status !== 202) throw new Error(`start ${period}: HTTP ${response.status} ${await response.text()}`)
    ids.push(((await response.json()) as { id: string }).id)
    if (++done % 250 === 0) console.error(`  started ${done}/${count}`)
  })
  let ready = 0
  await forEachLimited([...ids], 8, async (id) => {
    await waitUntil(async () => (await temporal.workflow.getHandle(id).describe()).typedSearchAttributes.get(invoiceStatusKey) === 'awaiting_confirmation', `${id} awaiting_confirmation`, 300_000)
    if (++ready % 250 === 0) console.error(`  ${ready}/${count} awaiting confirmation`)
  })
  return ids
}

/** CPU seconds (user + system) a process has used so far, from /proc (Linux). */
function cpuSecondsOf(pid: number | undefined): number {
  if (pid === undefined || !existsSync(`/proc/${pid}/stat`)) return 0
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
  return (Number(fields[11]) + Number(fields[12])) / 100
}

function temporalServerPid(): number | undefined {
  const file = '.local/temporal/server.pid'
  return existsSync(file) ? Number(readFileSync(file, 'utf8').trim()) : undefined
}

async function load(title: string, request: (index: number) => LoadRequest, processes: Record<string, number | undefined>, count: number): Promise<Summary> {
  console.error(`${title}: ${rate} req/s, ${count} requests`)
  const cpuBefore = Object.fromEntries(Object.entries(processes).map(([name, pid]) => [name, cpuSecondsOf(pid)]))
  const benchBefore = process.cpuUsage()
  const result = await runOpenLoopLoad({ baseUrl: api, rate, count, request })
  const benchUsed = process.cpuUsage(benchBefore)
  const cpuSeconds = Object.fromEntries(Object.entries(processes).map(([name, pid]) => [name, round2(cpuSecondsOf(pid) - cpuBefore[name]!)]))
  cpuSeconds.bench = round2((benchUsed.user + benchUsed.system) / 1e6)
  const summary = { title, ...result, cpuSeconds }
  console.error(JSON.stringify(summary))
  return summary
}

const round2 = (n: number) => Math.round(n * 100) / 100

/** One request per invoice, each invoice once, in a shuffled order. */
function signalEach(ids: string[], signal: string, body: object, prefer: string | undefined): (index: number) => LoadRequest {
  const paths = ids.map((id) => `/invoices/${encodeURIComponent(id)}/${signal}`).sort(() => Math.random() - 0.5)
  const requestHeaders = { ...headers, ...(prefer ? { prefer } : {}) }
  return (index) => ({ method: 'POST', path: paths[index % paths.length]!, headers: requestHeaders, body: JSON.stringify(body) })
}

async function run(): Promise<void> {
  let worker = startProcess('worker.ts')
  const server = startProcess('api/server.ts')
  const connection = await Connection.connect({ address: config.temporal.address })
  const temporal = new Client({ connection, namespace: config.temporal.namespace })
  try {
    await waitUntil(async () => (await fetch(`${api}/health`)).ok, 'API health')
    const count = rate * seconds
    // One invoice per respond-async request in each of the two runs, a tenth as many for the
    // (slower) waiting run, and a second's worth to warm up each respond-async run.
    const waitingCount = Math.max(50, Math.round(count / 10))
    const warmCount = rate
    const total = 2 * count + waitingCount + 2 * warmCount
    console.error(`starting ${total} invoices of ${DEAL} (one-day periods) and waiting for their previews`)
    const ids = await startInvoices(temporal, total)
    const take = (n: number) => ids.splice(0, n)
    const [withWorker, workerStopped, waiting, warmRunning, warmStopped] = [take(count), take(count), take(waitingCount), take(warmCount), take(warmCount)]
    const reason = { reason: 'benchmark' }
    const processes = () => ({ api: server.pid, worker: worker.pid, temporal: temporalServerPid() })
    const schedule = () => setBackgroundPolicy([worker.pid, temporalServerPid()], background)
    const warmUp = (request: (index: number) => LoadRequest, n: number) => runOpenLoopLoad({ baseUrl: api, rate, count: n, request })

    const results: Summary[] = []
    const getOne = (): LoadRequest => ({ method: 'GET', path: `/invoices/${encodeURIComponent(waiting[0]!)}`, headers })
    await warmUp(getOne, rate)
    schedule()
    results.push(await load('GET /invoices/:id', getOne, processes(), count))
    await warmUp(signalEach(warmRunning, 'cancel', reason, 'respond-async'), warmCount)
    results.push(await load('POST …/cancel, respond-async, worker running', signalEach(withWorker, 'cancel', reason, 'respond-async'), processes(), count))

    // The same load with the worker stopped: the endpoint's own work, the worker's reaction
    // deferred. The signals wait in Temporal; the restarted worker then applies them.
    await stopProcess(worker)
    await warmUp(signalEach(warmStopped, 'cancel', reason, 'respond-async'), warmCount)
    results.push(await load('POST …/cancel, respond-async, worker stopped', signalEach(workerStopped, 'cancel', reason, 'respond-async'), processes(), count))
    worker = startProcess('worker.ts')
    schedule()
    const drainStarted = Date.now()
    await expectCancelled(temporal, [...withWorker, ...workerStopped, ...warmRunning, ...warmStopped])
    const drainSeconds = round2((Date.now() - drainStarted) / 1000)
    console.error(`every signalled invoice is cancelled; the restarted worker drained the backlog in ${drainSeconds} s`)

    results.push(await load('POST …/cancel, waits for the reaction', signalEach(waiting, 'cancel', reason, undefined), processes(), waiting.length))
    await expectCancelled(temporal, waiting)

    console.log(`\n${rate} req/s; API, worker, Temporal, PostgreSQL and this process share the machine's ${availableParallelism()} cores; worker and Temporal at niceness ${background === 'nice' ? 10 : 0}`)
    console.log('endpoint                                      | requests | non-2xx | errors | p50 ms | p90 ms | p99 ms | max ms | send lag ms | CPU s (api/worker/temporal/bench)')
    for (const r of results) {
      const cells = [r.requests, r.non2xx, r.errors, r.p50, r.p90, r.p99, r.max, r.maxSendLag].map((v, i) => String(v).padStart([8, 7, 6, 6, 6, 6, 6, 11][i]!))
      const cpu = ['api', 'worker', 'temporal', 'bench'].map((name) => r.cpuSeconds[name]?.toFixed(1) ?? '-').join(' / ')
      console.log(`${r.title.padEnd(45)} | ${cells.join(' | ')} | ${cpu}`)
    }
    console.log(`backlog of ${count} cancellations applied by the restarted worker in ${drainSeconds} s`)
    mkdirSync('bench/results', { recursive: true })
    const file = 'bench/results/api-signals.json'
    writeFileSync(file, JSON.stringify({ measuredAt: new Date().toISOString(), rate, seconds, background, deal: DEAL, cores: availableParallelism(), results, drainSeconds }, null, 2))
    console.log(`\nwritten to ${file}`)
  } finally {
    setBackgroundPolicy([temporalServerPid()], 'normal')
    server.kill('SIGTERM')
    worker.kill('SIGTERM')
    await connection.close()
  }
}

/** Every thread of each process at niceness 10 (`nice`) or back to 0 (Linux: one nice value per thread). */
function setBackgroundPolicy(pids: (number | undefined)[], policy: 'nice' | 'normal'): void {
  if (background !== 'nice') return
  for (const pid of pids) {
    if (pid === undefined || !existsSync(`/proc/${pid}/task`)) continue
    for (const thread of readdirSync(`/proc/${pid}/task`)) {
      try {
        setPriority(Number(thread), policy === 'nice' ? 10 : 0)
      } catch (err) {
        console.error(`could not set the niceness of thread ${thread} of ${pid}: ${(err as Error).message}`)
      }
    }
  }
}

async function stopProcess(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once('exit', resolve))
  child.kill('SIGTERM')
  await exited
}

/** Fails unless every invoice's workflow has ended cancelled (waits for the worker to get there). */
async function expectCancelled(temporal: Client, ids: string[]): Promise<void> {
  let done = 0
  await forEachLimited([...ids], 16, async (id) => {
    const handle = temporal.workflow.getHandle(id)
    await waitUntil(async () => (await handle.describe()).status.name === 'COMPLETED', `${id} completed`, 300_000)
    const state = (await handle.describe()).typedSearchAttributes.get(invoiceStatusKey)
    if (state !== 'cancelled') throw new Error(`${id} ended ${state}, not cancelled`)
    if (++done % 500 === 0) console.error(`  ${done}/${ids.length} cancelled`)
  })
}

run().catch((err) => {
  console.error(err)
  process.exit(1)
})
