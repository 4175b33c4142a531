import { randomBytes } from 'node:crypto'
import { mkdirSync, writeFileSync } from 'node:fs'
import { availableParallelism, loadavg } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Client, Connection } from '@temporalio/client'
import { PrismaPg } from '@prisma/adapter-pg'
import pg from 'pg'
import { createApp } from '../api/app.js'
import type { Role } from '../api/auth.js'
import type { InvoicePreview, PreviewLine, IssueDetail, Finding } from '../billing/types.js'
import { SESSION_COOKIE, sessionKey, signSession } from '../console/session.js'
import { PrismaClient, type Prisma } from '../generated/prisma/client.js'
import { loadConfig } from '../lib/config.js'
import { createDatabase, POSTGRES_QUERY_TIMEOUT_MS, type Database } from '../lib/database.js'
import { createLogger } from '../lib/logger.js'
import { temporalConnectionOptions } from '../lib/temporal-connection-options.js'
import { listInvoiceRuns, notConfirmedBy, type InvoiceRunFilters } from '../operations/invoices/list-invoice-runs.js'
import { readInvoiceEvents } from '../operations/invoices/read-invoice-events.js'
import { readInvoice } from '../operations/invoices/read-invoice.js'
import { INVOICE_STATES, NEXT_ACTOR_BY_STATE, type InvoiceState } from '../workflows/invoice-contract.js'
import { cloneDatabase, dropDatabase, isAlive, withAdmin } from '../test-support/postgres-admin.js'
import { summarize } from './stats.js'

/**
 * The finance console's server render time (console/, served by the API under /app): the
 * invoice list with 1,000 invoices in the read model, and an invoice's page, through the real
 * Hono app in-process (`createApp`, as api/create-test-app.ts builds it: no port, no network),
 * signed in with a session cookie made by console/session.ts (`signSession`, `sessionKey`).
 * Each figure runs from just before `app.request()` to the last byte of the body read.
 *
 * Beside each page, its floors, timed alone right after it:
 *   data = the page's reads through the same operations on the same Prisma client, as the
 *          console's route runs them (console/routes/invoices.ts): the list = listInvoiceRuns
 *          (limit 100), the open runs counted per state and per next actor, and those an
 *          approver may approve, at once; an invoice = readInvoice and readInvoiceEvents
 *          (limit 500), at once;
 *   SQL  = the very statements the page sent (recorded once through a second app on a Prisma
 *          client with query events), replayed one after another on one node-postgres
 *          connection: PostgreSQL and the round trips, no Prisma;
 * page - data (of the same round) is what the console itself adds: its templates (console/views), Hono's routing
 * and middleware (request id, the request log, formatted as JSON then dropped, the session
 * cookie, the CSRF token) and the Response. Before timing, each page is checked to be the one
 * meant (200, not the sign-in redirect; every row or line and event the floor read is on it),
 * and the statements the data floor sends are compared with the page's: a console whose reads
 * changed gets a warning that the floor is out of step (then bring listData/invoiceData in line;
 * BENCH_DEBUG=1 prints both sets of statements).
 * Last, EXPLAIN ANALYZE of each SELECT a page sends (its plan: index or sequential scan).
 *
 * Pages (signed in as who works on each):
 *   /app                                  the list: newest 100 of the 1,000 (accountant alice)
 *   /app?mine=accountant                  "waiting for me": awaiting confirmation (alice)
 *   /app?state=awaiting_approval          a filter on an indexed column (approver bob)
 *   /app?customerId=<busiest customer>    a filter on another (alice)
 *   /app/invoices/<awaiting confirmation> 30 lines, 200 issues, 5 warnings, 50 events: the
 *                                         confirm form with its inputs per line (alice)
 *   /app/invoices/<partially paid>        the same size of preview, numbered and delivered:
 *                                         2 PDF versions, 5 external references, a credit
 *                                         note, 2 payments, the balance, 50 events (alice: the
 *                                         credit-note and payment forms)
 *
 * No workflow runs: readInvoice answers from the read model (invoice_runs) whenever the run has
 * a row there, which every run started since the read model existed has, running or not; it
 * queries the workflow only with `live` (the console never passes it) or for a run without a
 * row. So the bench's invoices are read-model rows (closedAt null: running, so each page shows
 * its state's actions), the figures have no Temporal in them, and the bench checks that
 * readInvoice answered `source: database`. The app gets a real Temporal client on the test
 * namespace all the same; the pages never call it.
 *
 * Data: a PostgreSQL database of its own, `invoicing_bench_console_<pid>`, cloned from the
 * migrated test database (TEST_DATABASE_URL as the template, as test-support/database-per-file.ts
 * does) and dropped at the end, also on Ctrl-C or SIGTERM (one a killed run left behind is
 * dropped by the next run). Seeded with a fixed-seed generator: invoice runs of 150 deals of 40
 * customers over 2025-01..2026-11 (calendar months, some date ranges, a few invoices cancelled
 * and started again), states by age (older ones paid, completed, void, cancelled, overdue;
 * recent ones awaiting confirmation, approval or payment, dispatching, needing attention...),
 * totals as decimal strings in UZS, USD and EUR, each with a preview of 3-8 lines and 5-40
 * issues as the workflow writes it, an invoices row for each numbered one and a short history
 * for each; plus the two invoices above (1,000 runs in all). Warm-up rounds first, then RUNS
 * rounds, each every page and its floors once, in turn (load from elsewhere on the machine
 * falls on all alike). Prints p50/p95 and the CPU of this process per page, and writes
 * bench/results/console.json; progress on stderr.
 * Needs the services up (bash scripts/services.sh up); reads .env itself.
 *   npx tsx bench/console.ts [runs=100] [invoices=1000]
 * Targets (issue 14): the invoice list with 1,000 invoices renders in < 200 ms server time; the
 * invoice page in < 150 ms.
 */
const root = fileURLToPath(new URL('..', import.meta.url))
const RUNS = Number(process.argv[2] ?? 100)
const INVOICES = Number(process.argv[3] ?? 1000)
const WARMUP = 20
const LIST_LIMIT = 100 // console/routes/invoices.ts renderList
const EVENTS_LIMIT = 500 // console/routes/invoices.ts renderInvoice
const TARGET_LIST_MS = 200
const TARGET_INVOICE_MS = 150
const DB_PREFIX = 'invoicing_bench_console_'
const API_TOKENS = ['bench-accountant-token=alice:accountant', 'bench-approver-token=bob:approver'].join(',')

