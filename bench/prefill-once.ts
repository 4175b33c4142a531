import { readFileSync } from 'node:fs'
import { createInterface } from 'node:readline'
import { buildMonthPeriod } from '../billing/period.js'
import { createClickHouse } from '../clients/clickhouse.js'
import { createDatabase } from '../lib/database.js'
import { prefillInvoice } from '../prefill/prefill-invoice.js'

/**
 * One measurement, in a process of its own so that its memory is the prefill's alone:
 * `node --import tsx bench/prefill-once.ts <clickhouse dir> <deal> <month> <runs>`.
 *
 * Talks to bench/prefill.ts, which samples this process's /proc/<pid>/status from outside,
 * through one JSON line per phase on stdout, each answered by a line on stdin before the next
 * phase starts (so the parent always knows which phase its samples belong to):
 *   {"event":"idle",...}  engine and Prisma loaded and connected, before the first prefill;
 *   {"event":"cold",...}  after the first prefill (what a worker sees after it starts);
 *   {"event":"done",...}  after the other runs (repeated prefills: retention, warm timings).
 * Without a parent on stdin (run by hand) it does not wait.
 */
async function run(): Promise<void> {
  const [path, dealId, month, runsText] = process.argv.slice(2)
  if (!path || !dealId || !month) throw new Error('usage: prefill-once.ts <clickhouse dir> <deal> <month> [runs]')
  const runs = Math.max(1, Number(runsText ?? '5'))
  const databaseUrl = process.env.DATABASE_URL
  if (!databaseUrl) throw new Error('DATABASE_URL is required')
  const lines = process.stdin.isTTY ? undefined : createInterface({ input: process.stdin })[Symbol.asyncIterator]()
  const phase = async (event: string, data: Record<string, unknown>): Promise<void> => {
    console.log(JSON.stringify({ event, ...data, status: memoryStatus() }))
    if (lines) await lines.next()
  }

  const clickhouse = createClickHouse({ url: undefined, path, username: 'default', password: '', timeoutMs: 60_000 })
  const db = createDatabase(databaseUrl)
  const timings: number[] = []
  try {
    // A worker has both connections open before its first prefill.
    const ping = await clickhouse.ping()
    if (!ping.success) throw ping.error
    await db.$queryRaw`SELECT 1`
    await phase('idle', {})
    for (let i = 0; i < runs; i++) {
      const started = performance.now()
      const result = await prefillInvoice({ db, clickhouse, timeZone: 'Asia/Tashkent' }, { dealId, period: buildMonthPeriod(month) })
      timings.push(performance.now() - started)
      const summary = {
        worklogsRead: result.worklogsRead,
        lines: result.preview.lines.length,
        total: result.preview.total,
        sourceFingerprint: result.preview.sourceFingerprint,
      }
      if (i === 0) await phase('cold', { ms: timings[0], ...summary })
      if (i === runs - 1) await phase('done', { ms: timings.slice(1), ...summary })
    }
  } finally {
    await clickhouse.close()
    await db.$disconnect()
    await lines?.return?.()
  }
}

/** This process's memory figures from /proc/self/status, in MB (VmHWM: peak VmRSS so far). */
function memoryStatus(): Record<string, number> {
  const text = readFileSync('/proc/self/status', 'utf8')
  const mb = (key: string): number => Math.round(Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? NaN) / 1024)
  return { rssMb: mb('VmRSS'), anonMb: mb('RssAnon'), fileMb: mb('RssFile'), hwmMb: mb('VmHWM') }
}

run().catch((err) => {
  console.error(err)
  process.exit(1)
})
