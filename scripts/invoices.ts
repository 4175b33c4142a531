import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { Client, Connection } from '@temporalio/client'
import { readBillingRun, resolveBillingRunId, type BillingRunDetails } from '../operations/billing-runs/read-billing-run.js'
import { OperationError } from '../operations/operation-error.js'
import { listInvoiceRuns } from '../operations/invoices/list-invoice-runs.js'
import { readInvoice, type InvoiceDetails } from '../operations/invoices/read-invoice.js'
import { actOnInvoice, type ActionRequest } from '../operations/invoices/act-on-invoice.js'
import { StartBillingRunBodySchema } from '../operations/billing-runs/billing-run-schemas.js'
import { labelPeriod } from '../billing/period.js'
import { loadConfig, type Config } from '../lib/config.js'
import { startBillingRun } from '../operations/start-billing-run.js'
import { createDatabase, type Database } from '../lib/database.js'
import { parseBillingPeriod } from '../prefill/billing-period.js'
import { DEFAULT_BILLING_RUN_CONCURRENCY, MAX_BILLING_RUN_CONCURRENCY } from '../workflows/billing-run-contract.js'
import { findDriftReport, listDriftReports } from '../db/drift-reports.js'
import type { DriftReport, InvoiceDrift, LineDrift, WorklogDrift } from '../drift/types.js'
import { checkInvoiceDrift } from '../operations/drift/check-invoice-drift.js'
import { runDriftReportNow } from '../operations/drift/run-drift-report-now.js'
import { INVOICE_STATES, type InvoiceState } from '../workflows/invoice-contract.js'

const USAGE = `Operator commands for invoices, straight to Temporal (the same contract and checks as the API).

  npx tsx scripts/invoices.ts list [--state S] [--deal D] [--customer C] [--period P] [--number N] [--limit N] [--cursor C]
  npx tsx scripts/invoices.ts show <id> [--json]
  npx tsx scripts/invoices.ts retry <id> [--as NAME]
  npx tsx scripts/invoices.ts skip <id> --reason TEXT [--as NAME]
  npx tsx scripts/invoices.ts cancel <id> --reason TEXT [--as NAME]
  npx tsx scripts/invoices.ts run <period> [--deals A,B] [--concurrency N] [--as NAME]
  npx tsx scripts/invoices.ts run-status <period-or-id> [--json]
  npx tsx scripts/invoices.ts drift <id> [--json]
  npx tsx scripts/invoices.ts drift-report [<report-id>] [--run] [--json] [--as NAME]

<id> is the workflow id, e.g. invoice:APP-1001:2026-10. The actor recorded in the invoice's
history is operator:$USER unless --as names someone. States: ${INVOICE_STATES.join(', ')}.
run starts the month-end billing run of a period (e.g. 2026-10): one invoice per active deal,
or per deal of --deals, at most --concurrency (1-${MAX_BILLING_RUN_CONCURRENCY}, default ${DEFAULT_BILLING_RUN_CONCURRENCY}) prefilling at once. run-status
shows it (by period or by id, e.g. billing-run:2026-10) with each invoice's live state.
drift compares the worklogs a finalized invoice bills with the sources now (changes nothing).
drift-report shows the latest drift report (or the one named); --run runs a check of every live
invoice of the last driftCheckMonths months now, through the worker, and shows it.`

class UsageError extends Error {}

interface Services {
  config: Config
  client: Client
  db: Database
}

