import { randomUUID } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { PrismaPg } from '@prisma/adapter-pg'
import pg from 'pg'
import { isLateWorkLine } from '../billing/build-late-work-lines.js'
import { buildPreviewWithPlacements } from '../billing/build-preview.js'
import { buildMonthPeriod } from '../billing/period.js'
import type { InvoicePreview } from '../billing/types.js'
import { computeBillableMinutes, computeRawSeconds, resolveRounding } from '../billing/worklog-minutes.js'
import { createClickHouse } from '../clients/clickhouse.js'
import { findBilledElsewhere, readLedgerDays, readLiveInvoices, writeBilledWork, type BilledWorkRow } from '../db/billed-work.js'
import { PrismaClient, type Prisma } from '../generated/prisma/client.js'
import { finalizeInvoice } from '../db/finalize-invoice.js'
import { readBillingRules } from '../db/read-billing-rules.js'
import { createDatabase } from '../lib/database.js'
import { lookbackStart, readBillableWork } from '../prefill/read-billable-work.js'
import { computeSourceFingerprint } from '../prefill/source-fingerprint.js'
import { prefillInvoice } from '../prefill/prefill-invoice.js'
import { readBillingWorklogs, readWorkDaySummaries } from '../sources/read-billing-worklogs.js'
import { readCustomer } from '../sources/read-customer.js'
import { readDeal } from '../sources/read-deal.js'
import { readIssues } from '../sources/read-issues.js'
import type { SourceDeal } from '../sources/types.js'

/**
 * One step of bench/ledger.ts, in a process of its own (the embedded ClickHouse binds one data
 * directory per process, and each measurement starts cold):
 *   node --import tsx bench/ledger-once.ts fill    <clickhouse dir> <database url> <deal> <months> <total rows>
 *   node --import tsx bench/ledger-once.ts prefill <clickhouse dir> <database url> <deal> <month> <runs>
 *   node --import tsx bench/ledger-once.ts write   <clickhouse dir> <database url> <deal> <month> <rows> <reps>
 * Progress goes to stderr; the result is one line on stdout starting with {"result":.
 * Only ever pointed at the bench databases bench/ledger.ts creates.
 */
const TIME_ZONE = 'Asia/Tashkent'
/** Settings key marking a filled bench database (readSettings ignores unknown keys); bench/ledger.ts reads it. */
const FILLED_MARKER = 'benchLedgerFilled'
/** Synthetic ledger rows use worklog ids from here up: the generator's ids stay below 10^10. */
const SYNTHETIC_ID_BASE = 1_000_000_000_000
/** The 100k rows of the write measurements use ids from here up (never left live). */
const WRITE_ID_BASE = 9_000_000_000_000
const SYNTHETIC_INVOICE_ROWS = 10_000
const WRITE_WORKFLOW = 'bench-ledger-write'

type Args = string[]

function emit(result: Record<string, unknown>): void {
  console.log(JSON.stringify({ result: true, ...result }))
}

async function timed<T>(body: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const started = performance.now()
  const value = await body()
  return { ms: performance.now() - started, value }
}

/** This process's CPU time (all threads: V8, the embedded ClickHouse engine), ms. */
function processCpuMs(): number {
  const u = process.cpuUsage()
  return (u.user + u.system) / 1000
}

/**
 * CPU time of the database's PostgreSQL backends, ms, from /proc (the server runs on this
 * machine): unlike wall time, it does not grow when other work on the machine takes the cores.
 * 10 ms resolution (clock ticks). Backends started in between count from zero.
 */
class ServerCpu {
  constructor(private readonly client: pg.Client) {}

  async sample(): Promise<Map<number, number>> {
    const { rows } = await this.client.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()')
    return new Map(rows.map((r) => [r.pid, ticksMs(r.pid)]))
  }

  static since(before: Map<number, number>, after: Map<number, number>): number {
    let total = 0
    for (const [pid, ms] of after) total += ms - (before.get(pid) ?? 0)
    return total
  }
}

function ticksMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return (Number(fields[11]) + Number(fields[12])) * 10 // utime + stime, at 100 ticks a second
  } catch {
    return 0
  }
}

function openSources(path: string, databaseUrl: string) {
  const clickhouse = createClickHouse({ url: undefined, path, username: 'default', password: '', timeoutMs: 60_000 })
  const db = createDatabase(databaseUrl)
  return { clickhouse, db }
}

