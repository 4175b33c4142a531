import { condition, defineUpdate, setHandler } from '@temporalio/workflow'

/** The floor of an action's round trip: an Update on a workflow that does nothing else. */
export const pingUpdate = defineUpdate<string, [string]>('ping')

export async function idleWorkflow(): Promise<void> {
  let done = false
  setHandler(pingUpdate, (text) => text, { validator: (text) => void text })
  setHandler(defineUpdate<void>('stop'), () => {
    done = true
  })
  await condition(() => done)
}
