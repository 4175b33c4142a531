import { execFileSync, spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { loadavg } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { withAdmin as withClient } from '../test-support/postgres-admin.js'

/**
 * The billed-work ledger's cost: the prefill of a 10k-worklog deal-month with 1M live rows in
 * the ledger, beside the same prefill without the ledger, and the ledger write of a 100k-worklog
 * invoice inside finalize.
 *
 * Data, made once and kept between runs:
 * - ClickHouse: APP-1001 gets 40k worklogs over 2026-07..2026-10 (~10k a month), generated
 *   into .local/bench/ledger-40000 by scripts/generate-data.ts;
 * - PostgreSQL `invoicing_bench` (same server as DATABASE_URL, created and migrated here; never
 *   the app's or the tests' database): three finalized invoices of APP-1001 for 2026-07..09
 *   carrying every billable worklog of those months (so the late-work day comparison finds
 *   every day equal), plus synthetic invoices of 40 other deals (ids above 10^12) up to 1M
 *   live rows; a settings row `benchLedgerFilled` marks it filled (a half-filled one, or one
 *   whose applied migrations have changed since, is dropped and made again: approved rows
 *   cannot be deleted);
 * - PostgreSQL `invoicing_bench_noledger`: migrated, no invoices, lateWorkLookbackMonths 0.
 *
 * Each measurement runs in a fresh process (bench/ledger-once.ts): the first prefill is cold,
 * the other RUNS - 1 are warm; then the prefill's steps are timed one by one (its ClickHouse and
 * PostgreSQL reads, the whole ledger-aware read, the preview). ROUNDS rounds alternate the
 * variants (load from elsewhere on the machine falls on all alike); warm runs are pooled:
 *   ledger  = 1M-row ledger, look-back 3 (the default): the measured case;
 *   nolate  = 1M-row ledger, look-back 0: only "billed elsewhere" (10k ids, ANY) is left;
 *   floor   = no ledger rows, look-back 0: the prefill without the ledger. Same code, so its
 *             one leftover ledger query (findBilledElsewhere on an empty table, ~20 ms: the
 *             10k ids still travel) stays in the floor; the ledger's cost is the difference.
 * CPU per prefill is reported beside wall time (this process with the embedded engine's
 * threads, and the PostgreSQL backends from /proc): it barely moves when other work shares
 * the cores, wall time does.
 * Then the write, with the 1M rows present: writeBilledWork of 100k rows in a transaction
 * (fresh invoice; replace = delete its 100k rows and insert them again; delete alone), the
 * rows' transport alone (no table), EXPLAIN ANALYZE of the insert and the delete (rolled back), and whole
 * finalizeInvoice calls (first confirmation, re-confirmation); each under the app's 5 s
 * statement timeout (POSTGRES_QUERY_TIMEOUT_MS, lib/database.ts: "limited") and with it lifted
 * ("lifted": how long it takes when the limit strikes). Each round starts vacuumed.
 *   npx tsx bench/ledger.ts
 * Targets (issue): with 1M worklogs in the ledger and a 10k-worklog deal, prefill warm < 300 ms;
 * the ledger write of a 100k-worklog invoice < 2 s inside finalize. Figures printed and written
 * to bench/results/ledger.json; progress on stderr.
 */
const root = fileURLToPath(new URL('..', import.meta.url))
const DEAL = 'APP-1001'
const MONTH = '2026-10'
const EARLIER_MONTHS = ['2026-07', '2026-08', '2026-09']
const WORKLOGS_FOR_DEAL = 40_000
const LEDGER_ROWS = 1_000_000
const WRITE_ROWS = 100_000
const RUNS = 21
const ROUNDS = 2
const WRITE_REPS = 5
const FILLED_MARKER = 'benchLedgerFilled'
const BENCH_DB = 'invoicing_bench'
const FLOOR_DB = 'invoicing_bench_noledger'

const envFile = join(root, '.env')
if (existsSync(envFile)) process.loadEnvFile(envFile)
// The bench makes and migrates databases of its own: as the owner role, which may (.env.example).
const appUrl = process.env.DATABASE_OWNER_URL || process.env.DATABASE_URL
if (!appUrl) throw new Error('DATABASE_URL is not set (.env)')
const withDatabase = (url: string, name: string): string => {
  const u = new URL(url)
  u.pathname = `/${name}`
  return u.toString()
}
const databaseName = (url: string): string => decodeURIComponent(new URL(url).pathname.slice(1))
const protectedNames = [appUrl, process.env.TEST_DATABASE_URL].filter((u): u is string => !!u).map(databaseName)
for (const name of [BENCH_DB, FLOOR_DB]) if (protectedNames.includes(name)) throw new Error(`refusing to use ${name}: it is the app's or the tests' database`)
const benchUrl = withDatabase(appUrl, BENCH_DB)
const floorUrl = withDatabase(appUrl, FLOOR_DB)
const chDir = join(root, '.local/bench', `ledger-${WORKLOGS_FOR_DEAL}`)


async function filledMarker(url: string): Promise<unknown> {
  return withClient(url, async (c) => {
    const rows = await c.query<{ value: unknown }>(`SELECT "value" FROM "settings" WHERE "key" = $1`, [FILLED_MARKER]).catch(() => ({ rows: [] as { value: unknown }[] }))
    return rows.rows[0]?.value
  })
}

/**
 * Whether a migration applied to the database has changed since (same checksum as
 * prisma/apply-migrations.ts): the bench databases are then made again, as the schema moved.
 */
async function migrationsChanged(url: string): Promise<boolean> {
  const dir = join(root, 'prisma/migrations')
  const files = new Map(
    readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => [e.name, createHash('sha256').update(readFileSync(join(dir, e.name, 'migration.sql'), 'utf8')).digest('hex')]),
  )
  return withClient(url, async (c) => {
    const applied = await c
      .query<{ migration_name: string; checksum: string }>('SELECT "migration_name", "checksum" FROM "_prisma_migrations" WHERE "finished_at" IS NOT NULL AND "rolled_back_at" IS NULL')
      .catch(() => ({ rows: [] as { migration_name: string; checksum: string }[] }))
    return applied.rows.some((r) => files.has(r.migration_name) && files.get(r.migration_name) !== r.checksum)
  })
}

