import http from 'node:http'

/**
 * An open-loop HTTP load at a fixed rate: request i is due at start + i / rate, evenly spaced,
 * whatever happened to the earlier ones (wrk2 and vegeta work this way). Latency counts from
 * the moment a request was due, so a server (or a generator) that falls behind is charged for
 * the wait: no coordinated omission.
 *
 * Why not autocannon's `overallRate`: it lets every connection send its share of a second
 * back to back when the second starts and then pauses, so the server gets bursts, not a rate;
 * and it then "corrects" each latency with a 1 ms expected interval, which records a 100 ms
 * response as 100 samples of 1..100 ms. Both distort p50 and p99 (docs/api.md, Speed).
 */
export interface LoadRequest {
  method: 'GET' | 'POST'
  path: string
  headers?: Record<string, string>
  body?: string
}

export interface LoadResult {
  requests: number
  non2xx: number
  errors: number
  /** Milliseconds from the moment each request was due to the end of its response. */
  p50: number
  p90: number
  p99: number
  max: number
  /** How late the generator itself sent a request, at worst (ms): above a few ms it was starved. */
  maxSendLag: number
}

export async function runOpenLoopLoad(options: {
  baseUrl: string
  rate: number
  count: number
  request: (index: number) => LoadRequest
  timeoutMs?: number
}): Promise<LoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 })
  try {
    return await runOpenLoop({
      rate: options.rate,
      count: options.count,
      call: (index) =>
        new Promise((resolve, reject) => {
          const { method, path, headers, body } = options.request(index)
          const request = http.request(new URL(path, options.baseUrl), { agent, method, headers, timeout: options.timeoutMs ?? 30_000 }, (response) => {
            response.resume()
            response.on('end', () => resolve((response.statusCode ?? 0) >= 200 && (response.statusCode ?? 0) < 300))
          })
          request.on('timeout', () => request.destroy(new Error('timeout')))
          request.on('error', reject)
          request.end(body)
        }),
    })
  } finally {
    agent.destroy()
  }
}

/**
 * The same open loop for any call (a Temporal client call, say): `call` resolves true for a
 * success, false for a refusal (counted as non-2xx), and rejects for an error.
 */
export async function runOpenLoop(options: { rate: number; count: number; call: (index: number) => Promise<boolean> }): Promise<LoadResult> {
  const latencies: number[] = []
  let non2xx = 0
  let errors = 0
  let maxSendLag = 0
  const start = performance.now() + 20
  const intervalMs = 1000 / options.rate

  await new Promise<void>((resolve) => {
    let sent = 0
    let finished = 0
    const finish = () => {
      if (++finished === options.count) resolve()
    }
    const send = (index: number) => {
      const due = start + index * intervalMs
      maxSendLag = Math.max(maxSendLag, performance.now() - due)
      options.call(index).then(
        (ok) => {
          if (ok) latencies.push(performance.now() - due)
          else non2xx++
          finish()
        },
        () => {
          errors++
          finish()
        },
      )
    }
    // Sends every request that is due, then sleeps until the next one is.
    const tick = () => {
      while (sent < options.count && start + sent * intervalMs <= performance.now()) send(sent++)
      if (sent < options.count) setTimeout(tick, Math.max(0, start + sent * intervalMs - performance.now()))
    }
    setTimeout(tick, 20)
  })

  latencies.sort((a, b) => a - b)
  const at = (q: number) => round1(latencies[Math.min(latencies.length - 1, Math.ceil(q * latencies.length) - 1)] ?? NaN)
  return { requests: options.count, non2xx, errors, p50: at(0.5), p90: at(0.9), p99: at(0.99), max: at(1), maxSendLag: round1(maxSendLag) }
}

const round1 = (n: number) => Math.round(n * 10) / 10
