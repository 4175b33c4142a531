// First: operations/schemas.ts calls .openapi() on schemas of workflows/invoice-actions.ts, which
// zod has only once @hono/zod-openapi extended it, before those schemas are built.
import '@hono/zod-openapi'
import { randomUUID } from 'node:crypto'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { Client, Connection } from '@temporalio/client'
import type { z } from 'zod'
import { readBillingRun, resolveBillingRunId, type BillingRunDetails } from '../operations/billing-runs/read-billing-run.js'
import { OperationError } from '../operations/operation-error.js'
import { listInvoiceRuns } from '../operations/invoices/list-invoice-runs.js'
import { latestRun, readInvoice, type InvoiceDetails } from '../operations/invoices/read-invoice.js'
import { actOnInvoice, type ActionRequest, type ActionResult } from '../operations/invoices/act-on-invoice.js'
import { startCreditNote } from '../operations/credit-notes/start-credit-note.js'
import { listCreditNotes, readCreditNote, type CreditNoteDetails } from '../operations/credit-notes/read-credit-note.js'
import { listReceivables, type ReceivablesFilter } from '../operations/receivables/list-receivables.js'
import { CREDIT_NOTE_ACTION_SCHEMAS, CREDIT_NOTE_ACTIONS, PartialCreditNoteSchema, VoidInvoiceSchema, type CreditNoteActionName, type CreditNoteRequest } from '../credit-notes/credit-note-schemas.js'
import { listPayments, readBalance } from '../payments/record-payments.js'
import { ManualPaymentSchema } from '../workflows/invoice-actions.js'
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
import { temporalConnectionOptions } from '../lib/temporal-connection-options.js'
import { temporalWorkflowUrl } from '../lib/temporal-web.js'

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
  npx tsx scripts/invoices.ts credit-note <id> --reason TEXT [--correction error|terms] (--line LINE[:hours=H|:amount=A] ... | --amount TOTAL) [--description TEXT] [--as NAME]
  npx tsx scripts/invoices.ts void <id> --reason TEXT [--correction error|terms] [--as NAME]
  npx tsx scripts/invoices.ts credit-notes <id> [--json]
  npx tsx scripts/invoices.ts credit-note-show <credit-note-id> [--json]
  npx tsx scripts/invoices.ts credit-note-act <credit-note-id> confirm|approve|reject|cancel|retry|skip [--fingerprint F] [--pdf-version N] [--reason TEXT] [--as NAME]
  npx tsx scripts/invoices.ts record-payment <id> --amount 150.00 --paid-on YYYY-MM-DD [--reference REF] [--note TEXT] [--as NAME]
  npx tsx scripts/invoices.ts payments <id> [--json]
  npx tsx scripts/invoices.ts receivables [--status open|overdue|paid|all] [--customer C] [--currency USD] [--limit N] [--json]