process.loadEnvFile(join(root, '.env'))
const templateUrl = process.env.TEST_DATABASE_URL
if (!templateUrl) throw new Error('TEST_DATABASE_URL is not set (.env)')
const withDatabase = (url: string, name: string): string => {
  const u = new URL(url)
  u.pathname = `/${name}`
  return u.toString()
}
const databaseName = (url: string): string => decodeURIComponent(new URL(url).pathname.slice(1))
const templateName = databaseName(templateUrl)
// Cloning needs CREATEDB: the owner role has it, the app's role (TEST_DATABASE_URL) does not.
const adminUrl = withDatabase(process.env.TEST_DATABASE_OWNER_URL || templateUrl, 'postgres')
const benchName = `${DB_PREFIX}${process.pid}`
if ([process.env.DATABASE_URL, templateUrl].filter((u): u is string => !!u).map(databaseName).includes(benchName)) throw new Error(`refusing to use ${benchName}: it is the app's or the tests' database`)
const benchUrl = withDatabase(templateUrl, benchName)

// ---------------------------------------------------------------------------------------------
// The bench database

const withAdminDb = <T>(body: (client: pg.Client) => Promise<T>): Promise<T> => withAdmin(adminUrl, body)

/** Drops the bench databases of runs that were killed, then clones the test database for this one. */
async function createBenchDatabase(): Promise<void> {
  await withAdminDb(async (client) => {
    const { rows } = await client.query<{ datname: string }>('SELECT datname FROM pg_database WHERE starts_with(datname, $1)', [DB_PREFIX])
    for (const { datname } of rows) {
      const pid = Number(datname.slice(DB_PREFIX.length))
      if (Number.isInteger(pid) && pid !== process.pid && isAlive(pid)) continue
      console.error(`dropping ${datname}, left behind by a run that was killed`)
      await dropDatabase(client, datname)
    }
    console.error(`creating ${benchName} from the template ${templateName}`)
    // A test file cloning the template at the same time: wait for it.
    await cloneDatabase(client, benchName, templateName, 100)
  })
}

// ---------------------------------------------------------------------------------------------
// Seed data (fixed seed: every run measures the same rows)

function generator(seed: number): () => number {
  let a = seed
  return () => {
    a = (a + 0x6d2b79f5) | 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}
const random = generator(14)
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!
const between = (low: number, high: number): number => low + Math.floor(random() * (high - low + 1))
const weighted = <T extends string>(weights: Partial<Record<T, number>>): T => {
  const entries = Object.entries(weights) as [T, number][]
  let left = random() * entries.reduce((sum, [, w]) => sum + w, 0)
  for (const [value, w] of entries) if ((left -= w) < 0) return value
  return entries.at(-1)![0]
}
const uuid = (): string => {
  const b = Buffer.from(Array.from({ length: 16 }, () => between(0, 255)))
  b[6] = (b[6]! & 0x0f) | 0x40
  b[8] = (b[8]! & 0x3f) | 0x80
  const h = b.toString('hex')
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`
}
const hex = (n: number): string => Array.from({ length: n }, () => between(0, 15).toString(16)).join('')
/** Cents as a decimal string, never through a float. */
const money = (cents: bigint): string => `${cents < 0n ? '-' : ''}${(cents < 0n ? -cents : cents) / 100n}.${String((cents < 0n ? -cents : cents) % 100n).padStart(2, '0')}`
const toCents = (text: string): bigint => BigInt(text.replace('.', ''))

const CUSTOMERS = Array.from({ length: 40 }, (_, i) => (i < 28 ? `CUST-UZ-${String(i + 1).padStart(2, '0')}` : `CUST-US-${String(i - 27).padStart(2, '0')}`))
const DEALS = Array.from({ length: 150 }, (_, i) => {
  const customerId = CUSTOMERS[i % CUSTOMERS.length]!
  const currency = customerId.startsWith('CUST-US') ? (i % 3 === 0 ? 'EUR' : 'USD') : 'UZS'
  return { dealId: `APP-${1001 + i}`, customerId, currency, rate: currency === 'UZS' ? `${between(30, 60) * 10000}.00` : `${between(35, 120)}.00` }
})
type Deal = (typeof DEALS)[number]
const MONTHS = Array.from({ length: 23 }, (_, i) => new Date(Date.UTC(2025, i, 1)).toISOString().slice(0, 7)) // 2025-01 .. 2026-11
const CATEGORIES = ['Development', 'Bug fixing', 'Support', 'Code review', 'QA', 'DevOps', 'Design', 'Analytics', 'Project management', 'Consulting', 'Training', 'Documentation', 'Security', 'Data migration', 'General']
const SUMMARY_WORDS = ['Document', 'database', 'indexes', 'Fix', 'login', 'timeout', 'Add', 'export', 'to', 'CSV', 'Refactor', 'payment', 'module', 'Update', 'dependencies', 'Review', 'the', 'API', 'contract', 'Migrate', 'reports', 'Speed', 'up', 'search']

function monthRange(month: string): { from: string; to: string } {
  const [y, m] = month.split('-').map(Number) as [number, number]
  return { from: `${month}-01`, to: new Date(Date.UTC(y, m, 1)).toISOString().slice(0, 10) }
}

/** A preview as the workflow writes it (billing/types.ts InvoicePreview), with `lineCount` lines and `issueCount` issues. */
function makePreview(deal: Deal, period: { label: string; from: string; to: string }, lineCount: number, issueCount: number): InvoicePreview {
  const project = `P${deal.dealId.slice(4)}`
  const lines: PreviewLine[] = []
  let subtotal = 0n
  let minutes = 0
  const timeLines = Math.max(1, lineCount - Math.floor(lineCount / 6))
  for (let i = 0; i < timeLines; i++) {
    const category = CATEGORIES[i % CATEGORIES.length]!
    const rule = i >= CATEGORIES.length ? `rule-${i}` : 'deal'
    const worklogs = between(2, 400)
    const billable = worklogs * between(20, 140)
    minutes += billable
    const quantity = `${Math.floor(billable / 60)}.${String(Math.round(((billable % 60) / 60) * 100)).padStart(2, '0')}`
    const amount = (toCents(deal.rate) * BigInt(billable)) / 60n
    subtotal += amount
    lines.push({
      lineId: `time:${encodeURIComponent(category)}:${rule}`,
      kind: 'time',
      category,
      description: category,
      quantity,
      unit: 'hour',
      rate: deal.rate,
      amount: money(amount),
      explanation: `${worklogs} worklogs: ${billable - 37}.43 min raw, +36.57 min rounding up to 15-min steps, +0 min for the 15-min minimum per worklog = ${billable} billable min (${quantity} h). Rate ${deal.rate} ${deal.currency}/h: ${rule === 'deal' ? "the deal's hourly rate (no rate rule applies)" : `rate rule ${rule} (${category}, from ${period.from})`}. ${quantity} h (${billable} min) x ${deal.rate} ${deal.currency}/h = ${money(amount)} ${deal.currency}.`,
      rateRuleId: rule === 'deal' ? null : rule,
      appliesToLineId: null,
      reason: null,
    })
  }
  for (let i = timeLines; i < lineCount; i++) {
    const amount = BigInt(between(1, 50)) * toCents(deal.rate) * 10n
    subtotal += amount
    lines.push({ lineId: `fee:support-${i}`, kind: 'fee', category: null, description: `Monthly support fee ${i - timeLines + 1}`, quantity: '1', unit: 'month', rate: money(amount), amount: money(amount), explanation: `The deal's fixed monthly fee for ${period.label}.`, rateRuleId: null, appliesToLineId: null, reason: null })
  }
  const issueDetails: IssueDetail[] = Array.from({ length: issueCount }, (_, i) => {
    const line = lines[i % timeLines]!
    const hours = `${between(0, 40)}.${String(between(0, 99)).padStart(2, '0')}`
    return {
      issueId: String(30001 + i),
      issueKey: `${project}-${i + 1}`,
      summary: i % 17 === 16 ? null : `${pick(SUMMARY_WORDS)} ${pick(SUMMARY_WORDS)} ${pick(SUMMARY_WORDS)} ${pick(SUMMARY_WORDS)}`,
      category: line.category!,
      lineId: line.lineId,
      rawHours: hours,
      billableHours: hours,
      amount: money((toCents(hours) * toCents(deal.rate)) / 100n),
    }
  })
  const keys = issueDetails.slice(0, 18).map((d) => d.issueKey)
  const warnings: Finding[] = [
    { code: 'NON_BILLABLE_EXCLUDED', message: `22 non-billable worklogs (64.5786 h logged, issues ${keys.join(', ')}) were left out: the deal does not bill Tempo's non-billable time.`, details: { hours: '64.5786', worklogs: 22, issueKeys: keys } },
    { code: 'SKIPPED_WORKLOGS', message: `1 worklogs with a zero or negative duration were skipped (issues ${keys[0]}).`, details: { worklogs: 1, issueKeys: keys.slice(0, 1) } },
    { code: 'ISSUE_NOT_FOUND', message: `Issue ${project}-32 (id 30032) is not in the synced Jira issues; its work is billed, categorized by project and Tempo account only.`, details: { issueId: '30032', issueKey: `${project}-32` } },
  ]
  if (lineCount >= 20) {
    warnings.push(
      { code: 'CATEGORY_DEFAULTED', message: `Work on issue ${project}-32 matched no category rule and is billed as the default category "General" (the issue is not synced, so only project and account criteria could match).`, details: { issueId: '30032', category: 'General', issueKey: `${project}-32` } },
      { code: 'LATE_WORK_INCLUDED', message: `Late work of 2 earlier months is billed on this invoice: 14.25 h logged after those months were invoiced.`, details: { months: ['2026-08', '2026-09'], hours: '14.25' } },
    )
  }
  const vatRate = deal.currency === 'UZS' ? '12' : '0'
  const vat = (subtotal * BigInt(vatRate)) / 100n
  const hours = `${Math.floor(minutes / 60)}.${String(Math.round(((minutes % 60) / 60) * 100)).padStart(2, '0')}`
  return {
    dealId: deal.dealId,
    customerId: deal.customerId,
    currency: deal.currency,
    period,
    dealType: 'time_and_materials',
    lines,
    issueDetails,
    limits: { hoursLimit: null, amountLimit: null, mode: 'warn' },
    uncappedSubtotal: money(subtotal),
    subtotal: money(subtotal),
    vatRate,
    vatAmount: money(vat),
    total: money(subtotal + vat),
    hours: { raw: hours, billable: hours, billed: hours },
    warnings,
    errors: [],
    sourceFingerprint: `sha256:${hex(64)}`,
  }
}

