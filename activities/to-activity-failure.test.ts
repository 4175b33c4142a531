import { ApplicationFailure } from '@temporalio/common'
import { afterAll, describe, expect, it } from 'vitest'
import { appendEvent } from '../db/append-event.js'
import { createDatabase } from '../lib/database.js'
import { testDatabaseUrl } from '../test-support/env.js'
import { failPermanentErrors } from './to-activity-failure.js'

/** What the real PostgreSQL refuses, as activities see it: not retried, with the reason. */
describe('failPermanentErrors on PostgreSQL data errors', () => {
  const db = createDatabase(testDatabaseUrl())
  afterAll(() => db.$disconnect())

  const event = (payload: object, actor = 'test') => ({ workflowId: 'probe', workflowRunId: 'probe', type: 'probe', actor, payload, idempotencyKey: `probe:${Math.random()}` })

  it.each<[string, () => Promise<unknown>, string]>([
    ['a NUL in jsonb', () => appendEvent(db, event({ reason: 'a\u0000b' })), '22P05'],
    ['a NUL in text', () => appendEvent(db, event({}, 'a\u0000b')), '22021'],
    ['a number too large for its column', async () => db.rateRule.create({ data: { rate: '1e30', currency: 'USD', validFrom: new Date() } }), '22003'],
    ['a value too long for its column', async () => db.rateRule.create({ data: { rate: '1', currency: 'USDX', validFrom: new Date() } }), '22001'],
  ])('%s fails at once as DatabaseDataError (SQLSTATE %s)', async (_what, write, state) => {
    const failure = await failPermanentErrors(write).catch((err: unknown) => err)
    expect(failure).toBeInstanceOf(ApplicationFailure)
    expect(failure).toMatchObject({ type: 'DatabaseDataError', nonRetryable: true, message: expect.stringContaining(`SQLSTATE ${state}`) })
  })

  it('leaves other errors to Temporal to retry', async () => {
    const failure = await failPermanentErrors(async () => {
      throw new Error('connection reset')
    }).catch((err: unknown) => err)
    expect(failure).not.toBeInstanceOf(ApplicationFailure)
  })
})
