import type { Context } from '@temporalio/activity'
import { describe, expect, it } from 'vitest'
import { heartbeatWhileRunning } from './heartbeat-while-running.js'

/** The interceptor around a fake activity context: beats while the activity runs, when asked to. */
function run(info: { heartbeatTimeoutMs?: number; activityType: string }, workMs: number) {
  const beats: number[] = []
  const started = Date.now()
  const ctx = { info, heartbeat: () => beats.push(Date.now() - started) } as unknown as Context
  const execute = heartbeatWhileRunning(ctx).inbound!.execute!
  const done = execute({ args: [], headers: {} }, () => new Promise((resolve) => setTimeout(() => resolve('result'), workMs)))
  return { beats, done }
}

describe('heartbeatWhileRunning', () => {
  it('beats every third of the heartbeat timeout while the activity runs, and stops when it ends', async () => {
    const { beats, done } = run({ heartbeatTimeoutMs: 600, activityType: 'finalizeInvoice' }, 1_050)
    expect(await done).toBe('result')
    expect(beats.length).toBeGreaterThanOrEqual(4) // at ~200, 400, 600, 800, 1000 ms
    const after = beats.length
    await new Promise((resolve) => setTimeout(resolve, 450))
    expect(beats.length).toBe(after)
  })

  it('does not beat without a heartbeat timeout, nor for activities that report their own progress', async () => {
    const none = run({ activityType: 'loadInvoiceSettings' }, 300)
    const own = run({ heartbeatTimeoutMs: 300, activityType: 'startBillingRunInvoice' }, 300)
    await Promise.all([none.done, own.done])
    expect(none.beats).toEqual([])
    expect(own.beats).toEqual([])
  })
})