const OPEN_STATES: InvoiceState[] = ['prefilling', 'awaiting_confirmation', 'finalizing', 'awaiting_approval', 'dispatching', 'awaiting_payment', 'partially_paid', 'overdue', 'needs_attention']
const NUMBERED: InvoiceState[] = ['awaiting_approval', 'dispatching', 'awaiting_payment', 'partially_paid', 'overdue', 'paid', 'void', 'completed']

function stateFor(monthsAgo: number): InvoiceState {
  if (monthsAgo >= 3) return weighted<InvoiceState>({ paid: 70, completed: 8, void: 3, cancelled: 9, overdue: 6, partially_paid: 4 })
  if (monthsAgo >= 1) return weighted<InvoiceState>({ awaiting_payment: 40, partially_paid: 10, overdue: 10, paid: 25, cancelled: 5, needs_attention: 5, dispatching: 5 })
  return weighted<InvoiceState>({ awaiting_confirmation: 40, awaiting_approval: 25, prefilling: 5, finalizing: 3, dispatching: 5, needs_attention: 7, awaiting_payment: 10, cancelled: 5 })
}

interface RunRow {
  workflowRunId: string
  workflowId: string
  state: InvoiceState
  dealId: string
  customerId: string
  period: string
  invoiceId: string | null
  invoiceNumber: string | null
  currency: string | null
  total: string | null
  nextActor: string | null
  startedBy: string
  view: Prisma.InputJsonValue
  /** Undefined: null in the table (before the first prefill). */
  preview: Prisma.InputJsonValue | undefined
  transitionAt: Date
  startedAt: Date
  closedAt: Date | null
}
function viewFor(row: Omit<RunRow, 'view' | 'preview'>, extra: Record<string, unknown> = {}): Prisma.InputJsonValue {
  const numbered = row.invoiceNumber !== null
  return {
    workflowId: row.workflowId,
    state: row.state,
    dealId: row.dealId,
    customerId: row.customerId,
    period: row.period,
    invoiceId: row.invoiceId,
    invoiceNumber: row.invoiceNumber,
    pdfVersion: numbered ? 1 : null,
    startedBy: row.startedBy,
    confirmedBy: numbered ? 'alice' : null,
    approvedBy: numbered && row.state !== 'awaiting_approval' ? 'bob' : null,
    attention: row.state === 'needs_attention' ? { step: 'didox', reason: 'Didox answered 503 Service Unavailable five times', at: row.transitionAt.toISOString() } : null,
    dispatch: numbered && row.state !== 'awaiting_approval' ? { r2: { status: 'done', externalId: `invoices/2026/${row.invoiceNumber}/v1.pdf` }, planfact: { status: 'done', externalId: String(between(1000, 9999)) } } : {},
    cancelReason: row.state === 'cancelled' ? 'started for the wrong period' : null,
    ...extra,
  } as Prisma.InputJsonValue
}

/** The list's invoices: `count` runs, oldest first, with the variety described above. */
/**
 * The list's invoices: `count` runs, oldest first, with the variety described above; for each
 * numbered one its invoices row, and for each a short history, as the workflow writes them.
 */