async function loadDeal(clickhouse: ReturnType<typeof createClickHouse>, dealId: string): Promise<SourceDeal> {
  const deal = await readDeal(clickhouse, dealId)
  if (!deal) throw new Error(`deal ${dealId} is not in the bench ClickHouse data`)
  return deal
}

/**
 * A finalized invoice row the ledger records, with minimal JSON snapshots (the ledger only needs
 * it to exist); not approved yet: the ledger takes rows only before approval (approveInvoice).
 */
async function insertInvoice(
  client: pg.Client,
  invoice: { id: string; workflowId: string; dealId: string; customerId: string; currency: string; month: string; number: string },
): Promise<void> {
  const period = buildMonthPeriod(invoice.month)
  await client.query(
    `INSERT INTO "invoices" ("id", "workflow_id", "workflow_run_id", "state", "deal_id", "customer_id", "period", "period_from", "period_to",
                             "currency", "subtotal", "vat_rate", "vat_amount", "total", "number", "preview", "buyer", "seller", "deal",
                             "source_fingerprint", "confirmed_by", "confirmed_at", "approved_by", "approved_at", "ledger_recorded", "updated_at")
     VALUES ($1, $2, $3, 'completed', $4, $5, $6, $7::date, $8::date, $9, 0, 12, 0, 0, $10, '{}', '{}', '{}', '{}',
             'bench', 'bench', now(), NULL, NULL, true, now())`,
    [invoice.id, invoice.workflowId, randomUUID(), invoice.dealId, invoice.customerId, invoice.month, period.from, period.to, invoice.currency, invoice.number],
  )
}

/** Approves the invoice once its ledger rows are written, as the workflow does. */
async function approveInvoice(client: pg.Client, invoiceId: string): Promise<void> {
  await client.query(`UPDATE "invoices" SET "approved_by" = 'bench-approver', "approved_at" = now() WHERE "id" = $1`, [invoiceId])
}

/**
 * Fills the ledger: every billable worklog of the deal's earlier months on three finalized
 * invoices (through writeBilledWork, as finalize does), then synthetic invoices of other deals
 * with ids that cannot collide, up to `total` live rows; marks the database as filled.
 */
