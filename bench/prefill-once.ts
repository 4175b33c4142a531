import { buildMonthPeriod } from '../billing/period.js'
import { createClickHouse } from '../clients/clickhouse.js'
import { createDatabase } from '../lib/database.js'
import { prefillInvoice } from '../prefill/prefill-invoice.js'

/**
 * One measurement, in a process of its own so that peak RSS is the prefill's alone:
 * `tsx bench/prefill-once.ts <clickhouse dir> <deal> <month> <runs>`. Prints JSON.
 */
async function run(): Promise<void> {
  const [path, dealId, month, runsText] = process.argv.slice(2)
  if (!path || !dealId || !month) throw new Error('usage: prefill-once.ts <clickhouse dir> <deal> <month> [runs]')
  const runs = Number(runsText ?? '5')
  const databaseUrl = process.env.DATABASE_URL
  if (!databaseUrl) throw new Error('DATABASE_URL is required')
  const clickhouse = createClickHouse({ url: undefined, path, username: 'default', password: '', timeoutMs: 60_000 })
  const db = createDatabase(databaseUrl)
  const rssBefore = process.memoryUsage().rss
  const timings: number[] = []
  let worklogsRead = 0
  let lines = 0
  let total = ''
  try {
    for (let i = 0; i < runs; i++) {
      const started = performance.now()
      const result = await prefillInvoice({ db, clickhouse, timeZone: 'Asia/Tashkent' }, { dealId, period: buildMonthPeriod(month) })
      timings.push(performance.now() - started)
      worklogsRead = result.worklogsRead
      lines = result.preview.lines.length
      total = result.preview.total
    }
  } finally {
    await clickhouse.close()
    await db.$disconnect()
  }
  const sorted = [...timings].sort((a, b) => a - b)
  console.log(
    JSON.stringify({
      worklogsRead,
      lines,
      total,
      coldMs: Math.round(timings[0]!),
      warmMedianMs: Math.round(sorted[Math.floor(sorted.length / 2)]!),
      warmMinMs: Math.round(sorted[0]!),
      rssBeforeMb: Math.round(rssBefore / 2 ** 20),
      peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    }),
  )
}

run().catch((err) => {
  console.error(err)
  process.exit(1)
})
