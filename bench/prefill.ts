import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

/**
 * Prefill speed and memory at N = 10k, 100k, 1M worklogs for one deal in one month, on the
 * embedded ClickHouse. Data is generated once per N into .local/bench (kept between runs),
 * then each N is measured in a fresh process: the first run is cold, the median of the
 * others warm. Prints a table and writes bench/results/prefill.json.
 *   npx tsx bench/prefill.ts [10000 100000 1000000]
 * Targets (issue 3): 10k < 300 ms, 1M < 3 s and < 300 MB RSS.
 */
const root = fileURLToPath(new URL('..', import.meta.url))
const sizes = process.argv.slice(2).map(Number).filter((n) => n > 0)
const DEAL = 'APP-1001'
const MONTH = '2026-10'
const RUNS = 5

function tsx(args: string[], inherit = false): string {
  return execFileSync(join(root, 'node_modules/.bin/tsx'), args, {
    cwd: root,
    encoding: 'utf8',
    stdio: inherit ? ['ignore', 'pipe', 'inherit'] : ['ignore', 'pipe', 'pipe'],
    maxBuffer: 64 * 2 ** 20,
  })
}

const results = []
for (const n of sizes.length > 0 ? sizes : [10_000, 100_000, 1_000_000]) {
  const dir = join(root, '.local/bench', `prefill-${n}`)
  if (!existsSync(join(dir, 'done'))) {
    console.error(`generating ${n} worklogs for ${DEAL} in ${MONTH} (once; kept in .local/bench)`)
    mkdirSync(dir, { recursive: true })
    tsx(['scripts/generate-data.ts', '--path', dir, '--reset', '--months', MONTH, '--worklogs', '0', '--deal', DEAL, '--worklogs-for-deal', String(n)], true)
    writeFileSync(join(dir, 'done'), '')
  }
  console.error(`measuring N=${n}: ${RUNS} runs in a fresh process`)
  const measured = JSON.parse(tsx(['bench/prefill-once.ts', dir, DEAL, MONTH, String(RUNS)]).trim().split('\n').pop()!)
  results.push({ n, ...measured })
  console.error(JSON.stringify(results.at(-1)))
}

console.log('\n   N | worklogs read | lines | cold ms | warm ms (median) | peak RSS MB')
for (const r of results) {
  console.log(`${String(r.n).padStart(8)} | ${String(r.worklogsRead).padStart(13)} | ${String(r.lines).padStart(5)} | ${String(r.coldMs).padStart(7)} | ${String(r.warmMedianMs).padStart(16)} | ${String(r.peakRssMb).padStart(11)}`)
}
mkdirSync(join(root, 'bench/results'), { recursive: true })
const file = join(root, 'bench/results/prefill.json')
writeFileSync(file, JSON.stringify({ measuredAt: new Date().toISOString(), deal: DEAL, month: MONTH, runs: RUNS, results }, null, 2))
console.log(`\nwritten to bench/results/prefill.json`)
