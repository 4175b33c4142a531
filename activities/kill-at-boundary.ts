import { appendFileSync, closeSync, existsSync, fsyncSync, openSync, readFileSync } from 'node:fs'
import type { Context } from '@temporalio/activity'
import type { ActivityInterceptorsFactory } from '@temporalio/worker'

/**
 * Fault injection for the chaos suite (scripts/chaos.sh), never for production (lib/
 * production-safety.ts refuses CHAOS_KILL_BOUNDARIES there). For each listed activity the worker
 * kills itself with SIGKILL: attempt 1 *before* the activity runs (nothing done yet), and the
 * first attempt that gets through *after* it returned (the effect is made but Temporal never
 * hears of it: the retry must find it and not make it again), usually attempt 2; an attempt lost
 * to another activity's kill does not use up the "after" kill (the log says which execution had
 * it). The attempts after that run normally, so every invoice ends.
 * Each activity at a boundary first appends a line to the kill log (flushed to disk), so the
 * driver can count the kills per boundary; once a boundary has `maxKillsPerBoundary` kills it is
 * left alone.
 */
export interface KillAtBoundaryOptions {
  activities: ReadonlySet<string>
  logPath: string
  maxKillsPerBoundary: number
  /**
   * How long the first activity at a boundary waits for others to reach theirs before the kill,
   * so that one SIGKILL (and one worker restart, the slow part) takes every activity then at a
   * boundary. Each is held where it is (not run yet, or its result not returned) until the kill.
   */
  gatherMs?: number
  /** The kill itself; a test replaces it. */
  kill?: () => void
}

export interface KillLogLine {
  boundary: string
  activity: string
  workflowId: string
  /** Which execution of the activity in its workflow (Temporal's activity id). */
  activityId?: string
  attempt: number
  at: string
  pid: number
}

export function killAtBoundary(options: KillAtBoundaryOptions): ActivityInterceptorsFactory {
  const kill = options.kill ?? (() => process.kill(process.pid, 'SIGKILL'))
  let pendingKill: Promise<void> | null = null
  /** Logs the boundary and waits for the (shared) kill; in a test, the kill returns and so does this. */
  async function killAt(ctx: Context, when: 'before' | 'after'): Promise<void> {
    const boundary = `${ctx.info.activityType}:${when}`
    const workflowId = ctx.info.workflowExecution?.workflowId ?? ''
    const lines = readKillLog(options.logPath)
    if (lines.filter((l) => l.boundary === boundary).length >= options.maxKillsPerBoundary) return
    // One "after" kill per execution: its next attempt must be let through to finish.
    if (when === 'after' && lines.some((l) => l.boundary === boundary && l.workflowId === workflowId && l.activityId === ctx.info.activityId)) return
    appendKillLine(options.logPath, {
      boundary,
      activity: ctx.info.activityType,
      workflowId,
      activityId: ctx.info.activityId,
      attempt: ctx.info.attempt,
      at: new Date().toISOString(),
      pid: process.pid,
    })
    pendingKill ??= new Promise<void>((resolve) =>
      setTimeout(() => {
        pendingKill = null
        kill()
        resolve()
      }, options.gatherMs ?? 0),
    )
    await pendingKill
  }
  return (ctx: Context) => ({
    inbound: {
      async execute(input, next) {
        const { activityType: activity, attempt } = ctx.info
        if (!options.activities.has(activity)) return next(input)
        if (attempt === 1) await killAt(ctx, 'before')
        const result = await next(input)
        if (attempt >= 2) await killAt(ctx, 'after')
        return result
      },
    },
  })
}

/** Appended and on disk before the process is gone: the driver counts kills from this file. */
function appendKillLine(logPath: string, line: KillLogLine): void {
  appendFileSync(logPath, `${JSON.stringify(line)}\n`)
  const fd = openSync(logPath, 'r')
  try {
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
}

/** Kills logged so far for one boundary (the log is a few hundred lines at most). */
export function countKills(logPath: string, boundary: string): number {
  if (!existsSync(logPath)) return 0
  return readKillLog(logPath).filter((l) => l.boundary === boundary).length
}

export function readKillLog(logPath: string): KillLogLine[] {
  if (!existsSync(logPath)) return []
  return readFileSync(logPath, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as KillLogLine)
}

/**
 * The interceptors the worker adds from its environment: none unless CHAOS_KILL_BOUNDARIES
 * names activities (comma-separated); CHAOS_KILL_LOG is then required,
 * CHAOS_KILLS_PER_BOUNDARY (default 20) caps the kills of each boundary, CHAOS_KILL_GATHER_MS
 * (default 2000) is the gathering window.
 */
export function killAtBoundaryFromEnv(env: Record<string, string | undefined>): ActivityInterceptorsFactory[] {
  const activities = new Set((env.CHAOS_KILL_BOUNDARIES ?? '').split(',').map((a) => a.trim()).filter(Boolean))
  if (activities.size === 0) return []
  const logPath = env.CHAOS_KILL_LOG
  if (!logPath) throw new Error('CHAOS_KILL_BOUNDARIES is set without CHAOS_KILL_LOG: the kills could not be counted')
  const max = Number(env.CHAOS_KILLS_PER_BOUNDARY ?? '20')
  if (!Number.isInteger(max) || max < 0) throw new Error(`CHAOS_KILLS_PER_BOUNDARY must be a whole number, got ${env.CHAOS_KILLS_PER_BOUNDARY}`)
  return [killAtBoundary({ activities, logPath, maxKillsPerBoundary: max, gatherMs: Number(env.CHAOS_KILL_GATHER_MS ?? '2000') })]
}
