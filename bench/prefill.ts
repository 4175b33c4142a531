import { execFileSync, spawn } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'

/**
 * Prefill speed and memory at N = 10k, 100k, 1M worklogs for one deal in one month, on the
 * embedded ClickHouse. Data is generated once per N into .local/bench (kept between runs),
 * then each N is measured in a fresh process (bench/prefill-once.ts) that runs the prefill
 * RUNS times: the first run is the cold one (what a worker sees after it starts), the others
 * show warm timings and what the process keeps between prefills.
 *
 * Memory, in MB, from /proc: the child reports its own VmRSS/RssAnon/RssFile and VmHWM (exact
 * peak RSS) at each phase, and this process samples /proc/<child>/status every SAMPLE_MS from
 * outside (the child's event loop can be busy), for the peaks of anonymous memory (heaps: the
 * engine's and V8's) and of file-backed pages (mostly libchdb.so's code: clean, reclaimable,
 * shared with every process that maps the library). `idle` is the child with the engine and
 * Prisma loaded and connected, before its first prefill. See docs/sources.md (Performance).
 *   npx tsx bench/prefill.ts [10000 100000 1000000]
 * Targets (issue 3): 10k < 300 ms, 1M < 3 s and < 300 MB (judged as in docs/decisions.md).
 */
const root = fileURLToPath(new URL('..', import.meta.url))
const sizes = process.argv.slice(2).map(Number).filter((n) => n > 0)
const DEAL = 'APP-1001'
const MONTH = '2026-10'
const RUNS = 5
const SAMPLE_MS = 5

interface Status {
  rssMb: number
  anonMb: number
  fileMb: number
  hwmMb: number
}

interface Peaks {
  rssMb: number
  anonMb: number
  fileMb: number
  samples: number
}

interface PhaseEvent {
  event: 'idle' | 'cold' | 'done'
  status: Status
  ms?: number | number[]
  worklogsRead?: number
  lines?: number
  total?: string
  sourceFingerprint?: string
}

function generate(dir: string, n: number): void {
  console.error(`generating ${n} worklogs for ${DEAL} in ${MONTH} (once; kept in .local/bench)`)
  mkdirSync(dir, { recursive: true })
  execFileSync(
    join(root, 'node_modules/.bin/tsx'),
    ['scripts/generate-data.ts', '--path', dir, '--reset', '--months', MONTH, '--worklogs', '0', '--deal', DEAL, '--worklogs-for-deal', String(n)],
    { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] },
  )
  writeFileSync(join(dir, 'done'), '')
}

/** Current RSS figures of `pid` in MB, or undefined once it has exited. */
function readStatus(pid: number): Omit<Status, 'hwmMb'> | undefined {
  let text: string
  try {
    text = readFileSync(`/proc/${pid}/status`, 'utf8')
  } catch {
    return undefined
  }
  const kb = (key: string): number => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? NaN)
  const anon = kb('RssAnon')
  if (Number.isNaN(anon)) return undefined // a zombie has no memory lines
  return { rssMb: kb('VmRSS') / 1024, anonMb: anon / 1024, fileMb: kb('RssFile') / 1024 }
}

/** Runs prefill-once for one data directory, sampling its memory per phase. */
async function measure(dir: string): Promise<{ events: Record<string, PhaseEvent>; peaks: Record<'cold' | 'warm', Peaks> }> {
  // node --import tsx, not the tsx CLI: the CLI runs the script in a child of its own, whose
  // memory the samples below would miss.
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/prefill-once.ts', dir, DEAL, MONTH, String(RUNS)], {
    cwd: root,
    stdio: ['pipe', 'pipe', 'inherit'],
  })
  const pid = child.pid!
  const empty = (): Peaks => ({ rssMb: 0, anonMb: 0, fileMb: 0, samples: 0 })
  const peaks = { cold: empty(), warm: empty() }
  let phase: 'idle' | 'cold' | 'warm' = 'idle'
  const sample = (): void => {
    if (phase === 'idle') return
    const s = readStatus(pid)
    if (!s) return
    const p = peaks[phase]
    p.rssMb = Math.max(p.rssMb, s.rssMb)
    p.anonMb = Math.max(p.anonMb, s.anonMb)
    p.fileMb = Math.max(p.fileMb, s.fileMb)
    p.samples += 1
  }
  const timer = setInterval(sample, SAMPLE_MS)
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve))
  const events: Record<string, PhaseEvent> = {}
  try {
    for await (const line of createInterface({ input: child.stdout })) {
      if (!line.startsWith('{"event"')) continue
      const event = JSON.parse(line) as PhaseEvent
      events[event.event] = event
      // The child waits for our answer: take the last sample of the phase that ended, then move on.
      sample()
      if (event.event === 'idle') phase = 'cold'
      else if (event.event === 'cold') phase = 'warm'
      else phase = 'idle'
      child.stdin.write('go\n')
      if (event.event === 'done') child.stdin.end()
    }
  } finally {
    clearInterval(timer)
  }
  const code = await exited
  if (code !== 0 || !events.done) throw new Error(`prefill-once exited with ${code} before reporting`)
  return { events, peaks }
}

