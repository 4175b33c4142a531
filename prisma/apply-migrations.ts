import { createHash, randomUUID } from 'node:crypto'
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import pg from 'pg'

/**
 * Applies prisma/migrations offline, keeping the same `_prisma_migrations` bookkeeping as
 * `prisma migrate deploy` (whose schema engine cannot be downloaded on these machines), so
 * that `prisma migrate deploy` accepts the database later. Each migration runs in its own
 * transaction under Prisma's advisory lock; applied ones are skipped, so running it twice is
 * a no-op.
 */

// The lock id `prisma migrate` takes, so the two never run at once on one database.
const PRISMA_ADVISORY_LOCK = 72707369

const BOOKKEEPING_DDL = `
CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`

export interface MigrationResult {
  applied: string[]
  skipped: string[]
}

interface AppliedRow {
  migration_name: string
  checksum: string
  finished_at: Date | null
  rolled_back_at: Date | null
}

/** Applies every migration in `dir` not yet recorded as finished in the database at `url`. */
export async function applyMigrations(options: { url: string; dir: string; log?: (line: string) => void }): Promise<MigrationResult> {
  const log = options.log ?? (() => {})
  const migrations = await listMigrations(options.dir)
  const client = new pg.Client({ connectionString: options.url })
  await client.connect()
  try {
    await client.query('SELECT pg_advisory_lock($1)', [PRISMA_ADVISORY_LOCK])
    await client.query(BOOKKEEPING_DDL)
    const { rows } = await client.query<AppliedRow>(
      'SELECT migration_name, checksum, finished_at, rolled_back_at FROM "_prisma_migrations"',
    )
    const result: MigrationResult = { applied: [], skipped: [] }
    for (const migration of migrations) {
      const records = rows.filter((r) => r.migration_name === migration.name && r.rolled_back_at === null)
      const done = records.find((r) => r.finished_at !== null)
      if (done) {
        if (done.checksum !== migration.checksum) {
          log(`warning: ${migration.name} was changed after it was applied (checksum differs)`)
        }
        result.skipped.push(migration.name)
        continue
      }
      if (records.length > 0) {
        throw new Error(
          `migration ${migration.name} started earlier and did not finish: fix the database, then mark it rolled back in _prisma_migrations`,
        )
      }
      await applyOne(client, migration)
      log(`applied ${migration.name}`)
      result.applied.push(migration.name)
    }
    return result
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [PRISMA_ADVISORY_LOCK]).catch(() => {})
    await client.end()
  }
}

interface Migration {
  name: string
  sql: string
  checksum: string
}

async function listMigrations(dir: string): Promise<Migration[]> {
  const entries = await readdir(dir, { withFileTypes: true })
  const names = entries.filter((e) => e.isDirectory()).map((e) => e.name).sort()
  return Promise.all(
    names.map(async (name) => {
      const sql = await readFile(join(dir, name, 'migration.sql'), 'utf8')
      return { name, sql, checksum: createHash('sha256').update(sql).digest('hex') }
    }),
  )
}

async function applyOne(client: pg.Client, migration: Migration): Promise<void> {
  const id = randomUUID()
  await client.query('BEGIN')
  try {
    await client.query(
      'INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, applied_steps_count) VALUES ($1, $2, $3, now(), 0)',
      [id, migration.checksum, migration.name],
    )
    await client.query(migration.sql)
    await client.query('UPDATE "_prisma_migrations" SET finished_at = now(), applied_steps_count = 1 WHERE id = $1', [id])
    await client.query('COMMIT')
  } catch (err) {
    await client.query('ROLLBACK')
    throw new Error(`migration ${migration.name} failed and was rolled back: ${(err as Error).message}`, { cause: err })
  }
}