function makeRuns(count: number): { rows: RunRow[]; invoices: Prisma.InvoiceCreateManyInput[]; events: Prisma.InvoiceEventCreateManyInput[] } {
  const rows: RunRow[] = []
  const invoices: Prisma.InvoiceCreateManyInput[] = []
  const events: Prisma.InvoiceEventCreateManyInput[] = []
  const ids = new Set<string>()
  let seq = 0
  for (let m = 0; m < MONTHS.length; m++) {
    const month = MONTHS[m]!
    const monthsAgo = MONTHS.length - 1 - m
    const range = monthRange(month)
    const deals = [...DEALS].sort(() => random() - 0.5)
    // Spread evenly over the months (what is left over the months left).
    const until = rows.length + Math.floor((count - rows.length) / (MONTHS.length - m))
    for (let d = 0; rows.length < until; d++) {
      const deal = deals[d % deals.length]!
      // Most invoices are a calendar month; some a date range (a partial month, a project phase).
      const ranged = d >= deals.length || random() < 0.15
      const firstDay = between(1, 14)
      const from = `${month}-${String(firstDay).padStart(2, '0')}`
      const to = `${month}-${String(firstDay + between(7, 14)).padStart(2, '0')}`
      const period = ranged ? { label: `${from}..${to}`, from, to } : { label: month, ...range }
      const workflowId = `invoice:${deal.dealId}:${period.label}`
      if (ids.has(workflowId)) continue
      ids.add(workflowId)
      const startedAt = new Date(Date.parse(`${range.to}T04:00:00Z`) + between(0, 5 * 24 * 60) * 60_000)
      // A few invoices were cancelled and started again: two runs of one workflow id.
      const reruns = random() < 0.04 && rows.length + 1 < until ? 2 : 1
      for (let r = 0; r < reruns; r++) {
        const state = r === 0 && reruns === 2 ? 'cancelled' : stateFor(monthsAgo)
        const numbered = NUMBERED.includes(state)
        const started = new Date(startedAt.getTime() + r * 3_600_000)
        const preview = state === 'prefilling' ? null : makePreview(deal, period, between(3, 8), between(5, 40))
        const closed = !OPEN_STATES.includes(state)
        const base = {
          workflowRunId: uuid(),
          workflowId,
          state,
          dealId: deal.dealId,
          customerId: deal.customerId,
          period: period.label,
          invoiceId: numbered ? uuid() : null,
          invoiceNumber: numbered ? `INV-${started.getUTCFullYear()}-${String(++seq).padStart(5, '0')}` : null,
          currency: preview ? deal.currency : null,
          total: preview?.total ?? null,
          nextActor: NEXT_ACTOR_BY_STATE[state],
          startedBy: pick(['alice', 'alice', 'carol', 'system:billing-run']),
          transitionAt: new Date(started.getTime() + between(1, 20 * 24) * 3_600_000),
          startedAt: started,
          closedAt: closed ? new Date(started.getTime() + between(1, 40 * 24) * 3_600_000) : null,
        }
        rows.push({ ...base, view: viewFor(base), preview: preview ? (preview as unknown as Prisma.InputJsonValue) : undefined })
        if (base.invoiceId && preview) {
          invoices.push({
            id: base.invoiceId,
            workflowId,
            workflowRunId: base.workflowRunId,
            state,
            dealId: deal.dealId,
            customerId: deal.customerId,
            period: period.label,
            periodFrom: new Date(`${period.from}T00:00:00Z`),
            periodTo: new Date(`${period.to}T00:00:00Z`),
            currency: deal.currency,
            subtotal: preview.subtotal,
            vatRate: preview.vatRate,
            vatAmount: preview.vatAmount,
            total: preview.total,
            number: base.invoiceNumber,
            numberYear: started.getUTCFullYear(),
            numberSeq: seq,
            issueDate: started,
            dueDate: new Date(started.getTime() + 15 * 86_400_000),
            preview: preview as unknown as Prisma.InputJsonValue,
            buyer: { customerId: deal.customerId },
            seller: { name: 'Example Software MChJ' },
            deal: { dealId: deal.dealId },
            sourceFingerprint: preview.sourceFingerprint,
            currentPdfVersion: 1,
            confirmedBy: 'alice',
            confirmedAt: started,
            ledgerRecorded: true,
            paymentStatus: ['awaiting_payment', 'partially_paid', 'overdue', 'paid', 'void'].includes(state) ? (state === 'awaiting_payment' ? 'unpaid' : state) : null,
          })
        }
        const history = ['state_prefilling', 'state_awaiting_confirmation', ...(base.invoiceNumber ? ['state_finalizing', 'finalized', 'pdf_rendered', 'state_awaiting_approval'] : []), ...(base.invoiceNumber && state !== 'awaiting_approval' ? ['state_dispatching', 'r2_done', 'planfact_done', 'email_done'] : []), ...(OPEN_STATES.includes(state) ? [] : [`state_${state}`])]
        history.forEach((type, i) => {
          events.push({ workflowId, workflowRunId: base.workflowRunId, invoiceId: type.startsWith('state_prefilling') || type === 'state_awaiting_confirmation' ? null : base.invoiceId, type, actor: type.endsWith('_done') || type === 'pdf_rendered' ? 'system' : 'alice', payload: { state: type.replace(/^state_/, '') }, idempotencyKey: `${base.workflowRunId}:${type}:${i}`, createdAt: new Date(started.getTime() + i * 3_600_000) })
        })
      }
    }
  }
  return { rows, invoices, events }
}

interface PageInvoice {
  workflowId: string
  runId: string
  invoiceId: string | null
}

/** 50 events of an invoice's history, as the workflow appends them, a few hours apart. */
function eventsFor(invoice: PageInvoice, types: [string, string][], from: Date): Prisma.InvoiceEventCreateManyInput[] {
  return types.map(([type, actor], i) => ({
    workflowId: invoice.workflowId,
    workflowRunId: invoice.runId,
    invoiceId: invoice.invoiceId,
    type,
    actor,
    payload: { state: type.replace(/^state_/, ''), from: 'prefilling', detail: `event ${i + 1}` },
    idempotencyKey: `${invoice.runId}:${type}:${i}`,
    createdAt: new Date(from.getTime() + i * 2 * 3_600_000),
  }))
}

