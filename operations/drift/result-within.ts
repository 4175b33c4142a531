import type { Client, WorkflowHandle } from '@temporalio/client'

/**
 * A workflow's result if it is known within `waitMs`, else undefined. The client's long poll is
 * aborted when the wait ends, so nothing keeps polling for an answer nobody waits for (the
 * workflow goes on).
 */
export async function resultWithin<T>(client: Client, handle: WorkflowHandle, waitMs: number): Promise<T | undefined> {
  const controller = new AbortController()
  const result = client.withAbortSignal(controller.signal, () => handle.result() as Promise<T>)
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), waitMs)
  })
  try {
    return await Promise.race([result, late])
  } finally {
    clearTimeout(timer)
    controller.abort()
    result.catch(() => {})
  }
}
