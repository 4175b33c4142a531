import { parseArgs } from 'node:util'
import { createClickHouse } from '../clients/clickhouse.js'
import { loadConfig } from '../lib/config.js'
import { SOURCE_TABLES } from '../sources/columns.js'
import { generateSources, planStreams, type GenerateProgress } from '../sources/generate/generate-sources.js'
import { parseMonths } from '../sources/generate/months.js'
import { applySourceSchema, truncateSourceTables } from '../sources/schema.js'

const USAGE = `Fills the ClickHouse source tables with deterministic test data.

  npx tsx scripts/generate-data.ts [--seed 42] [--months 2026-08..2026-10] [--worklogs 20000]
                                   [--deal APP-1001 --worklogs-for-deal 1000000]
                                   [--batch-size 50000] [--reset] [--path DIR]

  --seed N                 same seed and options, same rows (default 42)
  --months A..B            months to fill, inclusive, or one month (default 2026-08..2026-10)
  --worklogs N             worklogs spread over all deals (default 20000)
  --deal D                 with --worklogs-for-deal: deal D gets exactly N worklogs
  --worklogs-for-deal N
  --batch-size N           rows per insert (default 50000)
  --reset                  empty the five source tables first (destructive)
  --path DIR               embedded data directory (default CLICKHOUSE_PATH); ignored with CLICKHOUSE_URL

The embedded engine locks its directory: stop the worker first if it uses the same one.
Progress goes to stderr, a JSON summary to stdout.`

async function run(): Promise<void> {
  const { values } = parseArgs({
    options: {
      seed: { type: 'string', default: '42' },
      months: { type: 'string', default: '2026-08..2026-10' },
      worklogs: { type: 'string', default: '20000' },
      deal: { type: 'string' },
      'worklogs-for-deal': { type: 'string' },
      'batch-size': { type: 'string', default: '50000' },
      reset: { type: 'boolean', default: false },
      path: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  })
  if (values.help) {
    console.log(USAGE)
    return
  }
  // Only ClickHouse is needed here: stand-ins let the shared config parse without Postgres or Temporal.
  const config = loadConfig({ DATABASE_URL: 'postgresql://unused', TEMPORAL_ADDRESS: 'unused:0', ...process.env })
  const clickhouseConfig = {
    ...config.clickhouse,
    path: values.path ?? config.clickhouse.path,
    // A dev tool writing 50k-row batches gets more slack than a request path.
    timeoutMs: Math.max(config.clickhouse.timeoutMs, 120_000),
  }
  const options = {
    seed: toInt('--seed', values.seed),
    months: parseMonths(values.months),
    worklogs: toInt('--worklogs', values.worklogs),
    dealId: values.deal,
    worklogsForDeal: values['worklogs-for-deal'] === undefined ? undefined : toInt('--worklogs-for-deal', values['worklogs-for-deal']),
    batchSize: toInt('--batch-size', values['batch-size']),
  }
  if (options.batchSize < 1) throw new Error('--batch-size must be at least 1')
  planStreams(options) // refuse bad deal options before touching any table

  const client = createClickHouse(clickhouseConfig)
  try {
    const target = clickhouseConfig.url ?? `embedded ${clickhouseConfig.path}`
    await applySourceSchema(client)
    if (values.reset) {
      console.error(`emptying the source tables at ${target}`)
      await truncateSourceTables(client)
    } else if ((await countRows(client)) > 0) {
      throw new Error(`the source tables at ${target} already hold rows; pass --reset to empty them first`)
    }
    console.error(`generating seed ${options.seed}, months ${options.months.join(', ')} into ${target}`)
    const summary = await generateSources(client, { ...options, onProgress: reportProgress() })
    console.error(`done in ${(summary.elapsedMs / 1000).toFixed(1)} s`)
    const { edgeCases, ...rest } = summary
    console.log(JSON.stringify({ ...rest, edgeCases: edgeCases.map((e) => ({ kind: e.kind, worklogId: e.worklogId })) }, null, 2))
  } finally {
    await client.close()
  }
}

/** Rows in all five tables, every version counted. */
async function countRows(client: ReturnType<typeof createClickHouse>): Promise<number> {
  let total = 0
  for (const table of SOURCE_TABLES) {
    const result = await client.query({ query: `SELECT count() AS n FROM ${table}`, format: 'JSONEachRow' })
    const [row] = await result.json<{ n: string }>()
    total += Number(row?.n ?? 0)
  }
  return total
}

/** One progress line a second at most, so a long run shows it is alive without flooding the terminal. */
function reportProgress(): (p: GenerateProgress) => void {
  let lastMs = -Infinity
  return (p) => {
    if (p.elapsedMs - lastMs < 1000) return
    lastMs = p.elapsedMs
    const pct = p.worklogsPlanned === 0 ? 100 : Math.floor((100 * p.worklogsGenerated) / p.worklogsPlanned)
    const rssMb = Math.round(process.memoryUsage.rss() / 2 ** 20)
    const heapMb = Math.round(process.memoryUsage().heapUsed / 2 ** 20)
    console.error(
      `${(p.elapsedMs / 1000).toFixed(1)}s worklogs ${p.worklogsGenerated}/${p.worklogsPlanned} (${pct}%), ${p.table}: ${p.rowsWritten} rows, rss ${rssMb} MB, heap ${heapMb} MB`,
    )
  }
}

function toInt(name: string, text: string): number {
  const value = Number(text)
  if (!/^-?\d+$/.test(text) || !Number.isSafeInteger(value)) throw new Error(`${name} must be an integer, got ${JSON.stringify(text)}`)
  return value
}

run().catch((err) => {
  console.error(err)
  process.exit(1)
})