/** The two invoices whose pages are measured (see the header), with their history and, for the numbered one, what delivery wrote. */
async function seedPageInvoices(db: Database): Promise<{ confirming: PageInvoice; delivered: PageInvoice }> {
  const startedAt = new Date('2026-12-01T05:00:00Z')
  const period = { label: '2026-11', ...monthRange('2026-11') }

  const confirmingDeal: Deal = { dealId: 'APP-1200', customerId: 'CUST-UZ-02', currency: 'UZS', rate: '480000.00' }
  const confirmingPreview = makePreview(confirmingDeal, period, 30, 200)
  const confirming: PageInvoice = { workflowId: `invoice:${confirmingDeal.dealId}:${period.label}`, runId: uuid(), invoiceId: null }
  const confirmingBase = {
    workflowRunId: confirming.runId,
    workflowId: confirming.workflowId,
    state: 'awaiting_confirmation' as const,
    dealId: confirmingDeal.dealId,
    customerId: confirmingDeal.customerId,
    period: period.label,
    invoiceId: null,
    invoiceNumber: null,
    currency: 'UZS',
    total: confirmingPreview.total,
    nextActor: 'accountant',
    startedBy: 'alice',
    transitionAt: new Date(startedAt.getTime() + 96 * 3_600_000),
    startedAt,
    closedAt: null,
  }
  await db.invoiceRun.create({ data: { ...confirmingBase, view: viewFor(confirmingBase), preview: confirmingPreview as unknown as Prisma.InputJsonValue } })
  // Started, then refreshed 24 times (each: requested, prefilling, awaiting confirmation), with a refused confirm among them.
  const confirmingTypes: [string, string][] = [['state_prefilling', 'alice'], ['state_awaiting_confirmation', 'system']]
  while (confirmingTypes.length < 48) confirmingTypes.push(['refresh_requested', 'alice'], ['state_awaiting_confirmation', 'system'])
  confirmingTypes.push(['action_refused', 'alice'], ['state_awaiting_confirmation', 'system'])
  await db.invoiceEvent.createMany({ data: eventsFor(confirming, confirmingTypes, startedAt) })

  const deliveredDeal: Deal = { dealId: 'APP-1201', customerId: 'CUST-UZ-03', currency: 'UZS', rate: '450000.00' }
  const deliveredPeriod = { label: '2026-10', ...monthRange('2026-10') }
  const deliveredPreview = makePreview(deliveredDeal, deliveredPeriod, 30, 200)
  const delivered: PageInvoice = { workflowId: `invoice:${deliveredDeal.dealId}:${deliveredPeriod.label}`, runId: uuid(), invoiceId: uuid() }
  const number = 'INV-2026-90001'
  const deliveredStarted = new Date('2026-11-02T05:00:00Z')
  await db.invoice.create({
    data: {
      id: delivered.invoiceId!,
      workflowId: delivered.workflowId,
      workflowRunId: delivered.runId,
      state: 'partially_paid',
      dealId: deliveredDeal.dealId,
      customerId: deliveredDeal.customerId,
      period: deliveredPeriod.label,
      periodFrom: new Date(`${deliveredPeriod.from}T00:00:00Z`),
      periodTo: new Date(`${deliveredPeriod.to}T00:00:00Z`),
      currency: 'UZS',
      subtotal: deliveredPreview.subtotal,
      vatRate: deliveredPreview.vatRate,
      vatAmount: deliveredPreview.vatAmount,
      total: deliveredPreview.total,
      number,
      numberYear: 2026,
      numberSeq: 90001,
      issueDate: new Date('2026-11-04T00:00:00Z'),
      dueDate: new Date('2026-11-19T00:00:00Z'),
      preview: deliveredPreview as unknown as Prisma.InputJsonValue,
      buyer: { customerId: deliveredDeal.customerId, name: 'Toshkent Raqamli MChJ', tin: '305999888' },
      seller: { name: 'Example Software MChJ', tin: '305123456' },
      deal: { dealId: deliveredDeal.dealId },
      sourceFingerprint: deliveredPreview.sourceFingerprint,
      currentPdfVersion: 2,
      confirmedBy: 'alice',
      confirmedAt: new Date('2026-11-03T09:00:00Z'),
      approvedBy: 'bob',
      approvedAt: new Date('2026-11-04T09:00:00Z'),
      ledgerRecorded: true,
      paymentStatus: 'partially_paid',
    },
  })
  for (const version of [1, 2]) {
    const bytes = randomBytes(between(80_000, 110_000))
    await db.invoicePdf.create({ data: { invoiceId: delivered.invoiceId!, version, pdfData: bytes, sha256: hex(64), sizeBytes: bytes.length, templateVersion: 'invoice-v3', inputHash: hex(64), createdAt: new Date(`2026-11-0${version + 2}T09:00:00Z`) } })
  }
  const reference = (system: string, purpose: string, externalId: string, details: Prisma.InputJsonValue, pdfVersion: number | null = null) => ({ invoiceId: delivered.invoiceId!, system, purpose, status: 'done', externalId, pdfVersion, details })
  await db.externalReference.createMany({
    data: [
      reference('planfact', 'operation', '1042', { marker: delivered.invoiceId, adopted: false, accountId: 12, projectId: null, contrAgentId: 1000, operationCategoryId: 21 }),
      reference('r2', 'pdf:v1', `invoices/2026/${number}/v1.pdf`, { key: `invoices/2026/${number}/v1.pdf`, etag: `"${hex(32)}"`, bucket: 'invoices', sha256: hex(64), sizeBytes: 102974 }, 1),
      reference('r2', 'pdf:v2', `invoices/2026/${number}/v2.pdf`, { key: `invoices/2026/${number}/v2.pdf`, etag: `"${hex(32)}"`, bucket: 'invoices', sha256: hex(64), sizeBytes: 104110 }, 2),
      reference('didox', 'esf', hex(32), { number, signed: true, adopted: false, createdDate: '2026-11-04 10:32:09' }),
      reference('email', 'email:v2', `<invoice-${delivered.invoiceId}-v2@example.uz>`, { sentAt: '2026-11-04T10:40:00.000Z', accepted: ['buxgalteriya@toshkent-raqamli.example'], attempts: 1, rejected: [] }, 2),
    ],
  })
  const creditTotal = money(toCents(deliveredPreview.total) / 10n)
  await db.creditNote.create({
    data: {
      id: uuid(),
      invoiceId: delivered.invoiceId!,
      seq: 1,
      workflowId: `credit-note:${delivered.workflowId}:1`,
      kind: 'partial',
      correction: 'error',
      reason: 'Support hours billed twice for 2026-10-14',
      state: 'completed',
      currency: 'UZS',
      lines: [{ lineId: deliveredPreview.lines[2]!.lineId, description: deliveredPreview.lines[2]!.description, quantity: '1', unit: 'item', rate: creditTotal, amount: creditTotal }],
      subtotal: creditTotal,
      vatRate: '0',
      vatAmount: '0.00',
      total: creditTotal,
      number: 'CN-2026-00007',
      numberYear: 2026,
      numberSeq: 7,
      issueDate: new Date('2026-11-12T00:00:00Z'),
      currentPdfVersion: 1,
      requestedBy: 'alice',
      confirmedBy: 'alice',
      confirmedAt: new Date('2026-11-12T09:00:00Z'),
      approvedBy: 'bob',
      approvedAt: new Date('2026-11-12T11:00:00Z'),
    },
  })
  const paid = toCents(deliveredPreview.total) / 4n
  await db.payment.createMany({
    data: [
      { id: uuid(), invoiceId: delivered.invoiceId!, source: 'planfact', externalKey: 'planfact:88121', amount: money(paid), currency: 'UZS', paidOn: new Date('2026-11-15T00:00:00Z'), recordedBy: 'system' },
      { id: uuid(), invoiceId: delivered.invoiceId!, source: 'manual', externalKey: 'manual:bank-2026-11-20', amount: money(paid), currency: 'UZS', paidOn: new Date('2026-11-20T00:00:00Z'), recordedBy: 'alice', note: 'bank statement 20.11' },
    ],
  })
  const deliveredBase = {
    workflowRunId: delivered.runId,
    workflowId: delivered.workflowId,
    state: 'partially_paid' as const,
    dealId: deliveredDeal.dealId,
    customerId: deliveredDeal.customerId,
    period: deliveredPeriod.label,
    invoiceId: delivered.invoiceId,
    invoiceNumber: number,
    currency: 'UZS',
    total: deliveredPreview.total,
    nextActor: null,
    startedBy: 'alice',
    transitionAt: new Date('2026-11-20T09:00:00Z'),
    startedAt: deliveredStarted,
    closedAt: null,
  }
  const dispatch = {
    r2: { status: 'done', externalId: `invoices/2026/${number}/v2.pdf` },
    planfact: { status: 'done', externalId: '1042', detail: 'counterparty 1000, account 12' },
    didox: { status: 'done', externalId: hex(32), detail: 'signed by the buyer' },
    email: { status: 'done', externalId: `<invoice-${delivered.invoiceId}-v2@example.uz>`, detail: 'to buxgalteriya@toshkent-raqamli.example' },
  }
  await db.invoiceRun.create({ data: { ...deliveredBase, view: viewFor(deliveredBase, { pdfVersion: 2, approvedBy: 'bob', dispatch }), preview: deliveredPreview as unknown as Prisma.InputJsonValue } })
  const deliveredTypes: [string, string][] = [
    ['state_prefilling', 'alice'], ['state_awaiting_confirmation', 'system'], ['refresh_requested', 'alice'], ['state_awaiting_confirmation', 'system'],
    ['state_finalizing', 'alice'], ['finalized', 'alice'], ['pdf_rendered', 'system'], ['state_awaiting_approval', 'system'],
    ['state_awaiting_confirmation', 'bob'], ['state_finalizing', 'alice'], ['pdf_rendered', 'system'], ['state_awaiting_approval', 'system'],
    ['state_dispatching', 'bob'], ['r2_done', 'system'], ['planfact_done', 'system'], ['didox_done', 'system'], ['email_done', 'system'], ['state_awaiting_payment', 'system'],
  ]
  while (deliveredTypes.length < 46) deliveredTypes.push(['didox_status', 'system'], ['payment_checked', 'system'])
  deliveredTypes.push(['payment_recorded', 'system'], ['state_partially_paid', 'system'], ['credit_note_approved', 'bob'], ['payment_recorded', 'alice'])
  await db.invoiceEvent.createMany({ data: eventsFor(delivered, deliveredTypes, deliveredStarted) })
  return { confirming, delivered }
}

