import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import { fileURLToPath } from 'node:url'
import { Client, Connection } from '@temporalio/client'
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker'
import { loadConfig } from '../lib/config.js'
import { temporalConnectionOptions } from '../lib/temporal-connection-options.js'
import { idleWorkflow, pingUpdate } from './idle-workflow.js'
import { runOpenLoop, runOpenLoopLoad, type LoadRequest, type LoadResult } from './open-loop-load.js'

/**
 * Action latency under load: how long a finance user waits for the answer that carries the
 * outcome. The API and the worker run as their own processes (as in production); the load comes
 * from this process over loopback at a fixed rate, evenly spaced, latency counted from when each
 * request was due (open-loop-load.ts).
 *
 * Every action is one a person could really take and the workflow really acts on: the bench
 * starts one invoice per action (one-day periods of a deal in a far year no demo uses; POST
 * /invoices answers once each is prefilled) and sends `cancel` to each once, in a random order,
 * without `Prefer: respond-async`: the answer is the workflow's outcome (state cancelled, the
 * transition written). Runs:
 *   1. cancel at `rate` (20/s: the target);
 *   2. GET /invoices/{id} at 50/s while the worker applies another `rate`/s of cancels;
 *   3. cancel at 2x, 3x, 4x `rate` until the answers fall behind (the saturation point);
 *   4. the floor: an Update round trip on an idle workflow that does nothing (bench/idle-workflow.ts,
 *      on a worker in this process), at `rate`, straight through the Temporal client.
 * Prints p50/p90/p99 and the CPU milliseconds per action of each process, and writes
 * bench/results/api-actions.json. Every invoice acted on must end cancelled.
 * Needs the services up (bash scripts/services.sh up) and the demo data (scripts/generate-data.ts).
 *   npx tsx bench/api-actions.ts [seconds=10] [rate=20]
 * Targets (issue 11): at 20/s p50 < 60 ms and p99 < 200 ms, < 30 ms CPU per action in total;
 * GET p99 < 20 ms at 50/s while the worker works.
 */
const seconds = Number(process.argv[2] ?? '10')
const rate = Number(process.argv[3] ?? '20')
const DEAL = 'APP-1016'
const config = loadConfig()
const api = `http://127.0.0.1:${config.api.port}`
const token = (name: string) => config.apiTokens.split(',').find((e) => e.includes(`:${name}`))!.split('=')[0]!
const headers = { authorization: `Bearer ${token('accountant')}`, 'content-type': 'application/json' }
const round2 = (n: number) => Math.round(n * 100) / 100

interface Summary extends LoadResult {
  title: string
  rate: number
  /** CPU milliseconds each process used per request during the run. */
  cpuMsPerRequest: Record<string, number>
}

/** BENCH_CPU_PROFILE=1 writes a V8 CPU profile of the API and of the worker into .local/profiles. */
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