/** Reads the command line, runs one command, and says plainly what happened. */
async function run(): Promise<void> {
  const envFile = fileURLToPath(new URL('../.env', import.meta.url))
  if (existsSync(envFile)) process.loadEnvFile(envFile)
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: {
      state: { type: 'string' },
      deal: { type: 'string' },
      customer: { type: 'string' },
      period: { type: 'string' },
      number: { type: 'string' },
      limit: { type: 'string' },
      cursor: { type: 'string' },
      reason: { type: 'string' },
      deals: { type: 'string' },
      concurrency: { type: 'string' },
      as: { type: 'string' },
      json: { type: 'boolean' },
      run: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  })
  const [command, id, ...rest] = positionals
  if (values.help || !command) {
    console.log(USAGE)
    return
  }
  if (rest.length > 0) throw new UsageError(`unexpected arguments: ${rest.join(' ')}`)

  const config = loadConfig()
  const connection = await Connection.connect({ address: config.temporal.address })
  const services: Services = { config, client: new Client({ connection, namespace: config.temporal.namespace }), db: createDatabase(config.database.url) }
  try {
    switch (command) {
      case 'list':
        return await listCommand(services, values)
      case 'show':
        return await showCommand(services, requireId(id), values.json === true)
      case 'retry':
        return await actCommand(services, requireId(id), { action: 'retry' }, values.as)
      case 'skip':
        return await actCommand(services, requireId(id), { action: 'skip', reason: requireReason(values.reason) }, values.as)
      case 'cancel':
        return await actCommand(services, requireId(id), { action: 'cancel', reason: requireReason(values.reason) }, values.as)
      case 'run':
        return await runCommand(services, id, values)
      case 'run-status':
        return await runStatusCommand(services, id, values.json === true)
      case 'drift':
        return await driftCommand(services, requireId(id), values.json === true)
      case 'drift-report':
        return await driftReportCommand(services, id, values)
      default:
        throw new UsageError(`unknown command "${command}"`)
    }
  } finally {
    await services.db.$disconnect()
    await connection.close()
  }
}

async function listCommand(services: Services, values: Record<string, string | boolean | undefined>): Promise<void> {
  const state = values.state as string | undefined
  if (state !== undefined && !INVOICE_STATES.includes(state as InvoiceState)) throw new UsageError(`--state must be one of ${INVOICE_STATES.join(', ')}`)
  const limit = values.limit === undefined ? 50 : Number(values.limit)
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new UsageError('--limit must be a whole number from 1 to 1000')
  let period: string | undefined
  if (typeof values.period === 'string') {
    const parsed = parseBillingPeriod(values.period)
    if ('problem' in parsed) throw new UsageError(`--period: ${parsed.problem}`)
    period = labelPeriod(parsed.period).label
  }
  const page = await listInvoiceRuns(services.db, {
    filters: { state: state as InvoiceState | undefined, dealId: values.deal as string | undefined, customerId: values.customer as string | undefined, period, number: values.number as string | undefined },
    limit,
    cursor: values.cursor as string | undefined,
  })
  const rows = page.items.map((i) => [i.id, i.state, i.nextActor ?? '-', i.customerId ?? '-', i.number ?? '-', i.total ? `${i.total} ${i.currency}` : '-', i.startedAt.slice(0, 16)])
  printTable(['id', 'state', 'waits for', 'customer', 'number', 'total', 'started (UTC)'], rows)
  if (page.nextCursor) console.log(`\nmore: --cursor ${page.nextCursor}`)
}

async function showCommand(services: Services, id: string, json: boolean): Promise<void> {
  const invoice = await readInvoice({ client: services.client, db: services.db, workflowId: id, timeoutMs: 3_000 })
  if (!invoice) throw new OperationError('NOT_FOUND', `no invoice with id ${id}`)
  if (json) {
    console.log(JSON.stringify(invoice, null, 2))
    return
  }
  console.log(describeInvoice(invoice, services.config))
}

/** An operator's action through the same Update as the API's: refused or answered with its outcome. */
async function actCommand(services: Services, id: string, request: ActionRequest, as: string | undefined): Promise<void> {
  const actor = as ?? `operator:${process.env.USER ?? 'unknown'}`
  const result = await actOnInvoice({ client: services.client, db: services.db, workflowId: id, request, actor, waitMs: 30_000 })
  if (result.outcome === 'applied') {
    const attention = result.attention ? ` (needs attention at ${result.attention.step}: ${result.attention.reason})` : ''
    console.log(`${request.action} by ${actor}: ${result.previousState} -> ${result.state}${attention}`)
  } else {
    console.log(`${request.action} by ${actor}: ${result.outcome}, outcome not known yet; state ${result.state ?? 'unknown'} (see: show ${id})`)
  }
}

