/**
 * The HTTP API as the chaos driver calls it: like a person at the console who presses again
 * when the page says "unavailable". A network error, a timeout or a 5xx is tried again (the API
 * may be down with PostgreSQL, or waiting for a worker that was just killed) with the same
 * Idempotency-Key, so an action that did get through happens once. Anything else is answered.
 */
export interface ApiAnswer {
  status: number
  body: Record<string, unknown>
}

export interface FinanceApi {
  call(method: string, path: string, token: string, body?: unknown, options?: { idempotencyKey?: string; waitSeconds?: number }): Promise<ApiAnswer>
  /** Network errors and 5xx answers seen (and retried) so far. */
  retried(): number
}

export function createFinanceApi(options: { baseUrl: string; deadline: number }): FinanceApi {
  let retries = 0
  async function call(method: string, path: string, token: string, body?: unknown, extra: { idempotencyKey?: string; waitSeconds?: number } = {}): Promise<ApiAnswer> {
    let problem = ''
    for (let attempt = 1; ; attempt += 1) {
      if (Date.now() > options.deadline) throw new Error(`${method} ${path}: still failing at the time bound (${problem})`)
      try {
        const headers: Record<string, string> = { authorization: `Bearer ${token}` }
        if (body !== undefined) headers['content-type'] = 'application/json'
        if (extra.idempotencyKey) headers['idempotency-key'] = extra.idempotencyKey
        if (method === 'POST') headers.prefer = `wait=${extra.waitSeconds ?? 20}`
        const res = await fetch(`${options.baseUrl}${path}`, {
          method,
          headers,
          body: body === undefined ? undefined : JSON.stringify(body),
          signal: AbortSignal.timeout(75_000),
        })
        const text = await res.text()
        const json = (text === '' ? {} : JSON.parse(text)) as Record<string, unknown>
        if (res.status < 500) return { status: res.status, body: json }
        problem = `HTTP ${res.status} ${String(json.code)}: ${String(json.message)}`
      } catch (err) {
        // no answer (API restarting, connection refused, timeout): try again
        problem = err instanceof Error ? err.message : String(err)
      }
      retries += 1
      await sleep(Math.min(5_000, 500 * attempt))
    }
  }
  return { call, retried: () => retries }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}