async function seed(db: Database): Promise<{ confirming: PageInvoice; delivered: PageInvoice; busiestCustomer: string }> {
  const { rows: runs, invoices, events } = makeRuns(INVOICES - 2)
  for (let i = 0; i < runs.length; i += 250) {
    await db.invoiceRun.createMany({ data: runs.slice(i, i + 250) })
    if ((i + 250) % 5000 === 0 || i + 250 >= runs.length) console.error(`  ${Math.min(i + 250, runs.length)}/${runs.length} invoice runs`)
  }
  for (let i = 0; i < invoices.length; i += 250) await db.invoice.createMany({ data: invoices.slice(i, i + 250) })
  for (let i = 0; i < events.length; i += 2000) await db.invoiceEvent.createMany({ data: events.slice(i, i + 2000) })
  console.error(`  ${invoices.length} invoices, ${events.length} events`)
  const pages = await seedPageInvoices(db)
  const byCustomer = new Map<string, number>()
  for (const r of runs) byCustomer.set(r.customerId, (byCustomer.get(r.customerId) ?? 0) + 1)
  const busiestCustomer = [...byCustomer.entries()].sort((a, b) => b[1] - a[1])[0]![0]
  return { ...pages, busiestCustomer }
}

// ---------------------------------------------------------------------------------------------
// Measurement

const summarize2 = (samples: number[]) => summarize(samples, 2)


/** A statement Prisma sent, with its parameters as the query event gives them. */
interface Statement {
  sql: string
  params: unknown[]
}

/** A Prisma client like lib/database.ts's, that also records every statement it sends (for `statements`). */
function recordingDatabase(url: string, into: Statement[]): Database {
  const db = new PrismaClient({ adapter: new PrismaPg({ connectionString: url, statement_timeout: POSTGRES_QUERY_TIMEOUT_MS, max: 10 }), log: [{ emit: 'event', level: 'query' }] })
  db.$on('query', (e) => into.push({ sql: e.query, params: JSON.parse(e.params) as unknown[] }))
  return db
}

type User = { id: string; roles: Role[] }

interface Case {
  name: string
  path: string
  user: User
  targetMs: number
  /** The page's PostgreSQL work through the operations, as the console's route runs it (the floor). */
  data: (db: Database) => Promise<unknown>
  /** Throws unless the page is the one meant (not the sign-in redirect; the rows and lines the data has). */
  check: (html: string, data: unknown) => void
}

const count = (html: string, text: string): number => html.split(text).length - 1
/** As Hono's html escapes a value. */
const escaped = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;')

/** Set on Ctrl-C or SIGTERM: the work still under way fails on the dropped database; that is not reported. */
let interrupted = false