async function fill([path, databaseUrl, dealId, monthsText, totalText]: Args): Promise<void> {
  const months = monthsText!.split(',')
  const total = Number(totalText)
  const { clickhouse, db } = openSources(path!, databaseUrl!)
  // Bulk SQL outside Prisma: no 5 s statement timeout for the setup (it is not measured).
  const client = new pg.Client({ connectionString: databaseUrl })
  await client.connect()
  try {
    const deal = await loadDeal(clickhouse, dealId!)
    const rules = await readBillingRules(db, { dealId: deal.dealId, customerId: deal.customerId })
    const rounding = resolveRounding(deal, rules.settings)
    let realistic = 0
    for (const month of months) {
      const period = buildMonthPeriod(month)
      const days: string[] = []
      for (let d = new Date(`${period.from}T00:00:00Z`); d.toISOString().slice(0, 10) < period.to; d.setUTCDate(d.getUTCDate() + 1)) days.push(d.toISOString().slice(0, 10))
      // An empty [from, to) plus every day as an extra day: exactly the billable worklogs the
      // late-work day summaries count (the same SQL predicate).
      const worklogs = await readBillingWorklogs(clickhouse, { deal, timeZone: TIME_ZONE, from: period.to, to: period.to, extraDays: days })
      const rows: BilledWorkRow[] = worklogs.map((w) => {
        const raw = computeRawSeconds(w)
        return {
          worklogId: w.worklogId,
          version: w.version,
          issueId: w.issueId,
          issueKey: w.issueKey,
          workDate: w.workDate,
          rawSeconds: raw,
          billableMinutes: computeBillableMinutes(raw, rounding),
          lineKey: 'time:Development',
        }
      })
      const invoiceId = randomUUID()
      await insertInvoice(client, { id: invoiceId, workflowId: 'bench-ledger-fill', dealId: deal.dealId, customerId: deal.customerId, currency: deal.currency, month, number: `BENCH-${deal.dealId}-${month}` })
      await db.$transaction((tx) => writeBilledWork(tx, { invoiceId, dealId: deal.dealId }, rows), { timeout: 60_000 })
      await approveInvoice(client, invoiceId)
      realistic += rows.length
      console.error(`fill: ${deal.dealId} ${month}: ${rows.length} billed worklogs on invoice BENCH-${deal.dealId}-${month}`)
    }

    const synthetic = Math.max(0, total - realistic)
    const invoices = Math.ceil(synthetic / SYNTHETIC_INVOICE_ROWS)
    const started = performance.now()
    for (let k = 0; k < invoices; k++) {
      const n = Math.min(SYNTHETIC_INVOICE_ROWS, synthetic - k * SYNTHETIC_INVOICE_ROWS)
      const invoiceId = randomUUID()
      const synthDeal = `BENCH-${String(k % 40).padStart(3, '0')}`
      // Two years of monthly invoices for 40 synthetic deals, none of them the measured deal.
      const month = `${2025 + Math.floor(k / 40 / 12) % 2}-${String((Math.floor(k / 40) % 12) + 1).padStart(2, '0')}`
      await insertInvoice(client, { id: invoiceId, workflowId: 'bench-ledger-fill', dealId: synthDeal, customerId: `BENCH-C${k % 40}`, currency: 'USD', month, number: `BENCH-S-${String(k).padStart(5, '0')}` })
      await client.query(
        `INSERT INTO "billed_work" ("invoice_id", "deal_id", "worklog_id", "worklog_version", "issue_id", "issue_key", "work_date", "raw_seconds", "billable_minutes", "line_key", "worklog_hash")
         SELECT $1::uuid, $2, $3::bigint + g, 1, 5000000 + g % 400, 'BEN-' || (g % 400), $4::date + (g % 28), 600 + (g % 40) * 60, 15 * (1 + g % 12), 'time:Development',
                (('x' || left(md5(($3::bigint + g)::text), 16))::bit(64))::bigint
           FROM generate_series(1, $5::int) AS g`,
        [invoiceId, synthDeal, String(SYNTHETIC_ID_BASE + k * 10_000_000), `${month}-01`, n],
      )
      await approveInvoice(client, invoiceId)
      if ((k + 1) % 10 === 0 || k === invoices - 1) {
        const done = Math.min(synthetic, (k + 1) * SYNTHETIC_INVOICE_ROWS)
        console.error(`fill: synthetic ${done}/${synthetic} rows on ${k + 1}/${invoices} invoices (${((performance.now() - started) / 1000).toFixed(1)} s)`)
      }
    }
    await client.query('ANALYZE "billed_work"')
    await client.query('ANALYZE "invoices"')
    const live = await client.query<{ n: string }>(`SELECT count(*)::text AS n FROM "billed_work" WHERE "released_at" IS NULL`)
    const marker = { liveRows: Number(live.rows[0]!.n), realistic, synthetic, invoices: invoices + months.length, at: new Date().toISOString() }
    await client.query(`INSERT INTO "settings" ("key", "value") VALUES ($1, $2::jsonb) ON CONFLICT ("key") DO UPDATE SET "value" = EXCLUDED."value"`, [FILLED_MARKER, JSON.stringify(marker)])
    emit(marker)
  } finally {
    await client.end()
    await clickhouse.close()
    await db.$disconnect()
  }
}

/**
 * prefillInvoice `runs` times (the first is cold), then each read it is made of on its own,
 * `runs - 1` times, for the split of the time.
 */
