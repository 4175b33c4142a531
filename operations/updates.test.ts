import { describe, expect, it } from 'vitest'
import { isInterruptedUpdate, retryInterruptedUpdate } from './updates.js'

/** What the client throws when Temporal drops an Update for a failed workflow task (a worker killed mid-task). */
const failedTask = Object.assign(new Error('9 FAILED_PRECONDITION: Unable to perform workflow execution update due to Workflow Task in failed state.'), { code: 9 })

describe('Updates dropped for a failed workflow task', () => {
  it('are recognised by both of Temporal\'s messages, and nothing else is', () => {
    expect(isInterruptedUpdate(failedTask)).toBe(true)
    expect(isInterruptedUpdate({ cause: { details: 'unexpected workflow task failure' } })).toBe(true)
    expect(isInterruptedUpdate(new Error('5 NOT_FOUND: workflow not found'))).toBe(false)
    expect(isInterruptedUpdate(undefined)).toBe(false)
  })

  it('are sent again until the next task takes them; other failures are thrown at once', async () => {
    let calls = 0
    const outcome = await retryInterruptedUpdate(async () => {
      calls += 1
      if (calls < 3) throw failedTask
      return 'accepted'
    })
    expect({ outcome, calls }).toEqual({ outcome: 'accepted', calls: 3 })

    let others = 0
    await expect(
      retryInterruptedUpdate(async () => {
        others += 1
        throw new Error('5 NOT_FOUND: workflow not found')
      }),
    ).rejects.toThrow(/NOT_FOUND/)
    expect(others).toBe(1)
  })

  it('give up after the attempts (about 4 s) with the last error, for the API to answer 503', async () => {
    let calls = 0
    const started = Date.now()
    await expect(
      retryInterruptedUpdate(async () => {
        calls += 1
        throw failedTask
      }, 3),
    ).rejects.toThrow(/failed state/)
    expect(calls).toBe(3)
    expect(Date.now() - started).toBeGreaterThanOrEqual(300) // 100 + 200 ms of back-off
  })
})
