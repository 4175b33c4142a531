import { randomUUID } from 'node:crypto'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { testDatabaseOwnerUrl, testDatabaseUrl } from '../test-support/env.js'

describe('invoice_events is append-only in the database itself', () => {
  const client = new pg.Client({ connectionString: testDatabaseUrl() })
  const key = `test:${randomUUID()}`
  let id: string

  beforeAll(async () => {
    await client.connect()
    const { rows } = await client.query<{ id: string }>(
      `INSERT INTO invoice_events (workflow_id, workflow_run_id, type, actor, payload, idempotency_key)
       VALUES ('wf-test', 'run-test', 'test_event', 'tester', '{"n": 1}', $1) RETURNING id`,
      [key],
    )
    id = rows[0]!.id
  })
  afterAll(() => client.end())

  it('accepts an INSERT', async () => {
    const { rows } = await client.query('SELECT type, payload FROM invoice_events WHERE id = $1', [id])
    expect(rows).toEqual([{ type: 'test_event', payload: { n: 1 } }])
  })

  it.each([
    ['UPDATE', `UPDATE invoice_events SET actor = 'mallory' WHERE id = $1`],
    ['DELETE', `DELETE FROM invoice_events WHERE id = $1`],
  ])('refuses %s', async (op, sql) => {
    await expect(client.query(sql, [id])).rejects.toThrow(`invoice_events is append-only: ${op} refused`)
    const { rows } = await client.query('SELECT actor FROM invoice_events WHERE id = $1', [id])
    expect(rows).toEqual([{ actor: 'tester' }])
  })

  it('refuses TRUNCATE: the app\'s role may not, and the trigger stops the owner', async () => {
    await expect(client.query('TRUNCATE invoice_events')).rejects.toThrow('permission denied for table invoice_events')
    const owner = new pg.Client({ connectionString: testDatabaseOwnerUrl() })
    await owner.connect()
    try {
      await expect(owner.query('TRUNCATE invoice_events')).rejects.toThrow('invoice_events is append-only: TRUNCATE refused')
    } finally {
      await owner.end()
    }
    const { rows } = await client.query('SELECT count(*)::int AS n FROM invoice_events WHERE id = $1', [id])
    expect(rows[0].n).toBe(1)
  })

  it('refuses a second event with the same idempotency key', async () => {
    await expect(
      client.query(
        `INSERT INTO invoice_events (workflow_id, workflow_run_id, type, actor, idempotency_key) VALUES ('wf-test', 'run-test', 'dup', 'tester', $1)`,
        [key],
      ),
    ).rejects.toThrow(/duplicate key/)
  })
})
