import type { Client, WorkflowUpdateHandle } from '@temporalio/client'

/**
 * An Update's result if it is known within `waitMs`, else undefined. The client's poll for it
 * is aborted when the wait ends, so nothing keeps polling for an answer nobody waits for (the
 * Update itself goes on in the workflow). With `waitMs` 0 it returns only an outcome Temporal
 * already sent (a validator's rejection, an Update that completed at once): the handle settles
 * without I/O then, and the poll it would start is aborted at the next turn of the event loop.
 */
export async function updateResultWithin<T>(client: Client, update: WorkflowUpdateHandle<T>, waitMs: number): Promise<T | undefined> {
  const controller = new AbortController()
  const result = client.withAbortSignal(controller.signal, () => update.result())
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
