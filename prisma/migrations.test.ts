import { randomBytes } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { testDatabaseOwnerUrl } from '../test-support/env.js'
import { applyMigrations } from './apply-migrations.js'

const migrationsDir = fileURLToPath(new URL('./migrations', import.meta.url))

// A throw-away database per run, so "from empty" really is empty; made and migrated by the owner
// role, as scripts/migrate.sh does (the app's role may not create databases or tables).
const scratchName = `invoicing_scratch_${randomBytes(4).toString('hex')}`
const adminUrl = testDatabaseOwnerUrl()
const scratchUrl = withDatabase(adminUrl, scratchName)

function withDatabase(url: string, name: string): string {
  const u = new URL(url)
  u.pathname = `/${name}`
  return u.toString()
}

async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    return await fn(client)
  } finally {
    await client.end()
  }
}

describe('migrations', () => {
  beforeAll(() => withClient(adminUrl, (c) => c.query(`CREATE DATABASE "${scratchName}"`)))
  afterAll(() => withClient(adminUrl, (c) => c.query(`DROP DATABASE IF EXISTS "${scratchName}" WITH (FORCE)`)))

  it('apply from empty, and applying again is a no-op', async () => {
    const first = await applyMigrations({ url: scratchUrl, dir: migrationsDir })
    expect(first.applied.length).toBeGreaterThan(0)
    expect(first.skipped).toEqual([])

    const schemaBefore = await describeSchema(scratchUrl)
    const second = await applyMigrations({ url: scratchUrl, dir: migrationsDir })
    expect(second.applied).toEqual([])
    expect(second.skipped).toEqual(first.applied)
    expect(await describeSchema(scratchUrl)).toEqual(schemaBefore)

    // The same bookkeeping `prisma migrate deploy` keeps: one finished row per migration.
    const rows = await withClient(scratchUrl, (c) =>
      c.query('SELECT migration_name, finished_at, applied_steps_count, length(checksum) AS len FROM _prisma_migrations ORDER BY migration_name'),
    )
    expect(rows.rows.map((r) => r.migration_name)).toEqual(first.applied)
    for (const row of rows.rows) {
      expect(row.finished_at).not.toBeNull()
      expect(row.applied_steps_count).toBe(1)
      expect(row.len).toBe(64)
    }
  })

  it('seeds the default settings and category rules once', async () => {
    const settings = await withClient(scratchUrl, (c) => c.query<{ key: string; value: unknown }>('SELECT key, value FROM settings'))
    const byKey = Object.fromEntries(settings.rows.map((r) => [r.key, r.value]))
    expect(byKey).toMatchObject({ minBillableMinutes: 15, roundingIncrementMinutes: 15, makerChecker: true, invoiceNumberPrefix: 'INV-' })
    const rules = await withClient(scratchUrl, (c) => c.query('SELECT count(*)::int AS n FROM category_rules'))
    expect(rules.rows[0].n).toBe(5)
  })
})

async function describeSchema(url: string): Promise<string[]> {
  return withClient(url, async (c) => {
    const { rows } = await c.query<{ d: string }>(`
      SELECT table_name || '.' || column_name || ':' || data_type AS d FROM information_schema.columns WHERE table_schema = 'public'
      UNION ALL SELECT 'trigger:' || trigger_name || ':' || event_manipulation FROM information_schema.triggers
      UNION ALL SELECT 'rows:settings:' || count(*) FROM settings
      ORDER BY 1`)
    return rows.map((r) => r.d)
  })
}
