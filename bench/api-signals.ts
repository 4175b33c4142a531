import { spawn, type ChildProcess } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import autocannon from 'autocannon'
import { loadConfig } from '../lib/config.js'

/**
 * Signal endpoint latency under load: the API server and the worker run as their own processes
 * (as in production), the load comes from this process over loopback at a fixed 100 req/s.
 * One invoice is started and left awaiting confirmation; the load sends `refresh` signals to it
 * with `Prefer: respond-async` (the API checks the state through a workflow query, then
 * signals), and, for comparison, reads it. Prints p50/p99 and writes bench/results/api-signals.json.
 * Needs the services up (bash scripts/services.sh up) and the demo data (scripts/generate-data.ts).
 *   npx tsx bench/api-signals.ts [seconds=15] [rate=100]
 * Target (issue 6): p99 < 50 ms at 100 req/s.
 */
const seconds = Number(process.argv[2] ?? '15')
const rate = Number(process.argv[3] ?? '100')
const config = loadConfig()
const api = `http://127.0.0.1:${config.api.port}`
const token = (name: string) => config.apiTokens.split(',').find((e) => e.includes(`:${name}`))!.split('=')[0]!
const accountant = token('accountant')

function startProcess(script: string): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', script], { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, LOG_LEVEL: 'WARN' } })
}

async function waitUntil(check: () => Promise<boolean>, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
  throw new Error(`${what} not reached in ${timeoutMs} ms`)
}

async function load(title: string, request: autocannon.Options): Promise<{ title: string; requests: number; non2xx: number; p50: number; p90: number; p99: number; max: number }> {
  console.error(`${title}: ${rate} req/s for ${seconds} s`)
  const result = await autocannon({ ...request, overallRate: rate, duration: seconds, connections: 10 })
  const summary = { title, requests: result.requests.total, non2xx: result.non2xx, p50: result.latency.p50, p90: result.latency.p90, p99: result.latency.p99, max: result.latency.max }
  console.error(JSON.stringify(summary))
  return summary
}

async function run(): Promise<void> {
  const worker = startProcess('worker.ts')
  const server = startProcess('api/server.ts')
  try {
    await waitUntil(async () => (await fetch(`${api}/health`)).ok, 'API health')
    // A one-day range in a far year no demo uses, so every run gets an invoice of its own.
    const day = new Date(Date.UTC(2030, 0, 1) + Math.floor(Math.random() * 20_000) * 86_400_000).toISOString().slice(0, 10)
    const next = new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10)
    const started = await fetch(`${api}/invoices`, {
      method: 'POST',
      headers: { authorization: `Bearer ${accountant}`, 'content-type': 'application/json' },
      body: JSON.stringify({ dealId: 'APP-1016', period: `${day}..${next}` }),
    })
    if (started.status !== 202) throw new Error(`start: HTTP ${started.status} ${JSON.stringify(await started.json())}`)
    const { id } = (await started.json()) as { id: string }
    const path = `/invoices/${encodeURIComponent(id)}`
    await waitUntil(async () => ((await (await fetch(`${api}${path}`, { headers: { authorization: `Bearer ${accountant}` } })).json()) as { state: string }).state === 'awaiting_confirmation', 'awaiting_confirmation')
    console.error(`invoice ${id} is awaiting confirmation`)

    const results = [
      await load('GET /invoices/:id', { url: `${api}${path}`, headers: { authorization: `Bearer ${accountant}` } }),
      await load('POST /invoices/:id/refresh (Prefer: respond-async)', {
        url: `${api}${path}/refresh`,
        method: 'POST',
        headers: { authorization: `Bearer ${accountant}`, 'content-type': 'application/json', prefer: 'respond-async' },
        body: '{}',
      }),
    ]
    await fetch(`${api}${path}/cancel`, {
      method: 'POST',
      headers: { authorization: `Bearer ${accountant}`, 'content-type': 'application/json', prefer: 'respond-async' },
      body: JSON.stringify({ reason: 'benchmark over' }),
    })
    console.log('\nendpoint                                             | requests | non-2xx | p50 ms | p90 ms | p99 ms | max ms')
    for (const r of results) {
      console.log(`${r.title.padEnd(52)} | ${String(r.requests).padStart(8)} | ${String(r.non2xx).padStart(7)} | ${String(r.p50).padStart(6)} | ${String(r.p90).padStart(6)} | ${String(r.p99).padStart(6)} | ${String(r.max).padStart(6)}`)
    }
    mkdirSync('bench/results', { recursive: true })
    writeFileSync('bench/results/api-signals.json', JSON.stringify({ measuredAt: new Date().toISOString(), rate, seconds, results }, null, 2))
    console.log('\nwritten to bench/results/api-signals.json')
  } finally {
    server.kill('SIGTERM')
    worker.kill('SIGTERM')
  }
}

run().catch((err) => {
  console.error(err)
  process.exit(1)
})