async function runCommand(services: Services, period: string | undefined, values: Record<string, string | boolean | undefined>): Promise<void> {
  if (!period) throw new UsageError('name the period: a month such as 2026-10, or a range 2026-10-03..2026-10-17')
  // The API's body schema, so the CLI accepts exactly what POST /billing-runs does.
  const checked = StartBillingRunBodySchema.safeParse({
    period,
    dealIds: typeof values.deals === 'string' ? values.deals.split(',').map((d) => d.trim()) : undefined,
    concurrency: typeof values.concurrency === 'string' ? Number(values.concurrency) : undefined,
  })
  if (!checked.success) {
    const option: Record<string, string> = { period: '<period>', dealIds: '--deals', concurrency: '--concurrency' }
    throw new UsageError(checked.error.issues.map((i) => `${[option[String(i.path[0])] ?? String(i.path[0]), ...i.path.slice(1)].join('.')}: ${i.message}`).join('; '))
  }
  const startedBy = typeof values.as === 'string' ? values.as : `operator:${process.env.USER ?? 'unknown'}`
  const result = await startBillingRun({ client: services.client, taskQueue: services.config.temporal.taskQueue, input: { ...checked.data, startedBy } })
  if (!result.started && result.reason === 'invalid_period') throw new UsageError(`<period>: ${result.message}`)
  if (!result.started) throw new OperationError('ALREADY_EXISTS', result.message)
  const deals = checked.data.dealIds ? `${checked.data.dealIds.length} deal(s)` : 'every active deal'
  console.log(`started ${result.workflowId} (run ${result.runId}) for ${deals}, by ${startedBy}`)
  console.log(`follow it: npx tsx scripts/invoices.ts run-status ${result.period}`)
}

async function runStatusCommand(services: Services, idOrPeriod: string | undefined, json: boolean): Promise<void> {
  if (!idOrPeriod) throw new UsageError('name the run: its period (2026-10) or its id (billing-run:2026-10)')
  const run = await readBillingRun({ client: services.client, db: services.db, workflowId: resolveBillingRunId(idOrPeriod), timeoutMs: 3_000 })
  if (!run) throw new OperationError('NOT_FOUND', `no billing run with id ${idOrPeriod}`)
  if (json) {
    console.log(JSON.stringify(run, null, 2))
    return
  }
  console.log(describeBillingRun(run, services.config))
  if (run.deals.length > 0) {
    console.log('')
    const late = (d: (typeof run.deals)[number]) => (d.lateWork && d.lateWork.lines > 0 ? `${d.lateWork.lines} line(s) ${d.lateWork.amount} ${d.lateWork.currency}` : '-')
    const drift = (d: (typeof run.deals)[number]) => d.drift?.invoices.map((i) => `${i.number}: ${i.worklogs} worklog(s) ${i.amountDelta} ${i.currency}`).join('; ') || '-'
    printTable(['deal', 'start', 'state', 'invoice', 'late work', 'drift', 'message'], run.deals.map((d) => [d.dealId, d.start, d.state ?? '-', d.invoiceId, late(d), drift(d), d.message ?? '']))
  }
}

/** One invoice's drift, checked now by the worker. */
async function driftCommand(services: Services, id: string, json: boolean): Promise<void> {
  const drift = await checkInvoiceDrift({ client: services.client, db: services.db, taskQueue: services.config.temporal.taskQueue, workflowId: id, waitMs: 60_000 })
  if (json) {
    console.log(JSON.stringify(drift, null, 2))
    return
  }
  console.log(describeInvoiceDrift(drift))
  if (drift.changes.length > 0) {
    console.log('')
    printDriftChanges(drift.changes)
  }
  if (drift.truncated) console.log(`\n(${drift.changes.length} of ${drift.totals.worklogs} worklogs shown; the drift report stores them all)`)
}

