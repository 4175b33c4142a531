import { Worker, type WorkerOptions } from '@temporalio/worker'
import { concernOf, taskQueueOf, type Concern } from './concerns.js'

/** How many tasks of a concern one process runs at once (the SDK's defaults elsewhere). */
export type ConcernConcurrency = Partial<Record<Concern, number>>

export interface WorkerGroupOptions extends Omit<WorkerOptions, 'taskQueue' | 'activities'> {
  /** The workflows' own task queue; the concerns' queues are named after it. */
  taskQueue: string
  concerns: readonly Concern[]
  activities: Record<string, (...args: never[]) => Promise<unknown>>
  concurrency?: ConcernConcurrency
}

/**
 * The Temporal workers of one process: one per concern it serves, each polling its concern's
 * task queue with that concern's activities (workers/concerns.ts); the workflows with the
 * `workflows` concern. A concern with no activities in `activities` gets no worker.
 */
export async function createWorkerGroup(options: WorkerGroupOptions): Promise<WorkerGroup> {
  const { taskQueue, concerns, activities, concurrency = {}, ...shared } = options
  // An activity-only worker takes no workflow options.
  const { workflowBundle: _bundle, workflowsPath: _path, sinks: _sinks, ...activityOnly } = shared
  const workers: Worker[] = []
  for (const concern of concerns) {
    const mine = Object.fromEntries(Object.entries(activities).filter(([name]) => concernOf(name) === concern))
    const runsWorkflows = concern === 'workflows'
    if (!runsWorkflows && Object.keys(mine).length === 0) continue
    const limit = concurrency[concern]
    workers.push(
      await Worker.create({
        ...(runsWorkflows ? shared : activityOnly),
        taskQueue: taskQueueOf(taskQueue, concern),
        activities: mine,
        ...(limit !== undefined ? { maxConcurrentActivityTaskExecutions: limit } : {}),
      }),
    )
  }
  if (workers.length === 0) throw new Error(`no worker to run: the concerns ${concerns.join(', ')} have no activities here`)
  return new WorkerGroup(workers)
}

/** Several workers run and stopped as one: when one stops or fails, the others are shut down. */
export class WorkerGroup {
  constructor(readonly workers: readonly Worker[]) {}

  get taskQueues(): string[] {
    return this.workers.map((worker) => worker.options.taskQueue)
  }

  async run(): Promise<void> {
    const runs = this.workers.map((worker) => worker.run().finally(() => this.shutdown()))
    const outcomes = await Promise.allSettled(runs)
    const failed = outcomes.find((outcome) => outcome.status === 'rejected')
    if (failed) throw failed.reason
  }

  /** Runs until `until` settles, then shuts down and waits for the workers to drain. */
  async runUntil<R>(until: Promise<R> | (() => Promise<R>)): Promise<R> {
    const running = this.run()
    const stopped = running.then(() => {
      throw new Error('the workers stopped before the work they ran for was done')
    })
    try {
      return await Promise.race([typeof until === 'function' ? until() : until, stopped])
    } finally {
      this.shutdown()
      await running
    }
  }

  shutdown(): void {
    for (const worker of this.workers) {
      if (worker.getState() === 'RUNNING') worker.shutdown()
    }
  }
}
