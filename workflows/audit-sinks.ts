import type { Sinks } from '@temporalio/workflow'

/** An action an Update validator refused: nothing reaches the history, so the worker records it. */
export interface RefusedAction {
  workflowId: string
  workflowRunId: string
  invoiceId: string | null
  /** The Update's id: the event's idempotency key, so a retried workflow task records it once. */
  updateId: string
  action: string
  actor: string
  code: string
  message: string
  state: string
}

/** Sinks the invoice workflow calls (the worker's `sinks`, worker/audit-sink.ts). */
export interface AuditSinks extends Sinks {
  audit: { refused(refusal: RefusedAction): void }
}