async function run(): Promise<void> {
  const closers: (() => Promise<unknown>)[] = []
  let dropped = false
  const cleanup = async () => {
    if (dropped) return
    dropped = true
    for (const close of closers.reverse()) await close().catch(() => undefined)
    await withAdminDb((client) => dropDatabase(client, benchName))
    console.error(`dropped ${benchName}`)
  }
  const onSignal = (signal: NodeJS.Signals) => {
    console.error(`${signal}: cleaning up`)
    interrupted = true
    void cleanup().finally(() => process.exit(130))
  }
  process.once('SIGINT', onSignal)
  process.once('SIGTERM', onSignal)

  await createBenchDatabase()
  try {
    const config = loadConfig({ ...process.env, DATABASE_URL: benchUrl, TEMPORAL_NAMESPACE: process.env.TEST_TEMPORAL_NAMESPACE ?? 'invoicing-test', API_TOKENS, LOG_LEVEL: 'INFO', LOG_FORMAT: 'json' })
    const db = createDatabase(config.database.url)
    closers.push(() => db.$disconnect())
    const seeded = await seed(db)
    // VACUUM needs the owner: the app's role owns no table.
    const sqlClient = new pg.Client({ connectionString: withDatabase(adminUrl, benchName) })
    await sqlClient.connect()
    closers.push(() => sqlClient.end())
    await sqlClient.query('VACUUM ANALYZE')
    const sizes = (await sqlClient.query<{ runs: string; events: string; bytes: string }>(`SELECT (SELECT count(*) FROM invoice_runs) AS runs, (SELECT count(*) FROM invoice_events) AS events, pg_total_relation_size('invoice_runs') AS bytes`)).rows[0]!
    console.error(`seeded ${sizes.runs} invoice runs (${Math.round(Number(sizes.bytes) / 1024)} KB with indexes and TOAST), ${sizes.events} events`)

    const connection = await Connection.connect(temporalConnectionOptions(config.temporal))
    closers.push(() => connection.close())
    const temporal = new Client({ connection, namespace: config.temporal.namespace })
    // The request log is formatted as in production (JSON), then dropped: its cost counts, the terminal's does not.
    const appOn = (database: Database) => createApp({ config, db: database, temporal, taskQueue: `bench-console-${process.pid}`, logger: createLogger({ level: 'INFO', format: 'json' }, () => undefined), queryTimeoutMs: 3_000 })
    const app = appOn(db)
    // A second app on a recording client, used once per page to learn the statements it sends.
    const recorded: Statement[] = []
    const recordingDb = recordingDatabase(benchUrl, recorded)
    closers.push(() => recordingDb.$disconnect())
    const recordingApp = appOn(recordingDb)

    const key = sessionKey(config.apiTokens)
    const alice: User = { id: 'alice', roles: ['accountant'] }
    const bob: User = { id: 'bob', roles: ['approver'] }
    const cookies = new Map<string, string>()
    const cookieOf = (user: User) => {
      if (!cookies.has(user.id)) cookies.set(user.id, `${SESSION_COOKIE}=${signSession(key, user)}`)
      return cookies.get(user.id)!
    }

    /**
     * The list's data as console/routes/invoices.ts renderList reads it: the page of runs, the
     * open runs per state and per next actor, and those an approver may approve, at once.
     */
    const listData = async (database: Database, filters: Record<string, string>, mine: string | null, me: string) => {
      const state = INVOICE_STATES.includes(filters.state as InvoiceState) ? (filters.state as InvoiceState) : undefined
      const mineFilter = (actor: string): InvoiceRunFilters => ({ nextActor: actor as InvoiceRunFilters['nextActor'], ...(actor === 'approver' ? { notConfirmedBy: me } : {}) })
      const [page, byState, byActor, approvable] = await Promise.all([
        listInvoiceRuns(database, { filters: { ...filters, state, ...(mine ? mineFilter(mine) : {}) }, limit: LIST_LIMIT }),
        database.invoiceRun.groupBy({ by: ['state'], _count: { _all: true }, where: { closedAt: null } }),
        database.invoiceRun.groupBy({ by: ['nextActor'], _count: { _all: true }, where: { closedAt: null, nextActor: { not: null } } }),
        database.invoiceRun.count({ where: { closedAt: null, nextActor: 'approver', ...notConfirmedBy(me) } }),
      ])
      return { rows: page.items, byState, byActor, approvable }
    }
    const listCase = (name: string, query: Record<string, string>, user: User, rowsAre: (row: { state: string; customerId: string | null }) => boolean): Case => {
      const { mine, ...filters } = query
      return {
        name,
        path: `/app${Object.keys(query).length ? `?${new URLSearchParams(query).toString()}` : ''}`,
        user,
        targetMs: TARGET_LIST_MS,
        data: (database) => listData(database, filters, mine ?? null, user.id),
        check: (html, data) => {
          const { rows } = data as Awaited<ReturnType<typeof listData>>
          if (rows.length === 0 || !rows.every(rowsAre)) throw new Error(`${name}: the floor's rows are not the ones meant`)
          const missing = rows.filter((r) => !html.includes(`/app/invoices/${encodeURIComponent(r.id)}"`))
          if (missing.length) throw new Error(`${name}: ${missing.length} of ${rows.length} invoices not on the page`)
        },
      }
    }
    /** An invoice's data as console/routes/invoices.ts renderInvoice reads it: the invoice (read model) and its history, at once. */
    const invoiceData = async (database: Database, workflowId: string) => {
      const [invoice, events] = await Promise.all([readInvoice({ client: temporal, db: database, workflowId, timeoutMs: 3_000 }), readInvoiceEvents(database, { workflowId, limit: EVENTS_LIMIT })])
      return { invoice: invoice!, events: events.items }
    }
    const invoiceCase = (name: string, invoice: PageInvoice, user: User): Case => ({
      name,
      path: `/app/invoices/${encodeURIComponent(invoice.workflowId)}`,
      user,
      targetMs: TARGET_INVOICE_MS,
      data: (database) => invoiceData(database, invoice.workflowId),
      check: (html, data) => {
        const { invoice: details, events } = data as Awaited<ReturnType<typeof invoiceData>>
        if (details.source !== 'database') throw new Error(`${name}: readInvoice did not answer from the read model`)
        const lines = details.preview?.lines ?? []
        if (lines.length !== 30 || events.length !== 50) throw new Error(`${name}: ${lines.length} lines and ${events.length} events, not 30 and 50`)
        const missing = lines.filter((l) => !html.includes(escaped(l.explanation)))
        if (missing.length) throw new Error(`${name}: ${missing.length} of 30 lines not on the page`)
        for (const type of new Set(events.map((e) => e.type))) {
          if (count(html, `>${type}<`) < events.filter((e) => e.type === type).length) throw new Error(`${name}: the history's ${type} events are not all on the page`)
        }
      },
    })

    const cases: Case[] = [
      listCase('list /app (newest 100 of all)', {}, alice, () => true),
      listCase('list ?mine=accountant (waiting for me)', { mine: 'accountant' }, alice, (r) => r.state === 'awaiting_confirmation'),
      listCase('list ?state=awaiting_approval', { state: 'awaiting_approval' }, bob, (r) => r.state === 'awaiting_approval'),
      listCase(`list ?customerId=${seeded.busiestCustomer}`, { customerId: seeded.busiestCustomer }, alice, (r) => r.customerId === seeded.busiestCustomer),
      invoiceCase('invoice awaiting confirmation (30 lines)', seeded.confirming, alice),
      invoiceCase('invoice partially paid (30 lines, delivered)', seeded.delivered, alice),
    ]

    // Before timing: each page is the one meant, and the floor runs the statements the page runs.
    const shapes = new Map<string, { bytes: number; statements: number; sql: Statement[]; floorInStep: boolean }>()
    const normalize = (list: Statement[]) => list.map((s) => `${s.sql} ${JSON.stringify(s.params)}`).sort()
    for (const c of cases) {
      const res = await app.request(c.path, { headers: { Cookie: cookieOf(c.user) } })
      const html = await res.text()
      if (res.status !== 200) throw new Error(`${c.path}: HTTP ${res.status} ${res.headers.get('location') ?? html.slice(0, 300)}`)
      c.check(html, await c.data(db))
      recorded.length = 0
      await (await recordingApp.request(c.path, { headers: { Cookie: cookieOf(c.user) } })).text()
      const pageStatements = [...recorded]
      recorded.length = 0
      await c.data(recordingDb)
      const floorStatements = [...recorded]
      const inStep = JSON.stringify(normalize(pageStatements)) === JSON.stringify(normalize(floorStatements))
      if (!inStep && process.env.BENCH_DEBUG) console.error(JSON.stringify({ page: normalize(pageStatements), floor: normalize(floorStatements) }, null, 1))
      if (!inStep) console.error(`WARNING ${c.name}: the data floor is out of step with the console (the page sent ${pageStatements.length} statements, the floor ${floorStatements.length}): bring listData/invoiceData in line with console/routes`)
      shapes.set(c.name, { bytes: Buffer.byteLength(html), statements: pageStatements.length, sql: pageStatements, floorInStep: inStep })
    }

    const samples = new Map(cases.map((c) => [c.name, { page: [] as number[], data: [] as number[], sql: [] as number[], cpu: [] as number[] }]))
    const round = async (record: boolean) => {
      for (const c of cases) {
        const s = samples.get(c.name)!
        const headers = { Cookie: cookieOf(c.user) }
        const cpuBefore = process.cpuUsage()
        let started = performance.now()
        const res = await app.request(c.path, { headers })
        await res.text()
        const pageMs = performance.now() - started
        const cpu = process.cpuUsage(cpuBefore)
        started = performance.now()
        await c.data(db)
        const dataMs = performance.now() - started
        started = performance.now()
        for (const statement of shapes.get(c.name)!.sql) await sqlClient.query(statement.sql, statement.params)
        const sqlMs = performance.now() - started
        if (record) {
          s.page.push(pageMs)
          s.data.push(dataMs)
          s.sql.push(sqlMs)
          s.cpu.push((cpu.user + cpu.system) / 1000)
        }
      }
    }
    console.error(`warming up (${WARMUP} rounds)`)
    for (let i = 0; i < WARMUP; i++) await round(false)
    console.error(`measuring ${RUNS} rounds of ${cases.length} pages, each with its floors`)
    for (let i = 0; i < RUNS; i++) {
      await round(true)
      if ((i + 1) % 25 === 0) console.error(`  ${i + 1}/${RUNS}`)
    }

    // The plans PostgreSQL picks for the statements each page sends.
    const explain = async (statement: Statement) => {
      const { rows } = await sqlClient.query<{ 'QUERY PLAN': { Plan: Record<string, unknown>; 'Execution Time': number }[] }>(`EXPLAIN (ANALYZE, FORMAT JSON) ${statement.sql}`, statement.params)
      const plan = rows[0]!['QUERY PLAN'][0]!
      const nodes: string[] = []
      const walk = (node: Record<string, unknown>) => {
        const on = (node['Index Name'] ?? node['Relation Name']) as string | undefined
        nodes.push(`${node['Node Type'] as string}${on ? ` ${on}` : ''}`)
        for (const child of (node.Plans as Record<string, unknown>[] | undefined) ?? []) walk(child)
      }
      walk(plan.Plan)
      const from = /FROM "public"\."(\w+)"/.exec(statement.sql)?.[1] ?? '?'
      return { table: from, plan: nodes.join(' > '), executionMs: Math.round(plan['Execution Time'] * 1000) / 1000 }
    }
    const plans: Record<string, Awaited<ReturnType<typeof explain>>[]> = {}
    for (const c of cases) {
      plans[c.name] = []
      for (const statement of shapes.get(c.name)!.sql.filter((s) => /^\s*SELECT/i.test(s.sql))) plans[c.name]!.push(await explain(statement))
    }

    const results = cases.map((c) => {
      const s = samples.get(c.name)!
      const { sql: _sql, ...shape } = shapes.get(c.name)!
      // What the console adds: page - data of the same round (differences of the percentiles would mix rounds).
      const consoleMs = summarize2(s.page.map((page, i) => page - s.data[i]!))
      return { name: c.name, path: c.path, user: c.user.id, ...shape, targetMs: c.targetMs, pageMs: summarize2(s.page), dataMs: summarize2(s.data), sqlMs: summarize2(s.sql), consoleMs, cpuMsPerPage: summarize2(s.cpu), plans: plans[c.name] }
    })
    const cell = (v: number | string, width: number) => String(v).padStart(width)
    console.log(`\n${RUNS} rounds after ${WARMUP} warm-up; ${sizes.runs} invoice runs; in-process app.request(); node ${process.version}; ${availableParallelism()} cores shared with PostgreSQL, Temporal and the rest (load ${loadavg()[0]!.toFixed(2)})`)
    console.log('page                                          |    KB | page p50 | page p95 | data p50 | data p95 | SQL p50 (n) | console p50 | CPU p50 | target')
    for (const r of results) {
      const met = r.pageMs.p95 < r.targetMs ? 'met' : 'NOT met'
      console.log(
        `${r.name.padEnd(45)} | ${cell((r.bytes / 1024).toFixed(1), 5)} | ${cell(r.pageMs.p50, 8)} | ${cell(r.pageMs.p95, 8)} | ${cell(r.dataMs.p50, 8)} | ${cell(r.dataMs.p95, 8)} | ${cell(`${r.sqlMs.p50} (${r.statements})`, 11)} | ${cell(r.consoleMs.p50, 11)} | ${cell(r.cpuMsPerPage.p50, 7)} | p95 < ${r.targetMs} ms: ${met}${r.floorInStep ? '' : ' (data floor out of step)'}`,
      )
    }
    console.log(
      "\n(ms. page: app.request() to the body read. data: the page's reads through the operations alone, as the console runs them. SQL: the statements the page sent, one after another on one node-postgres connection (no Prisma), n of them. console: page - data of the same round: templates, Hono, the session. CPU: this process during the page.)",
    )
    console.log('\nplans (EXPLAIN ANALYZE of each SELECT the page sends):')
    for (const r of results) for (const p of r.plans ?? []) console.log(`  ${r.name.slice(0, 44).padEnd(44)} ${p.table.padEnd(20)} ${p.executionMs.toFixed(3).padStart(7)} ms  ${p.plan}`)

    mkdirSync(join(root, 'bench/results'), { recursive: true })
    const file = 'bench/results/console.json'
    writeFileSync(
      join(root, file),
      JSON.stringify({ measuredAt: new Date().toISOString(), node: process.version, cores: availableParallelism(), runs: RUNS, warmup: WARMUP, invoiceRuns: Number(sizes.runs), invoiceEvents: Number(sizes.events), invoiceRunsBytes: Number(sizes.bytes), results }, null, 2),
    )
    console.log(`\nwritten to ${file}`)
  } finally {
    await cleanup()
  }
}

run().catch((err) => {
  if (interrupted) return
  console.error(err)
  process.exit(1)
})