async function prefill([path, databaseUrl, dealId, month, runsText]: Args): Promise<void> {
  const runs = Math.max(2, Number(runsText))
  const { clickhouse, db } = openSources(path!, databaseUrl!)
  const side = new pg.Client({ connectionString: databaseUrl })
  await side.connect()
  const serverCpu = new ServerCpu(side)
  try {
    const ping = await clickhouse.ping()
    if (!ping.success) throw ping.error
    await db.$queryRaw`SELECT 1`
    const period = buildMonthPeriod(month!)
    const ms: number[] = []
    const cpuMs: number[] = []
    const pgCpuMs: number[] = []
    let summary: Record<string, unknown> = {}
    for (let i = 0; i < runs; i++) {
      const pgBefore = await serverCpu.sample()
      const cpuBefore = processCpuMs()
      const { ms: took, value } = await timed(() => prefillInvoice({ db, clickhouse, timeZone: TIME_ZONE }, { dealId: dealId!, period }))
      cpuMs.push(processCpuMs() - cpuBefore)
      pgCpuMs.push(ServerCpu.since(pgBefore, await serverCpu.sample()))
      ms.push(took)
      summary = {
        worklogsRead: value.worklogsRead,
        lines: value.preview.lines.length,
        lateWorkLines: value.preview.lines.filter((l) => isLateWorkLine(l.lineId)).length,
        total: value.preview.total,
        sourceFingerprint: value.preview.sourceFingerprint,
      }
      console.error(`prefill run ${i + 1}/${runs}: ${took.toFixed(0)} ms`)
    }

    // The parts, in the order prefillInvoice does them (readBillableWork runs the two ledger
    // reads side by side; here each is timed alone).
    const steps: Record<string, number[]> = {}
    const add = (name: string, took: number): void => {
      ;(steps[name] ??= []).push(took)
    }
    let facts: Record<string, unknown> = {}
    for (let i = 0; i < runs - 1; i++) {
      const deal = await timed(() => loadDeal(clickhouse, dealId!))
      add('ch.readDeal', deal.ms)
      const customer = await timed(() => readCustomer(clickhouse, deal.value.customerId))
      add('ch.readCustomer', customer.ms)
      const rules = await timed(() => readBillingRules(db, { dealId: deal.value.dealId, customerId: deal.value.customerId }))
      add('pg.readBillingRules', rules.ms)
      const lookback = rules.value.app.lateWorkLookbackMonthsByDeal[deal.value.dealId] ?? rules.value.app.lateWorkLookbackMonths
      const windowFrom = lookback > 0 ? lookbackStart(period, lookback) : period.from
      const query = { dealId: deal.value.dealId, from: windowFrom, to: period.from, exceptInvoiceId: null }
      let coverage = 0
      let ledgerDayCount = 0
      let sourceDayCount = 0
      let differing: string[] = []
      if (windowFrom < period.from) {
        const live = await timed(() => readLiveInvoices(db, query))
        add('pg.readLiveInvoices', live.ms)
        const ledgerDays = await timed(() => readLedgerDays(db, query))
        add('pg.readLedgerDays', ledgerDays.ms)
        coverage = live.value.length
        ledgerDayCount = ledgerDays.value.length
        if (coverage > 0) {
          const sourceDays = await timed(() => readWorkDaySummaries(clickhouse, { deal: deal.value, timeZone: TIME_ZONE, from: windowFrom, to: period.from }))
          add('ch.readWorkDaySummaries', sourceDays.ms)
          sourceDayCount = sourceDays.value.length
          const byDay = new Map(ledgerDays.value.map((d) => [d.workDate, d]))
          differing = sourceDays.value
            .filter((d) => live.value.some((inv) => d.workDate >= inv.from && d.workDate < inv.to))
            .filter((d) => byDay.get(d.workDate)?.count !== d.count || byDay.get(d.workDate)?.idXor !== d.idXor)
            .map((d) => d.workDate)
        }
      }
      // The bare per-worklog read of the period: the floor of the prefill's ClickHouse read.
      const worklogs = await timed(() => readBillingWorklogs(clickhouse, { deal: deal.value, timeZone: TIME_ZONE, from: period.from, to: period.to, extraDays: differing }))
      add('ch.readBillingWorklogs', worklogs.ms)
      const ids = worklogs.value.map((w) => w.worklogId)
      const elsewhere = await timed(() => findBilledElsewhere(db, ids, null))
      add('pg.findBilledElsewhere', elsewhere.ms)
      const issues = await timed(() => readIssues(clickhouse, worklogs.value.map((w) => w.issueId)))
      add('ch.readIssues', issues.ms)
      // Whole: the prefill's ledger-aware read as it runs it (overlaps the reads above), then
      // the pure computation that follows it in prefillInvoice.
      const rounding = resolveRounding(deal.value, rules.value.settings)
      const work = await timed(() => readBillableWork({ db, clickhouse }, { deal: deal.value, period, timeZone: TIME_ZONE, rounding, lookbackMonths: lookback, invoiceId: null }))
      add('whole.readBillableWork', work.ms)
      const fingerprint = await timed(async () =>
        computeSourceFingerprint({
          dealVersion: deal.value.version,
          customerVersion: customer.value!.version,
          work: work.value.digest,
          issues: issues.value,
          settings: rules.value.settings,
          lookbackMonths: lookback,
          rateRules: rules.value.rateRules,
          categoryRules: rules.value.categoryRules,
        }),
      )
      add('js.computeSourceFingerprint', fingerprint.ms)
      const preview = await timed(async () =>
        buildPreviewWithPlacements({
          deal: deal.value,
          customer: customer.value!,
          issues: issues.value,
          entries: work.value.entries,
          lateWork: work.value.lateWork,
          billedElsewhere: work.value.billedElsewhere,
          period,
          rateRules: rules.value.rateRules,
          categoryRules: rules.value.categoryRules,
          settings: rules.value.settings,
          sourceFingerprint: fingerprint.value,
        }),
      )
      add('js.buildPreview', preview.ms)
      facts = {
        lookbackMonths: lookback,
        windowFrom,
        coveringInvoices: coverage,
        ledgerDays: ledgerDayCount,
        sourceDays: sourceDayCount,
        differingDays: differing.length,
        idsToPostgres: ids.length,
        billedElsewhereFound: elsewhere.value.length,
        issues: issues.value.length,
      }
    }
    emit({ ms, cpuMs, pgCpuMs, ...summary, steps, facts })
  } finally {
    await side.end()
    await clickhouse.close()
    await db.$disconnect()
  }
}