const round = (x: number): number => Math.round(x)
const median = (xs: number[]): number => {
  const sorted = [...xs].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

const results = []
for (const n of sizes.length > 0 ? sizes : [10_000, 100_000, 1_000_000]) {
  const dir = join(root, '.local/bench', `prefill-${n}`)
  if (!existsSync(join(dir, 'done'))) generate(dir, n)
  console.error(`measuring N=${n}: ${RUNS} runs in a fresh process`)
  const { events, peaks } = await measure(dir)
  const { idle, cold, done } = events as Record<'idle' | 'cold' | 'done', PhaseEvent>
  const warmMs = (done.ms as number[]).length > 0 ? (done.ms as number[]) : [cold.ms as number]
  // The child's own VmHWM is exact; the sampled peaks can miss a spike shorter than SAMPLE_MS.
  const phaseFigures = (hwmMb: number, p: Peaks) => ({
    peakRssMb: hwmMb,
    peakAnonMb: round(p.anonMb),
    peakFileMb: round(p.fileMb),
    peakAnonOverIdleMb: round(p.anonMb - idle.status.anonMb),
    peakRssOverIdleMb: hwmMb - idle.status.rssMb,
    samples: p.samples,
  })
  const coldPhase = phaseFigures(cold.status.hwmMb, peaks.cold)
  const warmPhase = phaseFigures(done.status.hwmMb, { ...peaks.warm, anonMb: Math.max(peaks.cold.anonMb, peaks.warm.anonMb), fileMb: Math.max(peaks.cold.fileMb, peaks.warm.fileMb) })
  results.push({
    n,
    worklogsRead: done.worklogsRead,
    lines: done.lines,
    total: done.total,
    sourceFingerprint: done.sourceFingerprint,
    coldMs: round(cold.ms as number),
    warmMedianMs: round(median(warmMs)),
    warmMinMs: round(Math.min(...warmMs)),
    idle: { rssMb: idle.status.rssMb, anonMb: idle.status.anonMb, fileMb: idle.status.fileMb },
    cold: coldPhase,
    allRuns: { ...warmPhase, runs: RUNS, afterMb: { rss: done.status.rssMb, anon: done.status.anonMb, file: done.status.fileMb } },
  })
  console.error(JSON.stringify(results.at(-1)))
}

const pad = (value: unknown, width: number): string => String(value).padStart(width)
console.log(`\nMB from /proc; idle = engine + Prisma connected, before the first prefill; cold = first prefill; ${RUNS} runs = all runs of the process`)
console.log('       N |   worklogs |        total | cold ms | warm ms | idle RSS (anon+file) | cold: peak RSS  anon  file | 5 runs: peak RSS  anon  file')
for (const r of results) {
  console.log(
    [
      pad(r.n, 8),
      pad(r.worklogsRead, 10),
      pad(r.total, 12),
      pad(r.coldMs, 7),
      pad(r.warmMedianMs, 7),
      pad(`${r.idle.rssMb} (${r.idle.anonMb}+${r.idle.fileMb})`, 20),
      `${pad(r.cold.peakRssMb, 20)} ${pad(r.cold.peakAnonMb, 5)} ${pad(r.cold.peakFileMb, 5)}`,
      `${pad(r.allRuns.peakRssMb, 22)} ${pad(r.allRuns.peakAnonMb, 5)} ${pad(r.allRuns.peakFileMb, 5)}`,
    ].join(' | '),
  )
}
mkdirSync(join(root, 'bench/results'), { recursive: true })
const file = join(root, 'bench/results/prefill.json')
writeFileSync(file, JSON.stringify({ measuredAt: new Date().toISOString(), deal: DEAL, month: MONTH, runs: RUNS, sampleMs: SAMPLE_MS, results }, null, 2))
console.log(`\nwritten to bench/results/prefill.json`)
