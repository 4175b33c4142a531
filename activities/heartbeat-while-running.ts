import type { Context } from '@temporalio/activity'
import type { ActivityInterceptorsFactory, WorkerOptions } from '@temporalio/worker'

/**
 * Every activity whose options set a heartbeat timeout beats while it runs (a third of the
 * timeout), so an activity lost with a killed worker is retried within that timeout instead of
 * its whole start-to-close (40 s for finalize and the PDF, 2 min a dispatch step). It says the
 * worker is alive, not that the work progresses: start-to-close still bounds a hung call.
 */
export function heartbeatWhileRunning(ctx: Context): ReturnType<ActivityInterceptorsFactory> {
  return {
    inbound: {
      async execute(input, next) {
        const timeoutMs = ctx.info.heartbeatTimeoutMs
        if (!timeoutMs || SELF_HEARTBEATING.has(ctx.info.activityType)) return next(input)
        const timer = setInterval(() => ctx.heartbeat(), Math.max(200, Math.floor(timeoutMs / 3)))
        try {
          return await next(input)
        } finally {
          clearInterval(timer)
        }
      },
    },
  }
}

/** Activities that heartbeat their progress themselves: an empty beat would overwrite it. */
const SELF_HEARTBEATING = new Set(['startBillingRunInvoice', 'writeDriftReport'])

/**
 * What every worker passes to Worker.create: the interceptor, and heartbeats sent on within 3 s
 * (by default the SDK holds them back for 80 % of the heartbeat timeout, a margin too thin on a
 * busy machine: the server would time out an activity that is running fine).
 */
export const HEARTBEAT_WORKER_OPTIONS: Pick<WorkerOptions, 'interceptors' | 'maxHeartbeatThrottleInterval'> = { interceptors: { activity: [heartbeatWhileRunning] }, maxHeartbeatThrottleInterval: '3s' }
