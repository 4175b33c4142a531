import type { Client } from '@temporalio/client'
import type { InvoicePreview } from '../../billing/types.js'
import type { InvoiceRun as InvoiceRunRow } from '../../generated/prisma/client.js'
import type { Database } from '../../lib/database.js'
import { ACTIONS_BY_STATE, INVOICE_STATES, type InvoiceActionName, type InvoiceState, type InvoiceView } from '../../workflows/invoice-contract.js'
import { listPayments, readBalance, type InvoiceBalance } from '../../payments/record-payments.js'
import { listCreditNotes, type CreditNoteDetails } from '../credit-notes/read-credit-note.js'
import { loadInvoiceState } from './load-invoice-state.js'
import { readStepsInFlight, type StepInFlight } from './read-steps-in-flight.js'

export interface PdfVersionInfo {
  version: number
  sha256: string
  sizeBytes: number
  templateVersion: string
  createdAt: string
}

export interface ExternalReferenceInfo {
  system: string
  purpose: string
  status: string
  externalId: string | null
  pdfVersion: number | null
  details: unknown
  updatedAt: string
}

export interface InvoiceTotals {
  currency: string
  subtotal: string
  vatRate: string
  vatAmount: string
  total: string
}

export interface InvoiceDetails extends InvoiceView {
  /** The workflow id: the invoice's id in the API. */
  id: string
  runId: string
  /** RUNNING or CLOSED from the read model; Temporal's own status with `live`. */
  workflowStatus: string
  /** `database`: the read model (invoice_runs); `workflow`: the live workflow view. */
  source: 'workflow' | 'database'
  notice: string | null
  /** Who must act next: accountant, approver, operator, or null. */
  nextActor: string | null
  /** Actions the current state takes (ACTIONS_BY_STATE), for clients deciding which buttons to show. */
  allowedActions: InvoiceActionName[]
  totals: InvoiceTotals | null
  warnings: unknown[]
  errors: unknown[]
  pdfs: PdfVersionInfo[]
  externalReferences: ExternalReferenceInfo[]
  /** Once numbered: what it amounts to after approved credit notes and counted payments. */
  balance: InvoiceBalance | null
  creditNotes: Omit<CreditNoteDetails, 'pdfs' | 'externalReferences'>[]
  payments: Awaited<ReturnType<typeof listPayments>>
  /** Set when a void credit note was approved (the invoice's worklogs are released). */
  voidedAt: string | null
  /** While it prefills, finalizes or dispatches: the activities at work, their attempt and last failure. */
  stepsInFlight: StepInFlight[]
  startedAt: string
  closedAt: string | null
}

/**
 * Everything a person looking at one invoice needs, from PostgreSQL: the run's read-model row
 * (written with every transition), its PDF versions and what external systems know it as. With
 * `live`, the view comes from the workflow's query instead (runs started before the read model
 * existed are read that way too). Null for an unknown id.
 */
export async function readInvoice(options: { client: Client; db: Database; workflowId: string; timeoutMs: number; live?: boolean }): Promise<InvoiceDetails | null> {
  const row = options.live ? null : await latestRun(options.db, options.workflowId)
  if (row) {
    const view = viewOf(row)
    const steps = row.closedAt === null ? readStepsInFlight(options.client, { workflowId: options.workflowId, runId: row.workflowRunId, state: view.state, timeoutMs: options.timeoutMs }) : Promise.resolve([])
    return describe(options.db, view, { runId: row.workflowRunId, running: row.closedAt === null, source: 'database', notice: null, nextActor: row.nextActor, startedAt: row.startedAt, closedAt: row.closedAt, steps })
  }
  const loaded = await loadInvoiceState(options)
  if (!loaded) return null
  const { description, view } = loaded
  return describe(options.db, view, {
    steps: description.status.name === 'RUNNING' ? readStepsInFlight(options.client, { workflowId: options.workflowId, runId: description.runId, state: view.state, timeoutMs: options.timeoutMs }) : Promise.resolve([]),
    runId: description.runId,
    running: description.status.name === 'RUNNING',
    workflowStatus: description.status.name,
    source: loaded.source,
    notice: loaded.notice,
    nextActor: null,
    startedAt: description.startTime,
    closedAt: description.closeTime ?? null,
  })
}

/** The newest run of an invoice id in the read model. */
export function latestRun(db: Database, workflowId: string): Promise<InvoiceRunRow | null> {
  return db.invoiceRun.findFirst({ where: { workflowId }, orderBy: { startedAt: 'desc' } })
}

/** The run's view as the workflow last wrote it (the preview is stored beside it). */
export function viewOf(row: InvoiceRunRow): InvoiceView {
  const view = row.view as unknown as Omit<InvoiceView, 'preview'>
  return { ...view, state: INVOICE_STATES.find((s) => s === row.state) ?? view.state, preview: (row.preview as InvoicePreview | null) ?? null }
}

async function describe(
  db: Database,
  view: InvoiceView,
  run: { runId: string; running: boolean; workflowStatus?: string; source: 'workflow' | 'database'; notice: string | null; nextActor: string | null; startedAt: Date; closedAt: Date | null; steps: Promise<StepInFlight[]> },
): Promise<InvoiceDetails> {
  const invoiceId = view.invoiceId
  const [pdfs, references, invoice, creditNotes, payments] = invoiceId
    ? await Promise.all([
        db.invoicePdf.findMany({ where: { invoiceId }, select: { version: true, sha256: true, sizeBytes: true, templateVersion: true, createdAt: true }, orderBy: { version: 'asc' } }),
        db.externalReference.findMany({ where: { invoiceId }, orderBy: [{ system: 'asc' }, { purpose: 'asc' }] }),
        db.invoice.findUnique({ where: { id: invoiceId }, select: { voidedAt: true } }),
        listCreditNotes(db, invoiceId),
        listPayments(db, invoiceId),
      ])
    : [[], [], null, [], []]
  const balance = invoice ? await readBalance(db, invoiceId!) : null
  const preview = view.preview
  // A run that ended (paid, or delivered before payments were followed) is still voided by a void credit note.
  const state: InvoiceState = invoice?.voidedAt && view.state !== 'cancelled' ? 'void' : view.state
  return {
    ...view,
    state,
    id: view.workflowId,
    runId: run.runId,
    workflowStatus: run.workflowStatus ?? (run.running ? 'RUNNING' : 'CLOSED'),
    source: run.source,
    notice: run.notice,
    nextActor: run.nextActor,
    allowedActions: run.running ? [...ACTIONS_BY_STATE[state]] : [],
    totals: preview ? { currency: preview.currency, subtotal: preview.subtotal, vatRate: preview.vatRate, vatAmount: preview.vatAmount, total: preview.total } : null,
    warnings: preview?.warnings ?? [],
    errors: preview?.errors ?? [],
    pdfs: pdfs.map((p) => ({ ...p, createdAt: p.createdAt.toISOString() })),
    externalReferences: references.map((r) => ({
      system: r.system,
      purpose: r.purpose,
      status: r.status,
      externalId: r.externalId,
      pdfVersion: r.pdfVersion,
      details: r.details,
      updatedAt: r.updatedAt.toISOString(),
    })),
    balance,
    creditNotes,
    payments,
    voidedAt: invoice?.voidedAt?.toISOString() ?? null,
    stepsInFlight: await run.steps,
    startedAt: run.startedAt.toISOString(),
    closedAt: run.closedAt?.toISOString() ?? null,
  }
}