<id> is the workflow id, e.g. invoice:APP-1001:2026-10. The actor recorded in the invoice's
history is operator:$USER unless --as names someone. States: ${INVOICE_STATES.join(', ')}.
run starts the month-end billing run of a period (e.g. 2026-10): one invoice per active deal,
or per deal of --deals, at most --concurrency (1-${MAX_BILLING_RUN_CONCURRENCY}, default ${DEFAULT_BILLING_RUN_CONCURRENCY}) prefilling at once. run-status
shows it (by period or by id, e.g. billing-run:2026-10) with each invoice's live state.
drift compares the worklogs a finalized invoice bills with the sources now (changes nothing).
drift-report shows the latest drift report (or the one named); --run runs a check of every live
invoice of the last driftCheckMonths months now, through the worker, and shows it.
credit-note credits part of a delivered invoice: whole lines (--line LINE, repeated), hours or an
amount of a line (--line LINE:hours=2.5, --line LINE:amount=100.00), or one amount VAT included
(--amount); the correction is an error in the invoice or changed terms (default). void credits
everything left (correction error by default) and voids the invoice once approved. Both print the
draft and its fingerprint: credit-note-act <credit-note-id> confirm --fingerprint F numbers it, then
an approver approves it with --pdf-version N. A credit note's id is credit-note:<invoice uuid>:<n>
(credit-notes lists an invoice's). record-payment records a payment the bank shows and PlanFact does
not yet (the same --reference counts once); payments lists an invoice's with what is due.
receivables lists what customers owe (--status open by default), most overdue first, with totals
per currency.`

class UsageError extends Error {}

/** The options as parsed (--line may be repeated). */
type Values = Record<string, string | string[] | boolean | undefined>

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
      correction: { type: 'string' },
      line: { type: 'string', multiple: true },
      amount: { type: 'string' },
      description: { type: 'string' },
      fingerprint: { type: 'string' },
      'pdf-version': { type: 'string' },
      'paid-on': { type: 'string' },
      reference: { type: 'string' },
      note: { type: 'string' },
      status: { type: 'string' },
      currency: { type: 'string' },
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
  const action = command === 'credit-note-act' ? rest.shift() : undefined
  if (rest.length > 0) throw new UsageError(`unexpected arguments: ${rest.join(' ')}`)

  const config = loadConfig()
  const connection = await Connection.connect(temporalConnectionOptions(config.temporal))
  const services: Services = { config, client: new Client({ connection, namespace: config.temporal.namespace }), db: createDatabase(config.database.url, config.database.pool) }
  try {
    switch (command) {
      case 'list':
        return await listCommand(services, values)
      case 'show':
        return await showCommand(services, requireId(id), values.json === true)
      case 'retry':
        await actCommand(services, requireId(id), { action: 'retry' }, values.as)
        return
      case 'skip':
        await actCommand(services, requireId(id), { action: 'skip', reason: requireReason(values.reason) }, values.as)
        return
      case 'cancel':
        await actCommand(services, requireId(id), { action: 'cancel', reason: requireReason(values.reason) }, values.as)
        return
      case 'run':
        return await runCommand(services, id, values)
      case 'run-status':
        return await runStatusCommand(services, id, values.json === true)
      case 'drift':
        return await driftCommand(services, requireId(id), values.json === true)
      case 'drift-report':
        return await driftReportCommand(services, id, values)
      case 'credit-note':
        return await creditNoteCommand(services, requireId(id), 'partial', values)
      case 'void':
        return await creditNoteCommand(services, requireId(id), 'void', values)
      case 'credit-notes':
        return await creditNotesCommand(services, requireId(id), values.json === true)
      case 'credit-note-show':
        return await creditNoteShowCommand(services, requireCreditNoteId(id), values.json === true)
      case 'credit-note-act':
        return await creditNoteActCommand(services, requireCreditNoteId(id), action, values)
      case 'record-payment':
        return await recordPaymentCommand(services, requireId(id), values)
      case 'payments':
        return await paymentsCommand(services, requireId(id), values.json === true)
      case 'receivables':
        if (id) throw new UsageError(`unexpected arguments: ${id}`)
        return await receivablesCommand(services, values)
      default:
        throw new UsageError(`unknown command "${command}"`)
    }
  } finally {
    await services.db.$disconnect()
    await connection.close()
  }
}

async function listCommand(services: Services, values: Values): Promise<void> {
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

/**
 * An operator's action through the same Update as the API's: refused or answered with its outcome.
 * `creditNote` acts on a credit note (its workflow takes the same Updates; its state is its row's).
 */
async function actCommand(services: Services, id: string, request: ActionRequest, as: Values[string], creditNote = false): Promise<ActionResult> {
  const actor = actorOf(as)
  const { db } = services
  const subject = creditNote ? { name: 'credit note', readState: async () => (await db.creditNote.findUnique({ where: { workflowId: id }, select: { state: true } }))?.state ?? null } : undefined
  const result = await actOnInvoice({ client: services.client, db, workflowId: id, request, actor, waitMs: 30_000, ...(subject ? { subject } : {}) })
  if (result.outcome === 'applied') {
    const attention = result.attention ? ` (needs attention at ${result.attention.step}: ${result.attention.reason})` : ''
    console.log(`${request.action} by ${actor}: ${result.previousState} -> ${result.state}${attention}`)
  } else {
    console.log(`${request.action} by ${actor}: ${result.outcome}, outcome not known yet; state ${result.state ?? 'unknown'} (see: ${creditNote ? 'credit-note-show' : 'show'} ${id})`)
  }
  return result
}

/** Who acts: --as, or operator:$USER. */
function actorOf(as: Values[string]): string {
  return typeof as === 'string' ? as : `operator:${process.env.USER ?? 'unknown'}`
}

async function runCommand(services: Services, period: string | undefined, values: Values): Promise<void> {
  if (!period) throw new UsageError('name the period: a month such as 2026-10, or a range 2026-10-03..2026-10-17')
  // The API's body schema, so the CLI accepts exactly what POST /billing-runs does.
  const checked = checkRequest(
    StartBillingRunBodySchema,
    {
      period,
      dealIds: typeof values.deals === 'string' ? values.deals.split(',').map((d) => d.trim()) : undefined,
      concurrency: typeof values.concurrency === 'string' ? Number(values.concurrency) : undefined,
    },
    byOption({ period: '<period>', dealIds: '--deals', concurrency: '--concurrency' }),
  )
  const startedBy = actorOf(values.as)
  const result = await startBillingRun({ client: services.client, taskQueue: services.config.temporal.taskQueue, input: { ...checked, startedBy } })
  if (!result.started && result.reason === 'invalid_period') throw new UsageError(`<period>: ${result.message}`)
  if (!result.started) throw new OperationError('ALREADY_EXISTS', result.message)
  const deals = checked.dealIds ? `${checked.dealIds.length} deal(s)` : 'every active deal'
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
async function driftReportCommand(services: Services, id: string | undefined, values: Values): Promise<void> {
  if (id && values.run) throw new UsageError('--run runs a new report: do not name one')
  let reportId = id
  if (values.run) {
    const requestedBy = actorOf(values.as)
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

/**
 * A credit note (`partial`) or a void of a delivered invoice: the API's body checks, then the same
 * operation as POST /invoices/{id}/credit-notes and /void; prints the draft and its fingerprint.
 */
async function creditNoteCommand(services: Services, id: string, kind: 'partial' | 'void', values: Values): Promise<void> {
  const common = { reason: values.reason, correction: values.correction }
  let request: CreditNoteRequest
  if (kind === 'void') {
    for (const option of ['line', 'amount', 'description'] as const) if (values[option] !== undefined) throw new UsageError(`--${option}: void credits everything left, it takes no --${option}`)
    request = { kind, ...checkRequest(VoidInvoiceSchema, common, byOption(CREDIT_NOTE_OPTIONS)) }
  } else {
    const specs = (values.line as string[] | undefined) ?? []
    const body = { ...common, lines: specs.length > 0 ? specs.map(parseLineSpec) : undefined, amount: values.amount, description: values.description }
    const names = byOption(CREDIT_NOTE_OPTIONS)
    request = { kind, ...checkRequest(PartialCreditNoteSchema, body, (path) => (path[0] === 'lines' && typeof path[1] === 'number' ? `--line ${specs[path[1]]}` : names(path))) }
  }
  const requestedBy = actorOf(values.as)
  const started = await startCreditNote({ client: services.client, db: services.db, taskQueue: services.config.temporal.taskQueue, invoiceWorkflowId: id, request, requestedBy, waitMs: 30_000 })
  // Read back as the API answers it: the row with the draft's fingerprint.
  const creditNote = started.draft ? await readCreditNote(services.db, started.id) : null
  if (!started.draft || !creditNote) {
    console.log(`started ${started.id} (run ${started.runId}) by ${requestedBy}; its draft was not written within 30 s (is the worker running?)`)
    console.log(`follow it: npx tsx scripts/invoices.ts credit-note-show ${started.id}`)
    return
  }
  console.log(describeCreditNote({ ...creditNote, fingerprint: started.draft.fingerprint }, services.config))
  console.log(`\nconfirm it: npx tsx scripts/invoices.ts credit-note-act ${started.id} confirm --fingerprint ${started.draft.fingerprint ?? '-'}`)
}

/** What each field of a credit note's body is called on the command line. */
const CREDIT_NOTE_OPTIONS: Record<string, string> = { reason: '--reason', correction: '--correction', lines: '--line', amount: '--amount', description: '--description' }

/** `--line LINE`, `--line LINE:hours=2.5` or `--line LINE:amount=100.00` as the body's line. */
function parseLineSpec(spec: string): { lineId: string; hours?: string; amount?: string } {
  const match = /^(.+):(hours|amount)=(.*)$/.exec(spec)
  if (!match) return { lineId: spec }
  const [, lineId, field, value] = match as unknown as [string, string, 'hours' | 'amount', string]
  return { lineId, [field]: value }
}

/** An invoice's credit notes, oldest first. */
async function creditNotesCommand(services: Services, id: string, json: boolean): Promise<void> {
  const invoiceId = await numberedInvoiceId(services, id)
  const items = invoiceId ? await listCreditNotes(services.db, invoiceId) : []
  if (json) {
    console.log(JSON.stringify({ items }, null, 2))
    return
  }
  printTable(
    ['id', 'kind', 'state', 'number', 'total', 'remaining after', 'requested by', 'created (UTC)'],
    items.map((n) => [n.id, n.kind, n.state, n.number ?? '-', `${n.total} ${n.currency}`, n.remainingAfter ?? '-', n.requestedBy, n.createdAt.slice(0, 16)]),
    invoiceId ? `invoice ${id} has no credit notes` : `invoice ${id} has no number yet, so no credit notes`,
  )
}

async function creditNoteShowCommand(services: Services, id: string, json: boolean): Promise<void> {
  const creditNote = await readCreditNote(services.db, id)
  if (!creditNote) throw new OperationError('NOT_FOUND', `no credit note with id ${id}`)
  if (json) {
    console.log(JSON.stringify(creditNote, null, 2))
    return
  }
  console.log(describeCreditNote(creditNote, services.config))
}

/** A credit note's action: the same Updates as an invoice's, checked against the credit note's action schemas. */
async function creditNoteActCommand(services: Services, id: string, action: string | undefined, values: Values): Promise<void> {
  if (!action) throw new UsageError(`name the action: ${CREDIT_NOTE_ACTIONS.join(', ')}`)
  if (!CREDIT_NOTE_ACTIONS.includes(action as CreditNoteActionName)) throw new UsageError(`unknown credit note action "${action}": one of ${CREDIT_NOTE_ACTIONS.join(', ')}`)
  const pdfVersion = values['pdf-version']
  const given = {
    actor: actorOf(values.as),
    ...(values.fingerprint !== undefined ? { fingerprint: values.fingerprint } : {}),
    ...(pdfVersion !== undefined ? { pdfVersion: Number(pdfVersion) } : {}),
    ...(values.reason !== undefined ? { reason: values.reason } : {}),
  }
  const { actor: _actor, ...fields } = checkRequest(CREDIT_NOTE_ACTION_SCHEMAS[action as CreditNoteActionName], given, byOption({ fingerprint: '--fingerprint', pdfVersion: '--pdf-version', reason: '--reason', actor: '--as' }))
  const result = await actCommand(services, id, { action, ...fields } as ActionRequest, values.as, true)
  if (result.outcome !== 'applied') return
  const note = result as typeof result & { creditNoteNumber?: string | null; creditNoteState?: string }
  const details = [note.creditNoteState && `state ${note.creditNoteState}`, note.creditNoteNumber && `number ${note.creditNoteNumber}`, result.pdfVersion && `pdf version ${result.pdfVersion}`].filter(Boolean)
  if (details.length > 0) console.log(`credit note ${details.join('  ')}`)
}

/** A payment recorded by hand, as POST /invoices/{id}/payments: the same Update, so the same refusals. */
async function recordPaymentCommand(services: Services, id: string, values: Values): Promise<void> {
  const payment = checkRequest(
    ManualPaymentSchema,
    { amount: values.amount, paidOn: values['paid-on'], reference: values.reference, note: values.note },
    byOption({ amount: '--amount', paidOn: '--paid-on', reference: '--reference', note: '--note' }),
  )
  // The bank's reference makes a retried command the same payment; without one each run is a new request.
  const requestId = payment.reference ?? randomUUID()
  const result = await actCommand(services, id, { action: 'recordPayment', ...payment, requestId }, values.as)
  if (result.outcome !== 'applied') return
  const p = result.payment
  if (p) console.log(`payment    ${p.status}: paid ${p.paid}, credited ${p.credited} of ${p.total}, due ${p.due} ${result.currency ?? ''}`.trimEnd())
}

/** An invoice's payments (PlanFact and by hand) and what is still due. */
async function paymentsCommand(services: Services, id: string, json: boolean): Promise<void> {
  const invoiceId = await numberedInvoiceId(services, id)
  const [balance, items] = invoiceId ? await Promise.all([readBalance(services.db, invoiceId), listPayments(services.db, invoiceId)]) : [null, []]
  if (json) {
    console.log(JSON.stringify({ balance, items }, null, 2))
    return
  }
  if (balance) console.log(`balance    total ${balance.total}, credited ${balance.credited}, paid ${balance.paid}, due ${balance.due}\n`)
  printTable(
    ['paid on', 'amount', 'source', 'reference', 'counted', 'recorded by', 'note'],
    items.map((p) => [p.paidOn, `${p.amount} ${p.currency}`, p.source, p.reference, p.counted ? 'yes' : `no (confirms ${p.confirms})`, p.recordedBy, p.note ?? '']),
    invoiceId ? `invoice ${id} has no payments` : `invoice ${id} has no number yet, so no payments`,
  )
}

const RECEIVABLE_STATUSES = ['open', 'overdue', 'paid', 'all'] as const

/** What customers owe, most overdue first, with totals per currency over everything matched. */
async function receivablesCommand(services: Services, values: Values): Promise<void> {
  const status = (values.status as string | undefined) ?? 'open'
  if (!RECEIVABLE_STATUSES.includes(status as ReceivablesFilter['status'])) throw new UsageError(`--status must be one of ${RECEIVABLE_STATUSES.join(', ')}`)
  const currency = values.currency as string | undefined
  if (currency !== undefined && !/^[A-Z]{3}$/.test(currency)) throw new UsageError('--currency must be an ISO 4217 code like USD')
  const limit = values.limit === undefined ? 100 : Number(values.limit)
  if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw new UsageError('--limit must be a whole number from 1 to 500')
  const receivables = await listReceivables(services.db, { status: status as ReceivablesFilter['status'], customerId: values.customer as string | undefined, currency, limit })
  if (values.json === true) {
    console.log(JSON.stringify(receivables, null, 2))
    return
  }
  printTable(
    ['id', 'number', 'customer', 'period', 'due date', 'days overdue', 'status', 'total', 'credited', 'paid', 'due'],
    receivables.items.map((r) => [r.id, r.number, r.customerId, r.period, r.dueDate ?? '-', r.daysOverdue > 0 ? String(r.daysOverdue) : '-', r.paymentStatus ?? '-', `${r.total} ${r.currency}`, r.credited, r.paid, r.due]),
    `no receivables match (--status ${status})`,
  )
  const shown = receivables.items.length
  const matched = receivables.totals.reduce((n, t) => n + t.invoices, 0)
  if (shown < matched) console.log(`\n(${shown} of ${matched} shown; --limit shows more)`)
  if (receivables.totals.length > 0) {
    console.log('')
    printTable(
      ['currency', 'invoices', 'total', 'credited', 'paid', 'due', 'overdue'],
      receivables.totals.map((t) => [t.currency, String(t.invoices), t.total, t.credited, t.paid, t.due, t.overdue]),
    )
  }
}

/** The invoice's uuid once it has a number (null before), from the read model; NOT_FOUND for an unknown id. */
async function numberedInvoiceId(services: Services, id: string): Promise<string | null> {
  const run = await latestRun(services.db, id)
  if (!run) throw new OperationError('NOT_FOUND', `no invoice with id ${id}`)
  return run.invoiceId
}

function describeCreditNote(n: Omit<CreditNoteDetails, 'pdfs' | 'externalReferences'> & Partial<Pick<CreditNoteDetails, 'pdfs' | 'externalReferences'>>, config: Config): string {
  const lines = [
    `${n.id}  ${n.kind === 'void' ? 'void' : 'credit note'} ${n.seq} of ${n.invoice.number ?? '-'} (${n.invoice.id})`,
    `state      ${n.state}${n.allowedActions.length ? `  takes: ${n.allowedActions.join(', ')}` : ''}`,
    `number     ${n.number ?? '-'}  issued ${n.issueDate ?? '-'}  pdf versions ${n.pdfs?.map((p) => p.version).join(', ') || (n.pdfVersion ?? '-')}`,
    `reason     ${n.correction === 'error' ? 'an error in the invoice' : 'changed terms'}: ${n.reason}`,
    `people     requested by ${n.requestedBy}, confirmed by ${n.confirmedBy ?? '-'}, approved by ${n.approvedBy ?? '-'}`,
  ]
  for (const l of n.lines) lines.push(`line       ${l.lineId ?? '-'}  ${l.description}: ${l.quantity} ${l.unit} x ${l.rate} = ${l.amount}`)
  lines.push(`totals     ${n.subtotal} + VAT ${n.vatRate}% ${n.vatAmount} = ${n.total} ${n.currency}`)
  if (n.remainingAfter !== null) lines.push(`remaining  ${n.remainingAfter} ${n.currency} of the invoice after it`)
  if (n.fingerprint) lines.push(`fingerprint ${n.fingerprint}`)
  if (n.attention) lines.push(`ATTENTION  step ${n.attention.step} since ${n.attention.since}: ${n.attention.reason}`)
  for (const [step, d] of Object.entries(n.dispatch)) lines.push(`dispatch   ${step}: ${d.status}${d.externalId ? ` ${d.externalId}` : ''}${d.detail ? ` (${d.detail})` : ''}`)
  for (const r of n.externalReferences ?? []) lines.push(`external   ${r.system}/${r.purpose}: ${r.status}${r.externalId ? ` ${r.externalId}` : ''}`)
  if (n.delivery) lines.push(`delivery   ${n.delivery}`)
  lines.push(`temporal   ${temporalWorkflowUrl(config.temporal, n.id)}`)
  return lines.join('\n')
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
  lines.push(`temporal   ${temporalWorkflowUrl(config.temporal, r.id)}`)
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
  lines.push(`temporal   ${temporalWorkflowUrl(config.temporal, i.id)}`)
  return lines.join('\n')
}

function printTable(header: string[], rows: string[][], empty = 'no invoices match'): void {
  if (rows.length === 0) {
    console.log(empty)
    return
  }
  const widths = header.map((h, col) => Math.max(h.length, ...rows.map((r) => r[col]!.length)))
  for (const row of [header, ...rows]) console.log(row.map((cell, col) => cell.padEnd(widths[col]!)).join('  ').trimEnd())
}

function requireId(id: string | undefined): string {
  if (!id) throw new UsageError('name the invoice: its workflow id, e.g. invoice:APP-1001:2026-10')
  return id
}

function requireCreditNoteId(id: string | undefined): string {
  if (!id) throw new UsageError('name the credit note: its id, e.g. credit-note:<invoice uuid>:1 (credit-notes <invoice id> lists them)')
  return id
}

/**
 * A request checked against the API's schema: the parsed value, or a usage error naming each
 * problem as the API does (field: problem, "is required", unknown fields one by one), with the
 * field called by its option (`fieldName`).
 */
function checkRequest<S extends z.ZodType>(schema: S, input: unknown, fieldName: (path: readonly PropertyKey[]) => string): z.output<S> {
  const checked = schema.safeParse(input)
  if (checked.success) return checked.data
  const problems = checked.error.issues.flatMap((issue) => {
    if (issue.code === 'unrecognized_keys') return issue.keys.map((key) => `${fieldName([...issue.path, key])}: not taken here`)
    return [`${fieldName(issue.path)}: ${issue.code === 'invalid_type' && /received undefined/.test(issue.message) ? 'is required' : issue.message}`]
  })
  throw new UsageError(problems.join('; '))
}

/** Names a field by its option (`options`), e.g. dealIds.0 -> --deals.0. */
function byOption(options: Record<string, string>): (path: readonly PropertyKey[]) => string {
  return (path) => [options[String(path[0])] ?? String(path[0]), ...path.slice(1).map(String)].join('.')
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
