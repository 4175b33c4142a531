import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Context } from '@temporalio/activity'
import { describe, expect, it } from 'vitest'
import { killAtBoundary, killAtBoundaryFromEnv, readKillLog } from './kill-at-boundary.js'

/** Runs one attempt of an activity through the interceptor; a kill is recorded, not made. */
async function attempt(options: { activityType: string; attempt: number; logPath: string; max?: number; activityId?: string }) {
  const events: string[] = []
  const ctx = { info: { activityType: options.activityType, activityId: options.activityId ?? '7', attempt: options.attempt, workflowExecution: { workflowId: 'invoice:APP-1:2026-10' } } } as unknown as Context
  const factory = killAtBoundary({
    activities: new Set(['syncPlanFact']),
    logPath: options.logPath,
    maxKillsPerBoundary: options.max ?? 20,
    kill: () => events.push('kill'),
  })
  const result = await factory(ctx).inbound!.execute!({ args: [], headers: {} }, async () => {
    events.push('run')
    return 'done'
  })
  return { result, events }
}

describe('killAtBoundary', () => {
  const logPath = () => join(mkdtempSync(join(tmpdir(), 'kill-log-')), 'kills.jsonl')

  it('kills attempt 1 before the activity, attempt 2 after it, and lets attempt 3 run', async () => {
    const log = logPath()
    expect((await attempt({ activityType: 'syncPlanFact', attempt: 1, logPath: log })).events).toEqual(['kill', 'run'])
    expect((await attempt({ activityType: 'syncPlanFact', attempt: 2, logPath: log })).events).toEqual(['run', 'kill'])
    expect(await attempt({ activityType: 'syncPlanFact', attempt: 3, logPath: log })).toEqual({ result: 'done', events: ['run'] })
    expect(readKillLog(log).map((l) => [l.boundary, l.workflowId, l.attempt])).toEqual([
      ['syncPlanFact:before', 'invoice:APP-1:2026-10', 1],
      ['syncPlanFact:after', 'invoice:APP-1:2026-10', 2],
    ])
  })

  it('keeps the "after" kill for the next attempt when attempt 2 was lost to another kill, once per execution', async () => {
    const log = logPath()
    await attempt({ activityType: 'syncPlanFact', attempt: 1, logPath: log })
    // Attempt 2 died with another activity's kill before returning: attempt 3 gets the "after" kill.
    expect((await attempt({ activityType: 'syncPlanFact', attempt: 3, logPath: log })).events).toEqual(['run', 'kill'])
    expect((await attempt({ activityType: 'syncPlanFact', attempt: 4, logPath: log })).events).toEqual(['run'])
    // Another execution of the same activity in the run (a later re-finalization, say) is killed again.
    expect((await attempt({ activityType: 'syncPlanFact', attempt: 2, logPath: log, activityId: '12' })).events).toEqual(['run', 'kill'])
  })

  it('leaves activities not listed alone, and a boundary alone once it has its kills', async () => {
    const log = logPath()
    expect((await attempt({ activityType: 'uploadPdfToR2', attempt: 1, logPath: log })).events).toEqual(['run'])
    await attempt({ activityType: 'syncPlanFact', attempt: 1, logPath: log, max: 1 })
    expect((await attempt({ activityType: 'syncPlanFact', attempt: 1, logPath: log, max: 1 })).events).toEqual(['run'])
    expect(readKillLog(log)).toHaveLength(1)
  })

  it('takes every activity that reaches a boundary within the gathering window with one kill', async () => {
    const log = logPath()
    const kills: number[] = []
    const factory = killAtBoundary({ activities: new Set(['syncPlanFact', 'sendInvoiceEmail']), logPath: log, maxKillsPerBoundary: 20, gatherMs: 100, kill: () => kills.push(Date.now()) })
    const ctx = (activityType: string) => ({ info: { activityType, attempt: 1, workflowExecution: { workflowId: `invoice:${activityType}` } } }) as unknown as Context
    const ran: string[] = []
    await Promise.all(
      ['syncPlanFact', 'sendInvoiceEmail'].map((a) => factory(ctx(a)).inbound!.execute!({ args: [], headers: {} }, async () => ran.push(a))),
    )
    expect(kills).toHaveLength(1)
    expect(readKillLog(log).map((l) => l.boundary).sort()).toEqual(['sendInvoiceEmail:before', 'syncPlanFact:before'])
  })

  it('is off unless CHAOS_KILL_BOUNDARIES is set, and needs a kill log when it is', () => {
    expect(killAtBoundaryFromEnv({})).toEqual([])
    expect(() => killAtBoundaryFromEnv({ CHAOS_KILL_BOUNDARIES: 'syncPlanFact' })).toThrow(/CHAOS_KILL_LOG/)
    expect(killAtBoundaryFromEnv({ CHAOS_KILL_BOUNDARIES: 'syncPlanFact', CHAOS_KILL_LOG: 'kills.jsonl' })).toHaveLength(1)
  })
})