async function databaseExists(name: string): Promise<boolean> {
  return withClient(withDatabase(appUrl!, 'postgres'), async (c) => (await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount === 1)
}

/** Creates the database if missing (dropping it first when `recreate`), then applies the migrations. */
async function prepareDatabase(name: string, url: string, recreate: boolean): Promise<void> {
  await withClient(withDatabase(appUrl!, 'postgres'), async (admin) => {
    const exists = (await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount === 1
    if (exists && recreate) {
      console.error(`dropping ${name} (not completely filled, or its migrations changed since)`)
      await admin.query(`DROP DATABASE "${name}" WITH (FORCE)`)
    }
    if (!exists || recreate) {
      console.error(`creating database ${name}`)
      await admin.query(`CREATE DATABASE "${name}"`)
    }
  })
  execFileSync(join(root, 'node_modules/.bin/tsx'), ['prisma/migrate.ts'], { cwd: root, env: { ...process.env, DATABASE_URL: url, DATABASE_OWNER_URL: url }, stdio: ['ignore', 'ignore', 'inherit'] })
}

async function setLookback(url: string, months: number): Promise<void> {
  await withClient(url, (c) =>
    c.query(
      `INSERT INTO "settings" ("key", "value") VALUES ('lateWorkLookbackMonths', $1::jsonb), ('lateWorkLookbackMonthsByDeal', '{}'::jsonb)
       ON CONFLICT ("key") DO UPDATE SET "value" = EXCLUDED."value", "updated_at" = now()`,
      [JSON.stringify(months)],
    ),
  )
}

function generate(): void {
  console.error(`generating ${WORKLOGS_FOR_DEAL} worklogs for ${DEAL} in ${EARLIER_MONTHS[0]}..${MONTH} (once; kept in .local/bench)`)
  mkdirSync(chDir, { recursive: true })
  execFileSync(
    join(root, 'node_modules/.bin/tsx'),
    ['scripts/generate-data.ts', '--path', chDir, '--reset', '--months', `${EARLIER_MONTHS[0]}..${MONTH}`, '--worklogs', '0', '--deal', DEAL, '--worklogs-for-deal', String(WORKLOGS_FOR_DEAL)],
    { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] },
  )
  writeFileSync(join(chDir, 'done'), '')
}

/** Runs one step of bench/ledger-once.ts in a fresh process; its result line. */
async function runOnce<T>(args: string[]): Promise<T> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/ledger-once.ts', ...args], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] })
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve))
  let result: T | undefined
  for await (const line of createInterface({ input: child.stdout })) {
    if (line.startsWith('{"result"')) result = JSON.parse(line) as T
  }
  const code = await exited
  if (code !== 0 || !result) throw new Error(`ledger-once ${args[0]} exited with ${code} before reporting`)
  return result
}