function errorFigures(err: unknown): { error: string; code?: string } {
  const text = `${(err as Error)?.message ?? String(err)} ${JSON.stringify((err as { meta?: unknown })?.meta ?? {})}`
  const code = /57014|statement timeout|canceling statement/.test(text) ? '57014 statement timeout' : undefined
  return { error: text.slice(0, 400), code }
}

interface Attempt {
  ms: number
  serverCpuMs: number
  error?: string
  code?: string
}

/**
 * The ledger write of an invoice of `rowCount` worklogs: writeBilledWork in a transaction of
 * its own (fresh: no rows yet; replace: the invoice's rows are deleted and written again;
 * delete: writeBilledWork with no rows), then whole finalizeInvoice calls (first confirmation,
 * then a re-confirmation of the same invoice), with the filled ledger present; each under the
 * app's statement timeout and with it lifted. Rows are deleted again afterwards (the invoices
 * are not approved).
 */
async function write([path, databaseUrl, dealId, month, rowsText, repsText]: Args): Promise<void> {
  const rowCount = Number(rowsText)
  const reps = Math.max(1, Number(repsText))
  const { clickhouse, db } = openSources(path!, databaseUrl!)
  const client = new pg.Client({ connectionString: databaseUrl })
  await client.connect()
  try {
    const period = buildMonthPeriod(month!)
    // A real preview, deal and customer for finalize (the preview is the 10k-worklog one: the
    // invoice row's JSON does not grow with the worklogs, the ledger does).
    const prefilled = await prefillInvoice({ db, clickhouse, timeZone: TIME_ZONE }, { dealId: dealId!, period })
    const rules = await readBillingRules(db, { dealId: prefilled.deal.dealId, customerId: prefilled.customer.customerId })
    // Rows a killed earlier run may have left live.
    const stale = await client.query(
      `DELETE FROM "billed_work" WHERE "invoice_id" IN (SELECT "id" FROM "invoices" WHERE "workflow_id" LIKE $1 AND "approved_at" IS NULL)`,
      [`${WRITE_WORKFLOW}%`],
    )
    if (stale.rowCount) console.error(`write: removed ${stale.rowCount} rows an earlier run left`)
    const days = period.to.slice(8, 10) === '01' ? Number(new Date(Date.parse(`${period.to}T00:00:00Z`) - 86_400_000).toISOString().slice(8, 10)) : 28
    const rows: BilledWorkRow[] = Array.from({ length: rowCount }, (_, i) => ({
      worklogId: String(WRITE_ID_BASE + i),
      version: String(1_700_000_000_000 + i),
      issueId: String(7_000_000 + (i % 800)),
      issueKey: `APP-${1 + (i % 800)}`,
      workDate: `${month}-${String(1 + (i % days)).padStart(2, '0')}`,
      rawSeconds: 600 + (i % 40) * 60,
      billableMinutes: 15 * (1 + (i % 12)),
      lineKey: `time:Development:${i % 5}`,
    }))
    const live = await client.query<{ n: string }>(`SELECT count(*)::text AS n FROM "billed_work" WHERE "released_at" IS NULL`)
    const liveRows = Number(live.rows[0]!.n)

    // Only the transport, no table: the rows as writeBilledWork sends them (one JSON text,
    // JSON.stringify on this side, jsonb_array_elements on the server), and as eight arrays
    // through unnest (how it sent them before, for comparison).
    const serverCpu = new ServerCpu(client)
    const transport = { stringifyMs: [] as number[], jsonMs: [] as number[], jsonServerCpuMs: [] as number[], arraysMs: [] as number[], arraysServerCpuMs: [] as number[] }
    for (let i = 0; i < reps; i++) {
      const json = await timed(async () => jsonOf(rows))
      transport.stringifyMs.push(json.ms)
      let before = await serverCpu.sample()
      transport.jsonMs.push((await timed(() => db.$queryRaw`SELECT count(*)::int AS n FROM jsonb_array_elements(${json.value}::jsonb) AS r`)).ms)
      transport.jsonServerCpuMs.push(ServerCpu.since(before, await serverCpu.sample()))
      before = await serverCpu.sample()
      const arrays = await timed(
        () => db.$queryRaw`SELECT count(*)::int AS n FROM unnest(${rows.map((r) => r.worklogId)}::bigint[], ${rows.map((r) => r.version)}::bigint[], ${rows.map((r) => r.issueId)}::bigint[],
                  ${rows.map((r) => r.issueKey)}::text[], ${rows.map((r) => r.workDate)}::date[], ${rows.map((r) => r.rawSeconds)}::int[],
                  ${rows.map((r) => r.billableMinutes)}::int[], ${rows.map((r) => r.lineKey)}::text[]) AS w`,
      )
      transport.arraysMs.push(arrays.ms)
      transport.arraysServerCpuMs.push(ServerCpu.since(before, await serverCpu.sample()))
    }

    // writeBilledWork alone, on a not-approved invoice of the deal, as finalize calls it (the
    // app's 5 s statement timeout) and with the limit lifted for the transaction (how long it
    // really takes when the limit strikes). Each part is tried on its own; its rows are put in
    // place untimed when the part before it failed.
    const invoiceId = randomUUID()
    await insertInvoice(client, { id: invoiceId, workflowId: WRITE_WORKFLOW, dealId: prefilled.deal.dealId, customerId: prefilled.customer.customerId, currency: prefilled.deal.currency, month: month!, number: `BENCH-W-${invoiceId.slice(0, 8)}` })
    await client.query(`UPDATE "invoices" SET "state" = 'finalizing' WHERE "id" = $1`, [invoiceId])
    const target = { invoiceId, dealId: prefilled.deal.dealId }
    const attempt = async (lifted: boolean, body: (tx: Prisma.TransactionClient) => Promise<void>): Promise<Attempt> => {
      const before = await serverCpu.sample()
      const started = performance.now()
      try {
        await db.$transaction(async (tx) => {
          if (lifted) await tx.$executeRaw`SET LOCAL statement_timeout = 0`
          await body(tx)
        }, { timeout: 120_000 })
        return { ms: performance.now() - started, serverCpuMs: ServerCpu.since(before, await serverCpu.sample()) }
      } catch (err) {
        return { ms: performance.now() - started, serverCpuMs: ServerCpu.since(before, await serverCpu.sample()), ...errorFigures(err) }
      }
    }
    const putRows = async (): Promise<void> => {
      await client.query(`DELETE FROM "billed_work" WHERE "invoice_id" = $1`, [invoiceId])
      await client.query(
        `INSERT INTO "billed_work" ("invoice_id", "deal_id", "worklog_id", "worklog_version", "issue_id", "issue_key", "work_date", "raw_seconds", "billable_minutes", "line_key", "worklog_hash")
         SELECT $1::uuid, $2, (r->>0)::bigint, (r->>1)::bigint, (r->>2)::bigint, r->>3, (r->>4)::date, (r->>5)::int, (r->>6)::int, r->>7, (('x' || left(md5(r->>0), 16))::bit(64))::bigint
           FROM jsonb_array_elements($3::jsonb) AS r`,
        [invoiceId, target.dealId, jsonOf(rows)],
      )
    }
    const writes: Record<'limited' | 'lifted', Record<'fresh' | 'replace' | 'delete', Attempt[]>> = {
      limited: { fresh: [], replace: [], delete: [] },
      lifted: { fresh: [], replace: [], delete: [] },
    }
    // The same 100k ids are written again and again: each round starts vacuumed (as autovacuum
    // would leave the table), so that no round pays for the dead rows and index entries the
    // rounds before it left for the same ids.
    const vacuum = async (): Promise<void> => {
      await client.query('VACUUM (ANALYZE) "billed_work", "invoices"')
    }
    for (let i = 0; i < reps; i++) {
      for (const mode of ['limited', 'lifted'] as const) {
        const lifted = mode === 'lifted'
        const w = writes[mode]
        await client.query(`DELETE FROM "billed_work" WHERE "invoice_id" = $1`, [invoiceId])
        await vacuum()
        const fresh = await attempt(lifted, (tx) => writeBilledWork(tx, target, rows))
        w.fresh.push(fresh)
        if (fresh.error) await putRows()
        w.replace.push(await attempt(lifted, (tx) => writeBilledWork(tx, target, rows)))
        w.delete.push(await attempt(lifted, (tx) => writeBilledWork(tx, target, [])))
        await client.query(`DELETE FROM "billed_work" WHERE "invoice_id" = $1`, [invoiceId])
        const show = (a: Attempt): string => `${a.ms.toFixed(0)} ms${a.error ? ' FAILED' : ''} (server CPU ${a.serverCpuMs})`
        console.error(`write ${i + 1}/${reps} ${mode}: fresh ${show(fresh)}, replace ${show(w.replace.at(-1)!)}, delete ${show(w.delete.at(-1)!)}`)
      }
    }

    // Where a write's time goes, from the server: EXPLAIN ANALYZE in a transaction rolled back.
    await vacuum()
    const explain = await explainWrite(client, target, rows)

    // finalizeInvoice, whole: first confirmation of a fresh invoice, then a re-confirmation
    // (which replaces the rows); through the app's client, and through one whose statement
    // timeout is lifted.
    const lifted = new PrismaClient({ adapter: new PrismaPg({ connectionString: databaseUrl!, statement_timeout: 0, max: 10 }) })
    const finalize: Record<'limited' | 'lifted', Record<'first' | 'again', Attempt[]>> = { limited: { first: [], again: [] }, lifted: { first: [], again: [] } }
    try {
      for (let i = 0; i < reps; i++) {
        for (const mode of ['limited', 'lifted'] as const) {
          const client_ = mode === 'limited' ? db : lifted
          const id = randomUUID()
          const input = {
            invoiceId: id,
            workflowId: `${WRITE_WORKFLOW}-finalize`,
            workflowRunId: randomUUID(),
            preview: prefilled.preview as InvoicePreview,
            buyer: prefilled.customer,
            deal: prefilled.deal,
            seller: rules.app.seller,
            numberPrefix: 'BENCH-F-',
            confirmedBy: 'bench',
            confirmedAt: new Date().toISOString(),
            timeZone: TIME_ZONE,
            eventKey: `bench-finalize-${id}-1`,
            billedWork: rows,
          }
          const run = async (body: () => Promise<unknown>): Promise<Attempt> => {
            const before = await serverCpu.sample()
            const started = performance.now()
            try {
              await body()
              return { ms: performance.now() - started, serverCpuMs: ServerCpu.since(before, await serverCpu.sample()) }
            } catch (err) {
              return { ms: performance.now() - started, serverCpuMs: ServerCpu.since(before, await serverCpu.sample()), ...errorFigures(err) }
            }
          }
          await vacuum()
          const first = await run(() => finalizeInvoice(client_, input))
          finalize[mode].first.push(first)
          if (!first.error) {
            finalize[mode].again.push(await run(() => finalizeInvoice(client_, { ...input, eventKey: `bench-finalize-${id}-2`, confirmedAt: new Date().toISOString() })))
          }
          await client.query(`DELETE FROM "billed_work" WHERE "invoice_id" = $1`, [id])
          const again = finalize[mode].again.at(-1)
          console.error(
            `finalize ${i + 1}/${reps} ${mode}: first ${first.ms.toFixed(0)} ms${first.error ? ' FAILED' : ''} (server CPU ${first.serverCpuMs}), re-confirmation ${first.error ? '-' : `${again!.ms.toFixed(0)} ms${again!.error ? ' FAILED' : ''} (server CPU ${again!.serverCpuMs})`}`,
          )
        }
      }
    } finally {
      await lifted.$disconnect()
    }
    emit({ rows: rowCount, liveRows, transport, writes, explain, finalize })
  } finally {
    await client.end()
    await clickhouse.close()
    await db.$disconnect()
  }
}

