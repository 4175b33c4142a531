import { randomUUID } from 'node:crypto'
import { WorkflowNotFoundError, WorkflowUpdateStage, type Client, type WorkflowHandle } from '@temporalio/client'
import type { Database } from '../../lib/database.js'
import type { ActionInput, InvoiceActionName } from '../../workflows/invoice-actions.js'
import { ACTION_UPDATES, type ActionOutcome, type InvoiceState } from '../../workflows/invoice-contract.js'
import { OperationError } from '../operation-error.js'
import { ACCEPT_WAIT_MS, acceptedWithin, isInterruptedUpdate, retryInterruptedUpdate, toOperationError, updateResultWithin } from '../updates.js'
import { latestRun } from './read-invoice.js'
import { INVOICE_WORKFLOW_TYPE } from './invoice-list-query.js'

/** An action's input as a person gives it: the actor comes from who is signed in, never from the body. */
export type ActionRequest = { [A in InvoiceActionName]: { action: A } & Omit<ActionInput<A>, 'actor'> }[InvoiceActionName]

export type ActionResult =
  | ({ id: string; updateId: string; runId: string | null; outcome: 'applied' } & ActionOutcome)
  /** Accepted by the workflow's validator; the outcome was not known within the wait (read it at `updateId`). */
  | { id: string; updateId: string; runId: string | null; outcome: 'accepted'; action: InvoiceActionName; state: InvoiceState | null }
  /** A run started before actions were Updates: sent as its signal (legacy runs only). */
  | { id: string; updateId: string; runId: string | null; outcome: 'sent'; action: InvoiceActionName; state: InvoiceState | null }

/**
 * Takes an action on an invoice on behalf of `actor`, as a Temporal Update: the workflow's
 * validator refuses at once what the state or the actor cannot do (OperationError of its code),
 * and the answer is the outcome once the workflow has acted (new state, number, PDF version,
 * attention). With `waitMs` 0 it returns as soon as the workflow accepted the action. The
 * update id makes a retried request (same `updateId`) the same action, answered once.
 */
export async function actOnInvoice(options: {
  client: Client
  db: Database
  workflowId: string
  request: ActionRequest
  actor: string
  /** How long to wait for the outcome after the workflow accepted the action. */
  waitMs: number
  updateId?: string
  /** What the thing acted on is called in refusals, and where its state is read (a credit note's differ). */
  subject?: { name: string; readState: () => Promise<string | null> }
}): Promise<ActionResult> {
  const { client, workflowId, request } = options
  const { action, ...fields } = request
  const updateId = options.updateId ?? randomUUID()
  const handle = client.workflow.getHandle(workflowId)
  const args = [{ ...fields, actor: options.actor }] as never
  const started = Date.now()
  let update
  try {
    // Accepted (or refused) by the workflow's validator once a worker takes it: not past the wait.
    update = await acceptedWithin(
      client,
      () => retryInterruptedUpdate(() => handle.startUpdate(ACTION_UPDATES[action] as never, { args, updateId, waitForStage: WorkflowUpdateStage.ACCEPTED })),
      options.waitMs,
    )
  } catch (err) {
    if (isInterruptedUpdate(err)) {
      throw new OperationError('SERVICE_UNAVAILABLE', `the invoice's workflow is recovering from a failed task (a worker restarted mid-step): send "${action}" again with the same Idempotency-Key`, {}, { 'Retry-After': '5' })
    }
    throw toOperationError(err) ?? (await explainUnreachable(options, err))
  }
  if (!update) {
    throw new OperationError(
      'SERVICE_UNAVAILABLE',
      `no worker took "${action}" within ${Math.round(Math.max(options.waitMs, ACCEPT_WAIT_MS) / 1000)} s (is the worker running?); it may still be applied when one does: send it again with the same Idempotency-Key to learn its outcome`,
      {},
      { 'Retry-After': '5' },
    )
  }
  let outcome: ActionOutcome | undefined
  try {
    outcome = (await updateResultWithin(client, update, options.waitMs - (Date.now() - started))) as ActionOutcome | undefined
  } catch (err) {
    const refusal = toOperationError(err)
    // A run started before actions were Updates has no handler for them (its Update is refused so).
    if (refusal && isMissingHandler(refusal)) return sendLegacySignal(options, handle, updateId)
    throw refusal ?? err
  }
  if (!outcome) return { id: workflowId, updateId, runId: update.workflowRunId ?? null, outcome: 'accepted', action, state: ((options.subject ? await options.subject.readState() : await readState(options)) as InvoiceState | null) }
  return { id: workflowId, updateId, runId: update.workflowRunId ?? null, ...outcome, outcome: 'applied' }
}

/**
 * The outcome of an action accepted earlier (`updateId` from a 202), or null when it is not
 * known yet within `waitMs`. A refused one throws its OperationError.
 */
export async function readActionOutcome(options: { client: Client; workflowId: string; runId?: string; updateId: string; waitMs: number }): Promise<ActionOutcome | null> {
  const update = options.client.workflow.getHandle(options.workflowId, options.runId).getUpdateHandle<ActionOutcome>(options.updateId)
  try {
    return (await updateResultWithin(options.client, update, options.waitMs)) ?? null
  } catch (err) {
    if (err instanceof WorkflowNotFoundError || isGrpcNotFound(err)) throw new OperationError('NOT_FOUND', `no action ${options.updateId} on invoice ${options.workflowId}`)
    throw toOperationError(err) ?? err
  }
}

/** A run of the code before Updates has no handler for them: it takes the old signals (docs/workflow.md). */
function isMissingHandler(refusal: OperationError): boolean {
  return /no registered handler for update/i.test(refusal.message)
}

async function sendLegacySignal(options: Parameters<typeof actOnInvoice>[0], handle: WorkflowHandle, updateId: string): Promise<ActionResult> {
  const { action, ...fields } = options.request
  const description = await handle.describe()
  if (description.type !== INVOICE_WORKFLOW_TYPE) throw new OperationError('NOT_FOUND', `no invoice with id ${options.workflowId}`)
  const args: Record<string, unknown> = { actor: options.actor }
  if ('fingerprint' in fields) args.fingerprint = fields.fingerprint
  if ('edits' in fields && fields.edits) args.edits = fields.edits
  if ('reason' in fields) args.reason = fields.reason
  await handle.signal(action, args)
  return { id: options.workflowId, updateId, runId: description.runId, outcome: 'sent', action, state: await readState(options) }
}

/** Why an Update could not reach the workflow: no such invoice, or its run has ended (with its state). */
async function explainUnreachable(options: Parameters<typeof actOnInvoice>[0], err: unknown): Promise<unknown> {
  if (!(err instanceof WorkflowNotFoundError) && !isGrpcNotFound(err)) return err
  const name = options.subject?.name ?? 'invoice'
  const state = options.subject ? await options.subject.readState() : await readState(options)
  if (!state) return new OperationError('NOT_FOUND', `no ${name} with id ${options.workflowId}`)
  return new OperationError('WRONG_STATE', `"${options.request.action}" cannot be taken: the ${name} is ${state} and its workflow has ended`, { state, allowedActions: [] })
}

function isGrpcNotFound(err: unknown): boolean {
  const cause = (err as { cause?: { code?: unknown } })?.cause
  return (err as { code?: unknown })?.code === 5 || cause?.code === 5 || /workflow execution already completed/i.test(String((err as Error)?.message))
}

async function readState(options: { db: Database; workflowId: string }): Promise<InvoiceState | null> {
  return ((await latestRun(options.db, options.workflowId))?.state as InvoiceState | undefined) ?? null
}