const round = (x: number): number => Math.round(x)
const quantile = (xs: readonly number[], q: number): number => {
  const sorted = [...xs].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!
}
const stats = (xs: readonly number[]) => ({ n: xs.length, p50: round(quantile(xs, 0.5)), p95: round(quantile(xs, 0.95)), max: round(Math.max(...xs)), min: round(Math.min(...xs)) })

interface PrefillResult {
  ms: number[]
  cpuMs: number[]
  pgCpuMs: number[]
  worklogsRead: number
  lines: number
  lateWorkLines: number
  total: string
  sourceFingerprint: string
  steps: Record<string, number[]>
  facts: Record<string, unknown>
}

interface Attempt {
  ms: number
  serverCpuMs: number
  error?: string
  code?: string
}

type Limit = 'limited' | 'lifted'

interface WriteResult {
  rows: number
  liveRows: number
  transport: { stringifyMs: number[]; jsonMs: number[]; jsonServerCpuMs: number[]; arraysMs: number[]; arraysServerCpuMs: number[] }
  writes: Record<Limit, Record<'fresh' | 'replace' | 'delete', Attempt[]>>
  explain: Record<string, unknown>
  finalize: Record<Limit, Record<'first' | 'again', Attempt[]>>
}

const loadBefore = loadavg()
if (!existsSync(join(chDir, 'done'))) generate()

const benchStale = (await databaseExists(BENCH_DB)) && (await migrationsChanged(benchUrl))
const marker = (await databaseExists(BENCH_DB)) && !benchStale ? await filledMarker(benchUrl) : undefined
await prepareDatabase(BENCH_DB, benchUrl, marker === undefined)
await prepareDatabase(FLOOR_DB, floorUrl, (await databaseExists(FLOOR_DB)) && (await migrationsChanged(floorUrl)))
let fill = marker
if (fill === undefined) {
  console.error(`filling ${BENCH_DB} with ${LEDGER_ROWS} live ledger rows (once)`)
  const started = performance.now()
  fill = { ...(await runOnce<Record<string, unknown>>(['fill', chDir, benchUrl, DEAL, EARLIER_MONTHS.join(','), String(LEDGER_ROWS)])), fillSeconds: round((performance.now() - started) / 100) / 10 }
} else {
  console.error(`${BENCH_DB} already filled: ${JSON.stringify(fill)}`)
}
const floorRows = await withClient(floorUrl, async (c) => Number((await c.query<{ n: string }>('SELECT count(*)::text AS n FROM "billed_work"')).rows[0]!.n))
if (floorRows !== 0) throw new Error(`${FLOOR_DB} has ${floorRows} ledger rows; it must have none`)
await setLookback(floorUrl, 0)

const variants: { name: string; what: string; url: string; lookback: number }[] = [
  { name: 'ledger', what: '1M-row ledger, look-back 3', url: benchUrl, lookback: 3 },
  { name: 'nolate', what: '1M-row ledger, look-back 0', url: benchUrl, lookback: 0 },
  { name: 'floor', what: 'no ledger rows, look-back 0', url: floorUrl, lookback: 0 },
]
// Rounds alternate the variants, each in a fresh process, so that load from elsewhere on the
// machine falls on all of them alike; warm runs and step timings are pooled per variant.
const rounds: Record<string, (PrefillResult & { loadAverage1m: number })[]> = {}
try {
  for (let round = 1; round <= ROUNDS; round++) {
    for (const v of variants) {
      await setLookback(v.url, v.lookback)
      console.error(`round ${round}/${ROUNDS}: prefill ${DEAL} ${MONTH}, ${v.what}: ${RUNS} runs in a fresh process`)
      const result = await runOnce<PrefillResult>(['prefill', chDir, v.url, DEAL, MONTH, String(RUNS)])
      ;(rounds[v.name] ??= []).push({ ...result, loadAverage1m: loadavg()[0]! })
    }
  }
} finally {
  await setLookback(benchUrl, 3)
}
console.error(`measuring the ledger write of ${WRITE_ROWS} rows (${WRITE_REPS} times each) with the 1M-row ledger present`)
const write = await runOnce<WriteResult>(['write', chDir, benchUrl, DEAL, MONTH, String(WRITE_ROWS), String(WRITE_REPS)])
const loadAfter = loadavg()

