import type { InjectedSinks } from '@temporalio/worker'
import type { WorkflowInfo } from '@temporalio/workflow'
import type { Logger } from '@temporalio/common'
import { appendEvent } from '../db/append-event.js'
import type { Database } from '../lib/database.js'
import type { AuditSinks, RefusedAction } from '../workflows/audit-sinks.js'

/**
 * Records the actions an Update validator refused as `action_refused` events. A validator's
 * refusal leaves nothing in the workflow's history, so the worker writes it, outside the
 * workflow task, keyed by the Update id: a workflow task that is retried calls the sink again
 * and the second append is a no-op. Not called on replay.
 */
export function createRefusalAuditSinks(deps: { db: Database; logger: Logger }): InjectedSinks<AuditSinks> {
  return {
    audit: {
      refused: {
        fn: (_info: WorkflowInfo, refusal: RefusedAction) => recordRefusal(deps, refusal),
        callDuringReplay: false,
      },
    },
  }
}

export async function recordRefusal(deps: { db: Database; logger: Logger }, refusal: RefusedAction): Promise<void> {
  try {
    await appendEvent(deps.db, {
      workflowId: refusal.workflowId,
      workflowRunId: refusal.workflowRunId,
      invoiceId: refusal.invoiceId,
      type: 'action_refused',
      actor: refusal.actor.replace(/\u0000/g, '') || 'unknown',
      payload: { action: refusal.action, code: refusal.code, message: refusal.message.replace(/\u0000/g, ''), state: refusal.state, updateId: refusal.updateId, by: 'validator' },
      idempotencyKey: `${refusal.workflowId}:${refusal.workflowRunId}:refused:${refusal.updateId}`,
    })
  } catch (err) {
    // The refusal itself reached the person who acted; only its record is missing.
    deps.logger.error('could not record a refused action', { workflowId: refusal.workflowId, invoiceId: refusal.invoiceId ?? undefined, action: refusal.action, code: refusal.code, error: String(err) })
  }
}
