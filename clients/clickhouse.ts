import { mkdirSync } from 'node:fs'
import { resolve } from 'node:path'
import { ClickHouseError, createClient, type ClickHouseClient, type ClickHouseSettings } from '@clickhouse/client'
import { createChdbConnection } from 'chdb/connection'
import type { Config } from '../lib/config.js'

export type ClickHouseConfig = Config['clickhouse']
export type { ClickHouseClient } from '@clickhouse/client'

/**
 * Settings sent with every statement, on both transports. Decimals and 64-bit integers come
 * back as JSON strings so that money and ids never pass through a binary float.
 * `max_execution_time` makes the engine itself stop a runaway query at the same deadline the
 * client enforces, so an abandoned query does not keep burning CPU.
 */
export function defaultClickHouseSettings(timeoutMs: number): ClickHouseSettings {
  return {
    output_format_json_quote_decimals: 1,
    output_format_json_quote_64bit_integers: 1,
    // Keep the column's scale ("45.0000"), so a decimal reads back exactly as written.
    output_format_decimal_trailing_zeros: 1,
    max_execution_time: Math.max(1, Math.ceil(timeoutMs / 1000)),
  }
}

/**
 * A ClickHouse client for the configured transport: HTTP when `url` is set (production, a real
 * server), otherwise the embedded engine (chdb) with its data under `path`. The SQL is the same
 * either way. Every call is bounded by `timeoutMs`. Close the client when done; the embedded
 * engine is released when the last client of its directory closes.
 */
export function createClickHouse(options: ClickHouseConfig): ClickHouseClient {
  const clickhouse_settings = defaultClickHouseSettings(options.timeoutMs)
  if (options.url !== undefined) {
    return createClient({
      url: options.url,
      username: options.username,
      password: options.password,
      request_timeout: options.timeoutMs,
      // Long id lists (issues of a big deal) would overflow the URL; send them in the body.
      use_multipart_params_auto: true,
      clickhouse_settings,
    })
  }
  return createClient({
    connection: acquireEmbeddedConnection(options.path, options.timeoutMs),
    clickhouse_settings,
  })
}

/** The connection type @clickhouse/client accepts (it bundles its own copy of the common types). */
type EmbeddedConnection = NonNullable<NonNullable<Parameters<typeof createClient>[0]>['connection']>

interface SharedEngine {
  connection: EmbeddedConnection
  refs: number
}

// libchdb binds one data directory per process, so every client of a directory shares one
// connection, closed when its last client closes.
const engines = new Map<string, SharedEngine>()

function acquireEmbeddedConnection(path: string, timeoutMs: number): EmbeddedConnection {
  const dir = resolve(path)
  let engine = engines.get(dir)
  if (engine === undefined) {
    mkdirSync(dir, { recursive: true })
    // chdb types its connection against the separate @clickhouse/client-common package (1.23.0);
    // the shapes are the same, only the declarations are two copies.
    const connection = createChdbConnection({ path: dir }) as unknown as EmbeddedConnection
    engine = { connection, refs: 0 }
    engines.set(dir, engine)
  }
  engine.refs += 1
  return createLeasedConnection(dir, engine, timeoutMs)
}

/**
 * A statement that ran at least this long may have left tens of MB freed but still resident
 * in the engine's allocator (jemalloc in libchdb: it returns freed pages to the OS only as
 * allocations go on, so an idle worker would keep them). After such a statement the embedded
 * connection purges them (`SYSTEM JEMALLOC PURGE`, 2 to 15 ms): after the entries query of a
 * prefill of 1M worklogs that is ~100 MB less kept resident (docs/sources.md, Performance).
 * Short statements are not worth the extra call.
 */
const PURGE_AFTER_MS = 50

/**
 * One client's lease on the shared engine: closing it releases the lease only, and each call
 * gets a deadline, since the HTTP client's `request_timeout` does not apply to an injected
 * connection. Long statements are followed by a purge of the engine's freed memory.
 */
function createLeasedConnection(dir: string, engine: SharedEngine, timeoutMs: number): EmbeddedConnection {
  const inner = engine.connection
  let closed = false
  const assertOpen = (): void => {
    if (closed) throw new Error(`ClickHouse client for ${dir} is closed`)
  }
  // chdb buffers a statement's whole result before resolving, so the engine is done with it here.
  const thenPurge = async <T>(run: () => Promise<T>): Promise<T> => {
    const started = performance.now()
    const result = await run()
    if (performance.now() - started >= PURGE_AFTER_MS) await inner.command({ query: 'SYSTEM JEMALLOC PURGE' })
    return result
  }
  return {
    ping: (params) => (closed ? Promise.resolve({ success: false, error: new Error('closed') }) : inner.ping(params)),
    query: (params) => withDeadline(timeoutMs, params.abort_signal, (signal) => {
      assertOpen()
      return thenPurge(() => inner.query({ ...params, abort_signal: signal }))
    }),
    command: (params) => withDeadline(timeoutMs, params.abort_signal, (signal) => {
      assertOpen()
      return thenPurge(() => inner.command({ ...params, abort_signal: signal }))
    }),
    exec: (params) => withDeadline(timeoutMs, params.abort_signal, (signal) => {
      assertOpen()
      return thenPurge(() => inner.exec({ ...params, abort_signal: signal }))
    }),
    insert: (params) => withDeadline(timeoutMs, params.abort_signal, (signal) => {
      assertOpen()
      return thenPurge(() => inner.insert({ ...params, abort_signal: signal }))
    }),
    close: async () => {
      if (closed) return
      closed = true
      engine.refs -= 1
      if (engine.refs > 0) return
      engines.delete(dir)
      await inner.close()
    },
  }
}

/**
 * Runs `call` with a signal that aborts at the deadline. Errors read as they do over HTTP: a
 * deadline hit as the client's "Timeout error.", an engine error as @clickhouse/client's own
 * ClickHouseError (chdb builds it from a second copy of the class, which `instanceof` misses).
 */
async function withDeadline<T>(
  timeoutMs: number,
  callerSignal: AbortSignal | undefined,
  call: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const deadline = AbortSignal.timeout(timeoutMs)
  const signal = callerSignal === undefined ? deadline : AbortSignal.any([callerSignal, deadline])
  try {
    return await call(signal)
  } catch (err) {
    if (deadline.aborted && !(callerSignal?.aborted ?? false)) {
      throw new Error(`Timeout error. (embedded ClickHouse call exceeded ${timeoutMs} ms)`, { cause: err })
    }
    throw asClientError(err)
  }
}

function asClientError(err: unknown): unknown {
  if (err instanceof ClickHouseError || !(err instanceof Error)) return err
  const { code, type } = err as { code?: unknown; type?: unknown }
  if (typeof code !== 'string' || typeof type !== 'string') return err
  const mapped = new ClickHouseError({ message: err.message, code, type })
  mapped.cause = err
  return mapped
}
