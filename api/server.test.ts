import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SAMPLE_DEALS } from '../sources/generate/catalog.js'
import { testDatabaseUrl } from '../test-support/env.js'
import { connectTestEnvironment, uniqueName } from '../test-support/temporal.js'
import { freePort } from '../test-support/temporal-server.js'

const root = fileURLToPath(new URL('..', import.meta.url))

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * The API as its own process (api/server.ts), stopped with SIGTERM while a request is in flight.
 * Its task queue has no worker, so reading an invoice waits the whole query timeout (3 s) before
 * it falls back to PostgreSQL: a request that is still running when the signal arrives.
 */
describe('api/server.ts process', () => {
  let child: ChildProcess
  let output = ''
  let base = ''
  let dataDir = ''
  const taskQueue = uniqueName('api-server-no-worker')
  const workflowId = { value: '' }
  const accountant = (process.env.API_TOKENS ?? '').split(',').find((entry) => entry.endsWith(':accountant'))?.split('=')[0] ?? ''
  const headers = { authorization: `Bearer ${accountant}`, 'content-type': 'application/json' }

  beforeAll(async () => {
    const port = await freePort()
    base = `http://127.0.0.1:${port}`
    dataDir = mkdtempSync(join(tmpdir(), 'api-server-test-'))
    child = spawn(process.execPath, ['--import', 'tsx', 'api/server.ts'], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        DATABASE_URL: testDatabaseUrl(),
        TEMPORAL_NAMESPACE: process.env.TEST_TEMPORAL_NAMESPACE ?? 'invoicing-test',
        TEMPORAL_TASK_QUEUE: taskQueue,
        API_PORT: String(port),
        CLICKHOUSE_PATH: dataDir,
        LOG_FORMAT: 'json',
        LOG_LEVEL: 'INFO',
      },
    })
    child.stdout!.on('data', (d: Buffer) => (output += d.toString()))
    child.stderr!.on('data', (d: Buffer) => (output += d.toString()))
    const deadline = Date.now() + 30_000
    while (!(await fetch(`${base}/openapi.json`).then((r) => r.ok, () => false))) {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`the API did not start:\n${output}`)
      await sleep(200)
    }
  }, 40_000)

  afterAll(async () => {
    if (child.exitCode === null) child.kill('SIGKILL')
    if (workflowId.value) {
      const env = await connectTestEnvironment()
      await env.client.workflow.getHandle(workflowId.value).terminate('api server test over').catch(() => undefined)
      await env.teardown()
    }
    rmSync(dataDir, { recursive: true, force: true })
  })

  it('on SIGTERM lets a handler whose client left finish before closing its connections', async () => {
    // No worker runs here: the start answers once Temporal has it, without waiting for the prefill.
    const started = await fetch(`${base}/invoices`, { method: 'POST', headers: { ...headers, Prefer: 'wait=0' }, body: JSON.stringify({ dealId: SAMPLE_DEALS.tmUsdUzEInvoicing, period: uniquePeriod() }) })
    expect(started.status, await started.clone().text()).toBe(202)
    workflowId.value = ((await started.json()) as { id: string }).id
    const url = `${base}/invoices/${encodeURIComponent(workflowId.value)}?live=true`

    // A client that gives up: its socket closes while its handler still waits for the live query.
    // With no connection left open, server.close() returns at once; the handler then still
    // needs Temporal and PostgreSQL (it used to crash the process: "Channel has been shut down").
    const abandoned = request(url, { headers, agent: false })
    abandoned.on('error', () => undefined)
    abandoned.end()
    await sleep(300)
    abandoned.destroy()
    await sleep(300)

    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
    child.kill('SIGTERM')
    expect(await exited).toBe(0)

    const lines = output.split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as { level: string; msg: string })
    expect(lines.filter((line) => line.level === 'error' || line.level === 'warn'), output).toEqual([])
    const messages = lines.map((line) => `${line.msg} ${(line as { status?: number }).status ?? ''}`.trim())
    // The abandoned request was answered (from PostgreSQL: no worker), then the API stopped.
    expect(messages.slice(-3)).toEqual(['api stopping', 'request 200', 'api stopped'])
    // Nothing else (an unhandled rejection, a stack trace) was printed.
    expect(output.split('\n').filter((line) => line.trim() !== '' && !line.startsWith('{')), output).toEqual([])
  }, 30_000)
})

/** A one-day period in years no other test uses, different on each run. */
function uniquePeriod(): string {
  const day = Date.UTC(2031, 0, 1) + Math.floor(Math.random() * 3000) * 86_400_000
  return `${new Date(day).toISOString().slice(0, 10)}..${new Date(day + 86_400_000).toISOString().slice(0, 10)}`
}
