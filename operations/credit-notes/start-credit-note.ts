import { randomUUID } from 'node:crypto'
import { WithStartWorkflowOperation, WorkflowExecutionAlreadyStartedError, WorkflowUpdateStage, type Client } from '@temporalio/client'
import { WorkflowIdConflictPolicy, WorkflowIdReusePolicy } from '@temporalio/common'
import { figuresFor, readCreditableInvoice } from '../../credit-notes/credit-note-store.js'
import type { CreditNoteRequest } from '../../credit-notes/credit-note-schemas.js'
import type { Database } from '../../lib/database.js'
import { PermanentError } from '../../lib/permanent-error.js'
import { awaitDraftUpdate, creditNoteWorkflowId, type CreditNoteView, type StartCreditNoteInput } from '../../workflows/credit-note-contract.js'
import type { creditNoteWorkflow } from '../../workflows/credit-note-workflow.js'
import { customerIdKey, dealIdKey, invoiceNumberKey, invoiceStatusKey } from '../../workflows/search-attributes.js'
import { ERROR_CODES, OperationError, type ErrorCode } from '../operation-error.js'
import { latestRun } from '../invoices/read-invoice.js'
import { acceptedWithin, toOperationError, updateResultWithin } from '../updates.js'

export interface StartedCreditNote {
  id: string
  runId: string
  /** The draft, when it was written within the wait; null when the worker has not taken the start yet. */
  draft: CreditNoteView | null
}

/**
 * Starts a credit note (or a void) of a delivered invoice: checked here first against the
 * invoice and its earlier credit notes (a 4xx naming the field at once), then its workflow
 * `credit-note:<invoice id>:<seq>` started with an `awaitDraft` Update that answers the draft.
 * Two requests at once for the same invoice get the same sequence number: Temporal refuses the
 * second (CONFLICT, "try again").
 */
export async function startCreditNote(options: {
  client: Client
  db: Database
  taskQueue: string
  /** The invoice's id in the API (its workflow id). */
  invoiceWorkflowId: string
  request: CreditNoteRequest
  requestedBy: string
  waitMs: number
}): Promise<StartedCreditNote> {
  const { client, db } = options
  const run = await latestRun(db, options.invoiceWorkflowId)
  if (!run) throw new OperationError('NOT_FOUND', `no invoice with id ${options.invoiceWorkflowId}`)
  if (!run.invoiceId) throw new OperationError('WRONG_STATE', `invoice ${options.invoiceWorkflowId} is ${run.state}: it has no number yet, so there is nothing to credit (cancel it instead)`, { state: run.state })
  const { invoice, credited, earlier } = await asOperationError(() => readCreditableInvoice(db, run.invoiceId!))
  await asOperationError(async () => figuresFor(credited, earlier, options.request))

  // The next sequence number: after the rows, and after runs that ended without one (a refused draft).
  let seq = ((await db.creditNote.aggregate({ where: { invoiceId: invoice.id }, _max: { seq: true } }))._max.seq ?? 0) + 1
  const what = options.request.kind === 'void' ? 'Void' : 'Credit note'
  const started = Date.now()
  for (let attempt = 0; ; attempt++) {
    const workflowId = creditNoteWorkflowId(invoice.id, seq)
    const input: StartCreditNoteInput = {
      creditNoteId: randomUUID(),
      seq,
      request: options.request,
      requestedBy: options.requestedBy,
      invoice: { invoiceId: invoice.id, workflowId: options.invoiceWorkflowId, number: invoice.number!, dealId: invoice.dealId, customerId: invoice.customerId, period: invoice.period },
    }
    const start = new WithStartWorkflowOperation<typeof creditNoteWorkflow>('creditNoteWorkflow', {
      taskQueue: options.taskQueue,
      workflowId,
      args: [input],
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
      workflowIdConflictPolicy: WorkflowIdConflictPolicy.FAIL,
      staticSummary: `${what} ${seq} of invoice ${invoice.number}`,
      staticDetails: `Requested by ${options.requestedBy}: ${options.request.reason}`,
      typedSearchAttributes: [
        { key: invoiceStatusKey, value: 'drafting' },
        { key: dealIdKey, value: invoice.dealId },
        { key: customerIdKey, value: invoice.customerId },
        { key: invoiceNumberKey, value: invoice.number! },
      ],
    })
    let update
    try {
      update = await acceptedWithin(client, () => client.workflow.startUpdateWithStart(awaitDraftUpdate, { startWorkflowOperation: start, waitForStage: WorkflowUpdateStage.ACCEPTED }), options.waitMs)
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err
      const status = await client.workflow.getHandle(workflowId).describe().then((d) => d.status.name, () => 'UNKNOWN')
      if (status === 'RUNNING' || attempt >= 20) {
        throw new OperationError('CONFLICT', `another credit note of invoice ${invoice.number} is being started at the same moment: reload the invoice and try again`)
      }
      seq += 1 // that number went to a run whose draft was refused
      continue
    }
    const runId = update?.workflowRunId ?? (await (await start.workflowHandle()).describe()).runId
    if (!update) return { id: workflowId, runId, draft: null }
    try {
      const draft = await updateResultWithin(client, update, Math.max(1, options.waitMs - (Date.now() - started)))
      return { id: workflowId, runId, draft: draft ?? null }
    } catch (err) {
      throw toOperationError(err) ?? err
    }
  }
}

/** The credit note's refusals (PermanentError of a stable code) as the API's errors. */
async function asOperationError<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work()
  } catch (error) {
    if (error instanceof PermanentError && (ERROR_CODES as readonly string[]).includes(error.type)) {
      const field = /^(body[.\w]*): /.exec(error.message)?.[1]
      throw new OperationError(error.type as ErrorCode, error.message, field ? { issues: [{ field, problem: error.message.slice(field.length + 2) }] } : {})
    }
    throw error
  }
}
