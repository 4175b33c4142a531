import { randomUUID } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, describe, expect, it } from 'vitest'
import { createDatabase } from '../lib/database.js'
import { testDatabaseUrl } from '../test-support/env.js'
import { AdvisoryLockBusyError, advisoryLockKey, withAdvisoryLock } from './with-advisory-lock.js'

const db = createDatabase(testDatabaseUrl())
afterAll(() => db.$disconnect())

/** Runs bodies that record when they start and end, to see whether any two overlapped. */
function recorder() {
  let running = 0
  let maxRunning = 0
  return {
    body: async () => {
      running += 1
      maxRunning = Math.max(maxRunning, running)
      await sleep(40)
      running -= 1
    },
    maxRunning: () => maxRunning,
  }
}

describe('withAdvisoryLock', () => {
  it('runs bodies with the same name one at a time', async () => {
    const name = `test:${randomUUID()}`
    const r = recorder()
    await Promise.all(Array.from({ length: 6 }, () => withAdvisoryLock(db, { name }, r.body)))
    expect(r.maxRunning()).toBe(1)
  })

  it('lets bodies with different names run together', async () => {
    const r = recorder()
    await Promise.all(Array.from({ length: 4 }, () => withAdvisoryLock(db, { name: `test:${randomUUID()}` }, r.body)))
    expect(r.maxRunning()).toBeGreaterThan(1)
  })

  it('gives up with a retryable error when the lock stays taken', async () => {
    const name = `test:${randomUUID()}`
    const holder = withAdvisoryLock(db, { name }, () => sleep(600))
    await sleep(100)
    const error = await withAdvisoryLock(db, { name, waitMs: 200 }, async () => 'never').then(
      () => null,
      (e: unknown) => e,
    )
    expect(error).toBeInstanceOf(AdvisoryLockBusyError)
    await holder
  })

  it('releases the lock when the body throws, and passes the error on', async () => {
    const name = `test:${randomUUID()}`
    await expect(withAdvisoryLock(db, { name }, () => Promise.reject(new Error('boom')))).rejects.toThrow('boom')
    expect(await withAdvisoryLock(db, { name, waitMs: 200 }, async () => 'next')).toBe('next')
  })

  it('derives the same 64-bit key from the same name', () => {
    expect(advisoryLockKey('planfact:abc')).toBe(advisoryLockKey('planfact:abc'))
    expect(advisoryLockKey('planfact:abc')).not.toBe(advisoryLockKey('planfact:abd'))
  })
})
