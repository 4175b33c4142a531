import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

/**
 * Tests read the same .env as the scripts (scripts/test.sh points DATABASE_URL at the test
 * database before vitest starts). Variables already set win.
 */
const envFile = fileURLToPath(new URL('../.env', import.meta.url))
if (existsSync(envFile)) process.loadEnvFile(envFile)

/** The database the tests may write to: TEST_DATABASE_URL, never the app's own. */
export function testDatabaseUrl(): string {
  const url = process.env.TEST_DATABASE_URL
  if (!url) throw new Error('TEST_DATABASE_URL is not set: run the tests through scripts/test.sh')
  return url
}

/**
 * The owner role's URL of the same database: it owns the tables and may create databases (the
 * per-file clones, the migration test's scratch database). Tests connect as the app's role
 * (TEST_DATABASE_URL) unless they test what only the owner may do.
 */
export function testDatabaseOwnerUrl(): string {
  return process.env.TEST_DATABASE_OWNER_URL || testDatabaseUrl()
}