/** The latest drift report (or the one named); with --run, a report run now. */
async function driftReportCommand(services: Services, id: string | undefined, values: Record<string, string | boolean | undefined>): Promise<void> {
  if (id && values.run) throw new UsageError('--run runs a new report: do not name one')
  let reportId = id
  if (values.run) {
    const requestedBy = typeof values.as === 'string' ? values.as : `operator:${process.env.USER ?? 'unknown'}`
    console.error('running the drift report on the worker (workflow drift-report:manual)...')
    reportId = (await runDriftReportNow({ client: services.client, taskQueue: services.config.temporal.taskQueue, requestedBy, waitMs: 30 * 60_000 })).id
  }
  reportId ??= (await listDriftReports(services.db, 1))[0]?.id
  if (!reportId) {
    console.log('no drift report yet (the worker runs one nightly; --run runs one now)')
    return
  }
  const report = await findDriftReport(services.db, reportId)
  if (!report) throw new OperationError('NOT_FOUND', `no drift report with id ${reportId}`)
  if (values.json === true) {
    console.log(JSON.stringify(report, null, 2))
    return
  }
  console.log(describeDriftReport(report))
  for (const invoice of report.invoices) {
    console.log('')
    console.log(describeInvoiceDrift({ ...invoice, checkedAt: report.createdAt, truncated: false }))
    printDriftChanges(invoice.changes)
  }
}

function describeInvoiceDrift(d: InvoiceDrift): string {
  const kinds = Object.entries(d.totals.byKind).filter(([, n]) => n > 0).map(([kind, n]) => `${kind} ${n}`).join(', ')
  const lines = [
    `${d.number}  ${d.id}  deal ${d.dealId}  period ${d.period}${d.voided ? '  VOID' : ''}`,
    `drift      ${d.totals.worklogs} of ${d.worklogsChecked} billed worklog(s) changed${kinds ? ` (${kinds})` : ''}: ${signed(d.totals.minutesDelta)} min, ${d.totals.amountDelta} ${d.currency}`,
  ]
  for (const line of d.lines) lines.push(`line       ${describeLine(line)}`)
  return lines.join('\n')
}

function describeLine(l: LineDrift): string {
  const money = l.amountDelta === null ? 'no amount (not priced by the hour)' : `${l.amountDelta} at ${l.rate}/h`
  return `${l.lineKey}: ${l.worklogs} worklog(s), ${l.billedMinutes} billed min ${signed(l.minutesDelta)}, ${money}`
}

function describeDriftReport(r: DriftReport): string {
  const totals = r.totals.map((t) => `${t.amountDelta} ${t.currency} (${t.invoices} invoice(s), ${t.worklogs} worklog(s))`).join('; ')
  const lines = [
    `drift report ${r.id}  ${r.createdAt}  by ${r.requestedBy}`,
    `checked    ${r.invoicesChecked} live invoice(s) whose period ended on or after ${r.periodEndFrom} (${r.months} month(s)), ${r.worklogsChecked} billed worklog(s)`,
    `drift      ${r.invoicesWithDrift} invoice(s)${totals ? `: ${totals}` : ''}`,
  ]
  for (const p of r.problems) lines.push(`NOT CHECKED ${p.number ?? p.invoiceId}: ${p.message}`)
  return lines.join('\n')
}

function printDriftChanges(changes: readonly WorklogDrift[]): void {
  printTable(
    ['worklog', 'changes', 'work date', 'issue', 'line', 'minutes', 'amount'],
    changes.map((c) => [
      c.worklogId,
      c.kinds.join('+'),
      c.current && c.current.workDate !== c.billed.workDate ? `${c.billed.workDate} -> ${c.current.workDate}` : c.billed.workDate,
      c.current && c.current.issueKey !== c.billed.issueKey ? `${c.billed.issueKey} -> ${c.current.issueKey}` : c.billed.issueKey,
      c.lineKey,
      `${c.billed.billableMinutes} -> ${c.billed.billableMinutes + c.minutesDelta}`,
      c.amountDelta ?? '-',
    ]),
  )
}

function signed(n: number): string {
  return n > 0 ? `+${n}` : String(n)
}

