import type { Prisma } from '../generated/prisma/client.js'
import type { Database } from '../lib/database.js'
import { INVOICE_STATES, NEXT_ACTOR_BY_STATE } from '../workflows/invoice-contract.js'
import { appendEvent, type InvoiceEventInput } from './append-event.js'

/** The read-model row of the run (invoice_runs), as the workflow sends it with each transition. */
export interface RunViewInput {
  workflowId: string
  workflowRunId: string
  startedAt: string
  nextActor: string | null
  currency: string | null
  total: string | null
  /** The workflow's view without the preview. */
  view: { state: string; dealId: string; customerId: string | null; period: string; invoiceId: string | null; invoiceNumber: string | null; startedBy: string } & Record<string, unknown>
  /** Present only when the preview changed since the last transition (it is large). */
  preview?: unknown
}

export interface TransitionInput {
  event: InvoiceEventInput
  /** The invoice row to update, when one exists (events before confirmation have none). */
  invoiceId?: string | null
  state: string
  /** ISO instant of the transition (workflow time), so a retry writes the same values. */
  at: string
  approvedBy?: string
  /** A cancelled invoice that has a number is kept as void. */
  voidReason?: string
  /** Once delivered: unpaid | partially_paid | overdue | paid | void. */
  paymentStatus?: string
  /** The run's read-model row; absent in runs started before it existed. */
  run?: RunViewInput
  /** A run continued as new: its predecessor's read-model and invoice rows become this run's. */
  continuedFromRunId?: string
}

const FINAL_STATES = ['completed', 'cancelled', 'paid', 'void']

/**
 * Moves the invoice row (the workflow's projection in PostgreSQL) to a new state, writes the
 * run's read-model row and appends the event, in one transaction. A retry after success
 * writes nothing twice: the event key is unique and the updates set the same values.
 */
export async function recordTransition(db: Database, input: TransitionInput): Promise<void> {
  await db.$transaction(async (tx) => {
    if (input.continuedFromRunId) await takeOverRows(tx, input.continuedFromRunId, input.event.workflowRunId)
    if (input.invoiceId) {
      await tx.invoice.updateMany({
        where: { id: input.invoiceId },
        data: {
          state: input.state,
          ...(input.approvedBy ? { approvedBy: input.approvedBy, approvedAt: new Date(input.at) } : {}),
          ...(input.voidReason !== undefined ? { voidReason: input.voidReason, voidedAt: new Date(input.at) } : {}),
          ...(input.paymentStatus !== undefined ? { paymentStatus: input.paymentStatus } : {}),
        },
      })
    }
    if (input.run) await writeRunRow(tx, input)
    else await followLegacyRun(tx, input)
    await appendEvent(tx, { ...input.event, invoiceId: input.invoiceId ?? input.event.invoiceId ?? null })
  })
}

/**
 * Continue-as-new keeps one invoice under one workflow id but gives it a new run id: the rows
 * keyed by the run follow it, so the list shows one invoice and its PDFs and handles resolve.
 * A retry finds them moved already and changes nothing.
 */
async function takeOverRows(tx: Prisma.TransactionClient, previousRunId: string, runId: string): Promise<void> {
  await tx.invoiceRun.updateMany({ where: { workflowRunId: previousRunId }, data: { workflowRunId: runId } })
  await tx.invoice.updateMany({ where: { workflowRunId: previousRunId }, data: { workflowRunId: runId } })
}

/**
 * A run of the code before the read model (workflows/v1) sends no row: the one the migration
 * made from its invoice follows its state, so lists do not show it stuck.
 */
async function followLegacyRun(tx: Prisma.TransactionClient, input: TransitionInput): Promise<void> {
  const at = new Date(input.at)
  const state = INVOICE_STATES.find((s) => s === input.state)
  if (!state) return
  await tx.invoiceRun.updateMany({
    where: { workflowRunId: input.event.workflowRunId },
    data: { state, nextActor: NEXT_ACTOR_BY_STATE[state], transitionAt: at, closedAt: FINAL_STATES.includes(state) ? at : null },
  })
}

async function writeRunRow(tx: Prisma.TransactionClient, input: TransitionInput): Promise<void> {
  const run = input.run!
  const at = new Date(input.at)
  const columns = {
    workflowId: run.workflowId,
    state: input.state,
    dealId: run.view.dealId,
    customerId: run.view.customerId,
    period: run.view.period,
    invoiceId: run.view.invoiceId,
    invoiceNumber: run.view.invoiceNumber,
    currency: run.currency,
    total: run.total,
    nextActor: run.nextActor,
    startedBy: run.view.startedBy,
    view: run.view as Prisma.InputJsonValue,
    ...('preview' in run ? { preview: (run.preview ?? undefined) as Prisma.InputJsonValue | undefined } : {}),
    transitionAt: at,
    closedAt: FINAL_STATES.includes(input.state) ? at : null,
  }
  await tx.invoiceRun.upsert({
    where: { workflowRunId: run.workflowRunId },
    create: { workflowRunId: run.workflowRunId, startedAt: new Date(run.startedAt), ...columns },
    update: columns,
  })
}
