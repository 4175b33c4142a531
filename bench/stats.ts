/** What a bench prints of a set of timings (ms). */
export interface Stats {
  p50: number
  p95: number
  min: number
  max: number
  mean: number
}

/** Nearest-rank percentiles, rounded to `decimals`. */
export function summarize(samples: number[], decimals = 1): Stats {
  const sorted = [...samples].sort((a, b) => a - b)
  const rank = (p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!
  const factor = 10 ** decimals
  const round = (ms: number) => Math.round(ms * factor) / factor
  return { p50: round(rank(50)), p95: round(rank(95)), min: round(sorted[0]!), max: round(sorted.at(-1)!), mean: round(sorted.reduce((a, b) => a + b, 0) / sorted.length) }
}
