import { proxyActivities, workflowInfo, type ActivityInterfaceFor, type ActivityOptions } from '@temporalio/workflow'
import { concernOf, taskQueueOf } from '../workers/concerns.js'

/**
 * proxyActivities, with each activity sent to the task queue of its concern
 * (workers/concerns.ts), next to this workflow's own queue. The queue is chosen at call time:
 * the workflow's queue is only known inside a workflow.
 */
export function proxyActivitiesByConcern<A extends object>(options: ActivityOptions): ActivityInterfaceFor<A> {
  const proxyFor = (name: string) => {
    const taskQueue = taskQueueOf(workflowInfo().taskQueue, concernOf(name))
    return (proxyActivities<Record<string, (...args: unknown[]) => Promise<unknown>>>({ ...options, taskQueue }) as unknown as ActivityInterfaceFor<Record<string, (...args: unknown[]) => Promise<unknown>>>)[name]!
  }
  return new Proxy({} as ActivityInterfaceFor<A>, {
    get(_, name) {
      if (typeof name !== 'string') throw new TypeError(`activity names are strings, got ${String(name)}`)
      const call = (...args: unknown[]) => proxyFor(name)(...args)
      call.executeWithOptions = (overrides: ActivityOptions, args: unknown[]) => proxyFor(name).executeWithOptions(overrides, args)
      return call
    },
  })
}
