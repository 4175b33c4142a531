import { fileURLToPath } from 'node:url'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { applyMigrations } from '../prisma/apply-migrations.js'
import { appRoleProblem, grantAppRole } from '../prisma/grant-app-role.js'
import { testDatabaseOwnerUrl, testDatabaseUrl } from '../test-support/env.js'

/**
 * The app connects as a role that owns nothing (DATABASE_URL); the owner role only migrates
 * (DATABASE_OWNER_URL). This file's database is a clone of the migrated test database, as every
 * test file's is: what holds here holds for the whole suite.
 */
describe('the app role owns nothing; the owner migrates', () => {
  const app = new pg.Client({ connectionString: testDatabaseUrl() })
  const owner = new pg.Client({ connectionString: testDatabaseOwnerUrl() })
  const appRole = decodeURIComponent(new URL(testDatabaseUrl()).username)

  beforeAll(async () => {
    await Promise.all([app.connect(), owner.connect()])
  })
  afterAll(async () => {
    await Promise.all([app.end(), owner.end()])
  })

  const refusal = (sql: string) => app.query(sql).then(() => null, (err: pg.DatabaseError) => ({ code: err.code, message: err.message }))

  it('is a role of its own, no superuser, unable to create databases or roles, owning nothing', async () => {
    const { rows } = await app.query<{ me: string; owner: string; rolsuper: boolean; rolcreatedb: boolean; rolcreaterole: boolean; owned: number }>(
      `SELECT current_user AS me, pg_get_userbyid(d.datdba) AS owner, r.rolsuper, r.rolcreatedb, r.rolcreaterole,
              (SELECT count(*)::int FROM pg_class c WHERE c.relowner = r.oid) AS owned
         FROM pg_roles r, pg_database d WHERE r.rolname = current_user AND d.datname = current_database()`,
    )
    expect(rows[0]).toEqual({ me: appRole, owner: expect.not.stringMatching(`^${appRole}$`), rolsuper: false, rolcreatedb: false, rolcreaterole: false, owned: 0 })
    expect(await appRoleProblem(owner, appRole)).toBeNull()
  })

  it.each([
    ['DROP TRIGGER on the events', 'DROP TRIGGER "invoice_events_no_update_delete" ON "invoice_events"', /must be owner of (table|relation) invoice_events/],
    ['ALTER TABLE ... DISABLE TRIGGER', 'ALTER TABLE "invoice_events" DISABLE TRIGGER ALL', /must be owner of (table|relation) invoice_events/],
    ['ALTER TABLE ... ADD COLUMN', 'ALTER TABLE "payments" ADD COLUMN "x" int', /must be owner of (table|relation) payments/],
    ['TRUNCATE the events', 'TRUNCATE "invoice_events"', /permission denied for table invoice_events/],
    ['TRUNCATE the ledger', 'TRUNCATE "billed_work"', /permission denied for table billed_work/],
    ['CREATE TABLE in the schema', 'CREATE TABLE "mallory" ("id" int)', /permission denied for schema public/],
    ['DROP TABLE', 'DROP TABLE "setting_changes"', /must be owner of (table|relation) setting_changes/],
    ['DROP FUNCTION of a trigger', 'DROP FUNCTION "invoice_events_refuse_change"() CASCADE', /must be owner of function invoice_events_refuse_change/],
    ['forging a record of a settings change', `INSERT INTO "setting_changes" ("key", "value_after", "changed_by") VALUES ('makerChecker', 'false', 'mallory')`, /permission denied for table setting_changes/],
    ['reading the migrations', 'SELECT * FROM "_prisma_migrations"', /permission denied for table _prisma_migrations/],
    ['SET session_replication_role (skips triggers)', "SET session_replication_role = 'replica'", /permission denied to set parameter "session_replication_role"/],
  ])('refuses %s to the app role', async (_what, sql, message) => {
    const err = await refusal(sql)
    expect(err?.code).toBe('42501')
    expect(err?.message).toMatch(message)
  })

  it('reads and writes rows and draws from sequences, including in tables a later migration creates (default privileges)', async () => {
    const { rows } = await app.query<{ n: number }>('SELECT count(*)::int AS n FROM "settings"')
    expect(rows[0]!.n).toBeGreaterThan(0)
    await owner.query('CREATE TABLE "later_migration_table" ("id" BIGSERIAL PRIMARY KEY, "note" TEXT)')
    try {
      await app.query(`INSERT INTO "later_migration_table" ("note") VALUES ('a'), ('b')`)
      await app.query(`UPDATE "later_migration_table" SET "note" = 'c' WHERE "id" = 1`)
      await app.query(`DELETE FROM "later_migration_table" WHERE "id" = 2`)
      expect((await app.query('SELECT "id"::int, "note" FROM "later_migration_table"')).rows).toEqual([{ id: 1, note: 'c' }])
      expect((await refusal('TRUNCATE "later_migration_table"'))?.code).toBe('42501')
    } finally {
      await owner.query('DROP TABLE "later_migration_table"')
    }
  })

  it('lets the owner apply the migrations (here: all applied already) and grant again, idempotently', async () => {
    const result = await applyMigrations({ url: testDatabaseOwnerUrl(), dir: fileURLToPath(new URL('../prisma/migrations', import.meta.url)) })
    expect(result.applied).toEqual([])
    expect(result.skipped.length).toBeGreaterThan(10)
    await grantAppRole(owner, appRole)
    expect(await appRoleProblem(owner, appRole)).toBeNull()
    expect((await app.query<{ n: number }>('SELECT count(*)::int AS n FROM "invoice_events"')).rows[0]!.n).toBeGreaterThanOrEqual(0)
  })

  it('refuses the app role the migrations themselves', async () => {
    const err = await applyMigrations({ url: testDatabaseUrl(), dir: fileURLToPath(new URL('../prisma/migrations', import.meta.url)) }).then(() => null, (e: Error) => e)
    expect(err?.message).toMatch(/permission denied/)
  })
})