const prefillFigures = Object.fromEntries(
  variants.map((v) => {
    const all = rounds[v.name]!
    const r = all[0]!
    const warm = all.flatMap((x) => x.ms.slice(1))
    const warmCpu = all.flatMap((x) => x.cpuMs.slice(1))
    const warmPgCpu = all.flatMap((x) => x.pgCpuMs.slice(1))
    const steps: Record<string, number[]> = {}
    for (const x of all) for (const [k, xs] of Object.entries(x.steps)) (steps[k] ??= []).push(...xs)
    return [
      v.name,
      {
        what: v.what,
        worklogsRead: r.worklogsRead,
        lines: r.lines,
        lateWorkLines: r.lateWorkLines,
        total: r.total,
        sourceFingerprint: r.sourceFingerprint,
        coldMs: all.map((x) => round(x.ms[0]!)),
        warm: stats(warm),
        warmPerRound: all.map((x) => stats(x.ms.slice(1))),
        // CPU per warm prefill: this process (V8 and the embedded engine's threads) and the PostgreSQL backends.
        warmCpuMs: stats(warmCpu),
        warmPostgresCpuMs: stats(warmPgCpu),
        steps: Object.fromEntries(Object.entries(steps).map(([k, xs]) => [k, stats(xs)])),
        facts: r.facts,
        // What the steps timed alone do not cover (summing worklogs into entries, the work digest, Prisma and client overheads).
        // (whole.* overlaps the separate reads, so it is left out of the sum.)
        restP50Ms: round(quantile(warm, 0.5) - Object.entries(steps).filter(([k]) => !k.startsWith('whole.')).reduce((sum, [, xs]) => sum + quantile(xs, 0.5), 0)),
        loadAverage1m: all.map((x) => Number(x.loadAverage1m.toFixed(1))),
      },
    ]
  }),
)
/** Wall time of the attempts that succeeded, their server CPU, and how many failed (and why). */
const attempts = (xs: readonly Attempt[]) => {
  const ok = xs.filter((a) => !a.error)
  const failed = xs.filter((a) => a.error)
  return {
    ok: ok.length,
    failed: failed.length,
    failedAfterMs: failed.map((a) => round(a.ms)),
    failures: [...new Set(failed.map((a) => a.code ?? a.error!.slice(0, 160)))],
    wallMs: ok.length ? stats(ok.map((a) => a.ms)) : null,
    serverCpuMs: ok.length ? stats(ok.map((a) => a.serverCpuMs)) : null,
  }
}
const limits: Limit[] = ['limited', 'lifted']
const writeFigures = {
  rows: write.rows,
  liveRowsPresent: write.liveRows,
  statementTimeoutMs: 5_000,
  transport: {
    jsonStringifyMs: stats(write.transport.stringifyMs),
    jsonToServerMs: stats(write.transport.jsonMs),
    jsonToServerServerCpuMs: stats(write.transport.jsonServerCpuMs),
    arraysToServerMs: stats(write.transport.arraysMs),
    arraysToServerServerCpuMs: stats(write.transport.arraysServerCpuMs),
  },
  writeBilledWork: Object.fromEntries(limits.map((l) => [l, { fresh: attempts(write.writes[l].fresh), replace: attempts(write.writes[l].replace), delete: attempts(write.writes[l].delete) }])),
  finalizeInvoice: Object.fromEntries(limits.map((l) => [l, { first: attempts(write.finalize[l].first), reconfirm: attempts(write.finalize[l].again) }])),
  explain: write.explain,
}