function describeBillingRun(r: BillingRunDetails, config: Config): string {
  const c = r.counts
  const byState = Object.entries(c.byState).map(([state, n]) => `${state} ${n}`).join(', ')
  const lines = [
    `${r.id}  (run ${r.runId}, workflow ${r.status})`,
    `state      ${r.state ?? 'unknown'}  period ${r.period}  by ${r.startedBy ?? '-'}  concurrency ${r.concurrency ?? '-'}`,
    `started    ${r.startedAt}${r.closedAt ? `  closed ${r.closedAt}` : ''}`,
    `deals      ${c.deals}: ${c.started} started, ${c.existing} existing, ${c.pending} pending, ${c.failed} failed`,
  ]
  if (byState) lines.push(`invoices   ${byState}`)
  if (r.failure) lines.push(`${r.status === 'failed' ? 'FAILED    ' : 'ENDED     '} ${r.failure}`)
  if (r.notice) lines.push(`NOTE       ${r.notice}`)
  lines.push(`temporal   ${config.temporal.uiUrl}/namespaces/${encodeURIComponent(config.temporal.namespace)}/workflows/${encodeURIComponent(r.id)}`)
  return lines.join('\n')
}

function describeInvoice(i: InvoiceDetails, config: Config): string {
  const lines = [
    `${i.id}  (run ${i.runId}, workflow ${i.workflowStatus})`,
    `state      ${i.state}${i.nextActor ? `  waiting for the ${i.nextActor}` : ''}${i.allowedActions.length ? `  takes: ${i.allowedActions.join(', ')}` : ''}`,
    `deal       ${i.dealId}  customer ${i.customerId ?? '-'}  period ${i.period}`,
    `number     ${i.invoiceNumber ?? '-'}  pdf versions ${i.pdfs.map((p) => p.version).join(', ') || '-'}`,
    `people     confirmed by ${i.confirmedBy ?? '-'}, approved by ${i.approvedBy ?? '-'}`,
  ]
  if (i.totals) lines.push(`totals     ${i.totals.subtotal} + VAT ${i.totals.vatRate}% ${i.totals.vatAmount} = ${i.totals.total} ${i.totals.currency}`)
  if (i.preview) lines.push(`findings   ${i.warnings.length} warning(s), ${i.errors.length} blocking error(s)`)
  if (i.attention) lines.push(`ATTENTION  step ${i.attention.step} since ${i.attention.since}: ${i.attention.reason}`)
  for (const [step, d] of Object.entries(i.dispatch)) lines.push(`dispatch   ${step}: ${d.status}${d.externalId ? ` ${d.externalId}` : ''}${d.detail ? ` (${d.detail})` : ''}`)
  for (const r of i.externalReferences) lines.push(`external   ${r.system}/${r.purpose}: ${r.status}${r.externalId ? ` ${r.externalId}` : ''}`)
  if (i.cancelReason) lines.push(`cancelled  ${i.cancelReason}`)
  if (i.notice) lines.push(`NOTE       ${i.notice}`)
  lines.push(`temporal   ${config.temporal.uiUrl}/namespaces/${encodeURIComponent(config.temporal.namespace)}/workflows/${encodeURIComponent(i.id)}`)
  return lines.join('\n')
}

function printTable(header: string[], rows: string[][]): void {
  if (rows.length === 0) {
    console.log(`no invoices match`)
    return
  }
  const widths = header.map((h, col) => Math.max(h.length, ...rows.map((r) => r[col]!.length)))
  for (const row of [header, ...rows]) console.log(row.map((cell, col) => cell.padEnd(widths[col]!)).join('  ').trimEnd())
}

function requireId(id: string | undefined): string {
  if (!id) throw new UsageError('name the invoice: its workflow id, e.g. invoice:APP-1001:2026-10')
  return id
}

function requireReason(reason: string | undefined): string {
  if (!reason || reason.trim() === '') throw new UsageError('--reason is required: it is recorded in the invoice history')
  return reason
}

run().catch((err) => {
  if (err instanceof UsageError) {
    console.error(`${err.message}\n\n${USAGE}`)
    process.exit(2)
  }
  if (err instanceof OperationError) {
    console.error(`${err.code}: ${err.message}`)
    process.exit(1)
  }
  console.error(err)
  process.exit(1)
})
