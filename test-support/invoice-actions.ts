import { randomUUID } from 'node:crypto'
import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client'
import { retryInterruptedUpdate } from '../operations/updates.js'
import { ApplicationFailure } from '@temporalio/common'
import type { ActionInput, InvoiceActionName } from '../workflows/invoice-actions.js'
import { ACTION_UPDATES, getInvoiceQuery, type ActionOutcome, type InvoiceView } from '../workflows/invoice-contract.js'

/** An action straight through its Update, as the operator CLI or Temporal Web sends it. */
export function act<A extends InvoiceActionName>(handle: WorkflowHandle, action: A, input: ActionInput<A> | Record<string, unknown>, updateId?: string): Promise<ActionOutcome> {
  const id = updateId ?? randomUUID()
  return retryInterruptedUpdate(() => handle.executeUpdate(ACTION_UPDATES[action] as never, { args: [input] as never, updateId: id })) as Promise<ActionOutcome>
}

/** The refusal an Update failed with: its stable code (the failure type) and message. */
export async function refusalOf(work: Promise<unknown>): Promise<{ code: string; message: string; details: unknown }> {
  try {
    await work
  } catch (err) {
    if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure) {
      return { code: err.cause.type ?? '', message: err.cause.message, details: err.cause.details?.[0] }
    }
    throw err
  }
  throw new Error('the action was not refused')
}

/** Workflow task failures in a run's history: an action must never cause one. */
export async function workflowTaskFailures(handle: WorkflowHandle): Promise<number> {
  const history = await handle.fetchHistory()
  return (history.events ?? []).filter((e) => e.workflowTaskFailedEventAttributes).length
}

/** States of a delivered invoice (the workflow then waits for its money). */
const DELIVERED = ['awaiting_payment', 'partially_paid', 'overdue', 'paid', 'void']

/** Waits until the invoice is delivered and answers its view (the run goes on, following payment). */
export async function untilDelivered(handle: WorkflowHandle, timeoutMs = 60_000): Promise<InvoiceView> {
  const until = Date.now() + timeoutMs
  for (;;) {
    const view = await handle.query(getInvoiceQuery)
    if (DELIVERED.includes(view.state)) return view
    if (Date.now() > until) throw new Error(`invoice ${handle.workflowId} is still ${view.state} after ${timeoutMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}