const pad = (value: unknown, width: number): string => String(value).padStart(width)
console.log(`\nPrefill ${DEAL} ${MONTH} (embedded ClickHouse), warm = runs 2..${RUNS} of each of ${ROUNDS} processes per variant, pooled; load average ${loadBefore.map((x) => x.toFixed(1)).join(' ')} before, ${loadAfter.map((x) => x.toFixed(1)).join(' ')} after`)
console.log('variant | what                         | worklogs | lines | late lines |   cold ms | warm p50 |  p95 |  max | p50 per round | CPU p50 node+ch | CPU p50 pg | load 1m')
for (const v of variants) {
  const r = prefillFigures[v.name]!
  console.log(
    [
      pad(v.name, 7),
      v.what.padEnd(28),
      pad(r.worklogsRead, 8),
      pad(r.lines, 5),
      pad(r.lateWorkLines, 10),
      pad(r.coldMs.join(', '), 9),
      pad(r.warm.p50, 8),
      pad(r.warm.p95, 4),
      pad(r.warm.max, 4),
      pad(r.warmPerRound.map((x) => x.p50).join(', '), 13),
      pad(r.warmCpuMs.p50, 15),
      pad(r.warmPostgresCpuMs.p50, 10),
      pad(r.loadAverage1m.join(', '), 7),
    ].join(' | '),
  )
}
console.log('\nThe prefill\'s steps, each timed alone (p50 / p95 ms over the warm repetitions); whole.readBillableWork = the ledger-aware read as the prefill runs it, overlapping the ch./pg. reads above it')
const stepNames = [...new Set(variants.flatMap((v) => Object.keys(prefillFigures[v.name]!.steps)))]
console.log(`step                        | ${variants.map((v) => pad(v.name, 13)).join(' | ')}`)
for (const step of stepNames) {
  console.log(`${step.padEnd(27)} | ${variants.map((v) => {
    const s = prefillFigures[v.name]!.steps[step]
    return pad(s ? `${s.p50} / ${s.p95}` : '-', 13)
  }).join(' | ')}`)
}
console.log(`${'rest (p50 total - steps)'.padEnd(27)} | ${variants.map((v) => pad(prefillFigures[v.name]!.restP50Ms, 13)).join(' | ')}`)
const facts = prefillFigures.ledger!.facts
console.log(`facts (ledger variant): ${JSON.stringify(facts)}`)
if (facts.coveringInvoices !== EARLIER_MONTHS.length || facts.differingDays !== 0) {
  console.log(`WARNING: expected ${EARLIER_MONTHS.length} covering invoices and no differing day: the late-work comparison did not run as intended`)
}

const show = (s: ReturnType<typeof stats> | null): string => (s ? `p50 ${s.p50}, p95 ${s.p95}, max ${s.max} (n=${s.n})` : '-')
const showAttempts = (a: ReturnType<typeof attempts>): string =>
  `${a.wallMs ? `wall ${show(a.wallMs)}, server CPU p50 ${a.serverCpuMs!.p50}` : 'no success'}${a.failed ? `; ${a.failed} failed after ${a.failedAfterMs.join(', ')} ms: ${a.failures.join('; ')}` : ''}`
console.log(`\nLedger write of ${write.rows} rows, ${write.liveRows} live rows present; limited = the app's 5000 ms statement timeout, lifted = none`)
const t = writeFigures.transport
console.log(`  JSON.stringify of the rows (as writeBilledWork sends them)  ${show(t.jsonStringifyMs)}`)
console.log(`  the JSON text to the server, jsonb_array_elements, no table ${show(t.jsonToServerMs)}, server CPU p50 ${t.jsonToServerServerCpuMs.p50}`)
console.log(`  the same rows as eight arrays through unnest (before)       ${show(t.arraysToServerMs)}, server CPU p50 ${t.arraysToServerServerCpuMs.p50}`)
for (const l of limits) {
  const w = writeFigures.writeBilledWork[l]!
  const f = writeFigures.finalizeInvoice[l]!
  console.log(`  ${l.padEnd(7)} writeBilledWork, fresh invoice            ${showAttempts(w.fresh)}`)
  console.log(`  ${l.padEnd(7)} writeBilledWork, replace (delete + insert) ${showAttempts(w.replace)}`)
  console.log(`  ${l.padEnd(7)} writeBilledWork, delete the 100k rows      ${showAttempts(w.delete)}`)
  console.log(`  ${l.padEnd(7)} finalizeInvoice, first confirmation        ${showAttempts(f.first)}`)
  console.log(`  ${l.padEnd(7)} finalizeInvoice, re-confirmation          ${showAttempts(f.reconfirm)}`)
}
console.log(`  server side (EXPLAIN ANALYZE, rolled back): ${JSON.stringify(write.explain)}`)

mkdirSync(join(root, 'bench/results'), { recursive: true })
writeFileSync(
  join(root, 'bench/results/ledger.json'),
  JSON.stringify(
    { measuredAt: new Date().toISOString(), deal: DEAL, month: MONTH, runs: RUNS, rounds: ROUNDS, writeReps: WRITE_REPS, loadAverage: { before: loadBefore, after: loadAfter }, fill, prefill: prefillFigures, write: writeFigures },
    null,
    2,
  ),
)
console.log('\nwritten to bench/results/ledger.json')
