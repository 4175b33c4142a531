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
