import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { INVOICE_SEARCH_ATTRIBUTES, searchAttributeTypeName } from '../workflows/search-attributes.js'

/** The temporal CLI installed by scripts/services/temporal.sh. */
export const temporalCli = fileURLToPath(new URL('../.local/venv/bin/temporal', import.meta.url))

/**
 * A Temporal dev server of a test's own (own port, own SQLite file), for tests that stop and
 * restart the server without disturbing the shared one other tests use.
 */
export class PrivateTemporalServer {
  readonly dir = mkdtempSync(join(tmpdir(), 'temporal-test-'))
  readonly dbFile = join(this.dir, 'temporal.db')
  private process: ChildProcess | undefined
  private constructor(readonly port: number) {}

  get address(): string {
    return `127.0.0.1:${this.port}`
  }

  static async start(): Promise<PrivateTemporalServer> {
    const server = new PrivateTemporalServer(await freePort())
    await server.start()
    return server
  }

  async start(): Promise<void> {
    this.process = spawn(
      temporalCli,
      [
        ...['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(this.port), '--headless', '--db-filename', this.dbFile, '--log-level', 'error'],
        // As scripts/services/temporal.sh runs it, so the restart tests cover the WAL journal.
        ...['--sqlite-pragma', 'journal_mode=wal', '--sqlite-pragma', 'synchronous=normal'],
        ...INVOICE_SEARCH_ATTRIBUTES.flatMap((key) => ['--search-attribute', `${key.name}=${searchAttributeTypeName(key)}`]),
      ],
      { stdio: 'ignore', env: Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('TEMPORAL_'))) },
    )
    await this.waitHealthy(60_000)
  }

  /** Stops the server: SIGTERM shuts it down cleanly, SIGKILL is a crash. */
  async stop(signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM'): Promise<void> {
    const child = this.process
    if (!child || child.exitCode !== null) return
    const exited = new Promise((resolve) => child.once('exit', resolve))
    child.kill(signal)
    await exited
    this.process = undefined
  }

  async dispose(): Promise<void> {
    await this.stop()
    rmSync(this.dir, { recursive: true, force: true })
  }

  /** Runs the temporal CLI against this server and returns its stdout. */
  async cli(args: string[]): Promise<string> {
    return runCli([...args, '--address', this.address])
  }

  private async waitHealthy(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs
    while (Date.now() < deadline) {
      const ok = await this.cli(['operator', 'cluster', 'health']).then((out) => out.includes('SERVING'), () => false)
      if (ok) return
      await new Promise((resolve) => setTimeout(resolve, 250))
    }
    throw new Error(`private Temporal server on ${this.address} did not become healthy in ${timeoutMs} ms`)
  }
}

function runCli(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    // The CLI reads TEMPORAL_* variables (namespace, address): ours must not leak into it.
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('TEMPORAL_')))
    const child = spawn(temporalCli, args, { stdio: ['ignore', 'pipe', 'pipe'], env })
    let out = ''
    let err = ''
    child.stdout.on('data', (d: Buffer) => (out += d.toString()))
    child.stderr.on('data', (d: Buffer) => (err += d.toString()))
    child.on('error', reject)
    child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`temporal ${args.join(' ')} exited ${code}: ${err}`))))
  })
}

/** A TCP port free on 127.0.0.1 right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))))
    })
  })
}