interface PlanNode {
  'Actual Total Time'?: number
  Plans?: PlanNode[]
}
interface ExplainRow {
  Plan: PlanNode
  Triggers?: { 'Trigger Name': string; Time: number; Calls: number }[]
  'Execution Time': number
  'Planning Time': number
}

/** Server-side figures of the insert (into an empty invoice) and of the delete of its rows, rolled back. */
/** The rows as writeBilledWork sends them: one JSON text of [worklogId, version, issueId, issueKey, workDate, rawSeconds, billableMinutes, lineKey]. */
function jsonOf(rows: readonly BilledWorkRow[]): string {
  return JSON.stringify(rows.map((r) => [r.worklogId, r.version, r.issueId, r.issueKey, r.workDate, r.rawSeconds, r.billableMinutes, r.lineKey]))
}

/**
 * Server-side figures of writeBilledWork's insert (the same statement, into an invoice with no
 * rows) and of the delete of its rows, in a transaction rolled back: execution time, the time
 * the rows took to come out of the JSON (the insert's input node), and the triggers.
 */
async function explainWrite(client: pg.Client, target: { invoiceId: string; dealId: string }, rows: readonly BilledWorkRow[]): Promise<Record<string, unknown>> {
  const summarize = (row: ExplainRow) => ({
    executionMs: Math.round(row['Execution Time']),
    inputMs: row.Plan.Plans?.[0]?.['Actual Total Time'] === undefined ? null : Math.round(row.Plan.Plans[0]['Actual Total Time']),
    triggers: Object.fromEntries((row.Triggers ?? []).map((t) => [t['Trigger Name'], { ms: Math.round(t.Time), calls: t.Calls }])),
  })
  await client.query('BEGIN')
  try {
    // Mirrors db/billed-work.ts writeBilledWork's INSERT.
    const insert = await client.query<{ 'QUERY PLAN': ExplainRow[] }>(
      `EXPLAIN (ANALYZE, FORMAT JSON)
       INSERT INTO "billed_work" ("invoice_id", "deal_id", "worklog_id", "worklog_version", "issue_id", "issue_key", "work_date", "raw_seconds", "billable_minutes", "line_key", "worklog_hash")
       SELECT $1::uuid, $2, (r->>0)::bigint, (r->>1)::bigint, (r->>2)::bigint, r->>3, (r->>4)::date, (r->>5)::int, (r->>6)::int, r->>7, (('x' || left(md5(r->>0), 16))::bit(64))::bigint
         FROM jsonb_array_elements($3::jsonb) AS r`,
      [target.invoiceId, target.dealId, jsonOf(rows)],
    )
    const del = await client.query<{ 'QUERY PLAN': ExplainRow[] }>(`EXPLAIN (ANALYZE, FORMAT JSON) DELETE FROM "billed_work" WHERE "invoice_id" = $1::uuid`, [target.invoiceId])
    return { insert: summarize(insert.rows[0]!['QUERY PLAN'][0]!), delete: summarize(del.rows[0]!['QUERY PLAN'][0]!) }
  } finally {
    await client.query('ROLLBACK')
  }
}

const [mode, ...args] = process.argv.slice(2)
const modes: Record<string, (args: Args) => Promise<void>> = { fill, prefill, write }
const body = mode ? modes[mode] : undefined
if (!body) {
  console.error('usage: ledger-once.ts fill|prefill|write <clickhouse dir> <database url> ... (run by bench/ledger.ts)')
  process.exit(2)
}
body(args).then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err)
    process.exit(1)
  },
)