/** Starts `count` invoices of consecutive one-day periods; each answer comes once it is prefilled. */
async function startInvoices(count: number): Promise<string[]> {
  const firstDay = Date.UTC(2040, 0, 1) + Math.floor(Math.random() * 40_000) * 86_400_000
  const periods = Array.from({ length: count }, (_, i) => `${new Date(firstDay + i * 86_400_000).toISOString().slice(0, 10)}..${new Date(firstDay + (i + 1) * 86_400_000).toISOString().slice(0, 10)}`)
  const ids: string[] = []
  await forEachLimited(periods, 8, async (period) => {
    const response = await fetch(`${api}/invoices`, { method: 'POST', headers, body: JSON.stringify({ dealId: DEAL, period }) })
    const body = (await response.json()) as { id: string; state: string }
    if (response.status !== 201 || body.state !== 'awaiting_confirmation') throw new Error(`start ${period}: HTTP ${response.status} ${JSON.stringify(body)}`)
    ids.push(body.id)
    if (ids.length % 200 === 0) console.error(`  ${ids.length}/${count} started and prefilled`)
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

/**
 * Measures `work` (one or more loads at once, titled and rated in `titles`), charging each
 * process's CPU to the first load's requests.
 */
async function measure(titles: [string, number][], processes: Record<string, number | undefined>, work: () => Promise<LoadResult[]>): Promise<Summary[]> {
  const title = titles[0]![0]
  console.error(`${title}`)
  const before = Object.fromEntries(Object.entries(processes).map(([name, pid]) => [name, cpuSecondsOf(pid)]))
  const benchBefore = process.cpuUsage()
  const results = await work()
  const bench = process.cpuUsage(benchBefore)
  const used = Object.fromEntries(Object.entries(processes).map(([name, pid]) => [name, cpuSecondsOf(pid) - before[name]!]))
  used.bench = (bench.user + bench.system) / 1e6
  const requests = results[0]!.requests
  const cpuMsPerRequest = Object.fromEntries(Object.entries(used).map(([name, s]) => [name, round2((s * 1000) / requests)]))
  const summaries = results.map((r, i) => ({ title: titles[i]![0], rate: titles[i]![1], ...r, cpuMsPerRequest: i === 0 ? cpuMsPerRequest : {} }))
  for (const s of summaries) console.error(JSON.stringify(s))
  return summaries
}

/** One cancel per invoice, each invoice once, in a shuffled order; the answer carries the outcome. */
function cancelEach(ids: string[]): (index: number) => LoadRequest {
  const paths = ids.map((id) => `/invoices/${encodeURIComponent(id)}/cancel`).sort(() => Math.random() - 0.5)
  const body = JSON.stringify({ reason: 'benchmark' })
  return (index) => ({ method: 'POST', path: paths[index % paths.length]!, headers, body })
}

/** The floor: an Update round trip on an idle workflow, on a worker in this process (its CPU is `bench`). */
async function measureFloor(count: number): Promise<Summary> {
  Runtime.install({ logger: new DefaultLogger('WARN') })
  const connection = await NativeConnection.connect(temporalConnectionOptions(config.temporal))
  const taskQueue = `bench-idle-${process.pid}`
  const worker = await Worker.create({ connection, namespace: config.temporal.namespace, taskQueue, workflowsPath: fileURLToPath(new URL('./idle-workflow.ts', import.meta.url)) })
  const client = new Client({ connection: await Connection.connect(temporalConnectionOptions(config.temporal)), namespace: config.temporal.namespace })
  try {
    return await worker.runUntil(async () => {
      const handle = await client.workflow.start(idleWorkflow, { taskQueue, workflowId: `bench-idle-${Date.now()}` })
      await runOpenLoop({ rate, count: rate, call: async () => (await handle.executeUpdate(pingUpdate, { args: ['warm'] })) === 'warm' })
      const [result] = await measure([['floor: an Update on an idle workflow (client and worker in the bench, no API)', rate]], { temporal: temporalServerPid() }, async () => [
        await runOpenLoop({ rate, count, call: async (i) => (await handle.executeUpdate(pingUpdate, { args: [String(i)] })) === String(i) }),
      ])
      await handle.executeUpdate('stop')
      return result!
    })
  } finally {
    await client.connection.close()
    await connection.close()
  }
}

async function run(): Promise<void> {
  const worker = startProcess('worker.ts')
  const server = startProcess('api/server.ts')
  try {
    await waitUntil(async () => (await fetch(`${api}/health`)).ok, 'API health')
    const count = rate * seconds
    // BENCH_RAMP=0 skips the search for the saturation point (e.g. while profiling).
    const ramp = process.env.BENCH_RAMP === '0' ? [] : [2, 3, 4].map((factor) => factor * rate)
    const total = rate + 2 * count + ramp.reduce((sum, r) => sum + r * seconds, 0)
    console.error(`starting ${total} invoices of ${DEAL} (one-day periods), each answered once prefilled`)
    const ids = await startInvoices(total)
    const take = (n: number) => ids.splice(0, n)
    const acted: string[] = []
    const batch = (n: number) => {
      const taken = take(n)
      acted.push(...taken)
      return taken
    }
    const processes = { api: server.pid, worker: worker.pid, temporal: temporalServerPid() }
    const results: Summary[] = []

    await runOpenLoopLoad({ baseUrl: api, rate, count: rate, request: cancelEach(batch(rate)) })
    results.push(...(await measure([[`POST …/cancel, answered with the outcome`, rate]], processes, async () => [await runOpenLoopLoad({ baseUrl: api, rate, count, request: cancelEach(batch(count)) })])))

    const reading = acted[0]!
    const getOne = (): LoadRequest => ({ method: 'GET', path: `/invoices/${encodeURIComponent(reading)}`, headers })
    const getCount = 50 * seconds
    await runOpenLoopLoad({ baseUrl: api, rate: 50, count: 50, request: getOne })
    results.push(...(await measure([['GET /invoices/{id}, the worker idle', 50]], processes, async () => [await runOpenLoopLoad({ baseUrl: api, rate: 50, count: getCount, request: getOne })])))
    results.push(
      ...(await measure([[`GET /invoices/{id} while the worker applies ${rate} cancels/s`, 50], [`POST …/cancel alongside the GETs`, rate]], processes, async () => {
        const [reads, cancels] = await Promise.all([runOpenLoopLoad({ baseUrl: api, rate: 50, count: getCount, request: getOne }), runOpenLoopLoad({ baseUrl: api, rate, count, request: cancelEach(batch(count)) })])
        return [reads, cancels]
      })),
    )

    for (const rampRate of ramp) {
      const [summary] = await measure([[`POST …/cancel at ${rampRate}/s`, rampRate]], processes, async () => [await runOpenLoopLoad({ baseUrl: api, rate: rampRate, count: rampRate * seconds, request: cancelEach(batch(rampRate * seconds)) })])
      results.push(summary!)
      if (summary!.p50 > 1000 || summary!.non2xx + summary!.errors > 0) break
    }

    const states = await Promise.all(acted.map(async (id) => ((await (await fetch(`${api}/invoices/${encodeURIComponent(id)}`, { headers })).json()) as { state: string }).state))
    const notCancelled = states.filter((s) => s !== 'cancelled').length
    if (notCancelled > 0) throw new Error(`${notCancelled} of ${acted.length} invoices acted on did not end cancelled`)
    console.error(`all ${acted.length} invoices acted on ended cancelled`)

    results.push(await measureFloor(count))

    console.log(`\n${seconds} s per run; API, worker, Temporal, PostgreSQL, Gotenberg and this process share the machine's ${availableParallelism()} cores`)
    console.log('run                                                            | rate/s | requests | non-2xx | errors | p50 ms | p90 ms | p99 ms | max ms | send lag | CPU ms per request (api/worker/temporal/bench)')
    for (const r of results) {
      const cells = [r.rate, r.requests, r.non2xx, r.errors, r.p50, r.p90, r.p99, r.max, r.maxSendLag].map((v, i) => String(v).padStart([6, 8, 7, 6, 6, 6, 6, 6, 8][i]!))
      const cpu = ['api', 'worker', 'temporal', 'bench'].map((name) => r.cpuMsPerRequest[name]?.toFixed(1) ?? '-').join(' / ')
      console.log(`${r.title.padEnd(62)} | ${cells.join(' | ')} | ${cpu}`)
    }
    mkdirSync('bench/results', { recursive: true })
    const file = 'bench/results/api-actions.json'
    writeFileSync(file, JSON.stringify({ measuredAt: new Date().toISOString(), rate, seconds, deal: DEAL, cores: availableParallelism(), results }, null, 2))
    console.log(`\nwritten to ${file}`)
  } finally {
    server.kill('SIGTERM')
    worker.kill('SIGTERM')
  }
}

run().catch((err) => {
  console.error(err)
  process.exit(1)
})
