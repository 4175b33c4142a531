import { WorkflowUpdateFailedError, type Client, type WorkflowUpdateHandle } from '@temporalio/client'
import { ApplicationFailure } from '@temporalio/common'
import { ERROR_CODES, OperationError, type ErrorCode } from './operation-error.js'
import { withDeadline } from './with-deadline.js'

/** How long a start or an action waits at least for a worker to take its Update. */
export const ACCEPT_WAIT_MS = 5_000

/**
 * An Update (or update-with-start) sent with `send`, once the workflow's validator took it, or
 * undefined when no worker took it within max(`waitMs`, ACCEPT_WAIT_MS): the client's polling
 * for it is then aborted (an Update only admitted is not durable; the start of update-with-start
 * is). A refusal the send itself reports is thrown.
 */
export async function acceptedWithin<T>(client: Client, send: () => Promise<WorkflowUpdateHandle<T>>, waitMs: number): Promise<WorkflowUpdateHandle<T> | undefined> {
  const abandon = new AbortController()
  const accepted = await withDeadline(client.withAbortSignal(abandon.signal, send), Math.max(waitMs, ACCEPT_WAIT_MS))
  if (!accepted) abandon.abort()
  return accepted
}

/** The workflow's refusal of an action or a start as the operation error of the same code. */
export function toOperationError(err: unknown): OperationError | null {
  if (!(err instanceof WorkflowUpdateFailedError) || !(err.cause instanceof ApplicationFailure)) return null
  const type = err.cause.type ?? ''
  const code: ErrorCode = (ERROR_CODES as readonly string[]).includes(type) ? (type as ErrorCode) : 'CONFLICT'
  const details = (err.cause.details?.[0] ?? {}) as Record<string, unknown>
  return new OperationError(code, err.cause.message, details)
}

/**
 * An Update's result if it is known within `waitMs`, else undefined. The client's poll for it
 * is aborted when the wait ends, so nothing keeps polling for an answer nobody waits for (the
 * Update itself goes on in the workflow). With `waitMs` 0 it returns only an outcome Temporal
 * already sent (a validator's rejection, an Update that completed at once): the handle settles
 * without I/O then, and the poll it would start is aborted at the next turn of the event loop.
 */
export async function updateResultWithin<T>(client: Client, update: WorkflowUpdateHandle<T>, waitMs: number): Promise<T | undefined> {
  return settledWithin(client, () => update.result(), waitMs)
}

/**
 * What `poll` (a long poll of the client's: an Update's or a workflow's result) gives within
 * `waitMs`, else undefined. The poll is aborted when the wait ends, so nothing keeps polling for
 * an answer nobody waits for (the workflow goes on).
 */
export async function settledWithin<T>(client: Client, poll: () => Promise<T>, waitMs: number): Promise<T | undefined> {
  const controller = new AbortController()
  const result = client.withAbortSignal(controller.signal, poll)
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<undefined>((resolve) => {
    if (waitMs <= 0) setImmediate(() => resolve(undefined))
    else timer = setTimeout(() => resolve(undefined), waitMs)
  })
  try {
    return await Promise.race([result, late])
  } finally {
    clearTimeout(timer)
    controller.abort()
    result.catch(() => {})
  }
}

/**
 * Whether Temporal dropped an Update because the workflow task that would carry it failed, not
 * because of the Update: the run tried to complete while an activity result arrived
 * (UnhandledCommand: "unexpected workflow task failure"), or a worker died mid-task and the task
 * waits for its retry ("Workflow Task in failed state", FAILED_PRECONDITION). The next task takes it.
 */
export function isInterruptedUpdate(err: unknown): boolean {
  return /unexpected workflow task failure|workflow task in failed state/i.test(String((err as { cause?: { details?: unknown } } | undefined)?.cause?.details ?? (err as Error | undefined)?.message))
}

/**
 * Sends an Update again (same id: Temporal runs it once) while Temporal drops it for a failed
 * workflow task (isInterruptedUpdate), backing off for about 4 s in all; the last error is then
 * thrown (the API answers 503: send it again with the same Idempotency-Key).
 */
export async function retryInterruptedUpdate<T>(send: () => Promise<T>, attempts = 8): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await send()
    } catch (err) {
      if (!isInterruptedUpdate(err) || attempt >= attempts) throw err
      await new Promise((resolve) => setTimeout(resolve, 100 * attempt))
    }
  }
}
