import { randomBytes } from 'node:crypto'
import { afterAll } from 'vitest'
import './env.js'
import { cloneDatabase, dropDatabase, withAdmin } from './postgres-admin.js'

/**
 * Every test file gets a PostgreSQL database of its own, cloned from the migrated test database
 * (TEST_DATABASE_URL, the template) and dropped afterwards. The billed-work ledger lets a worklog
 * be billed once per database, and test files generate the same worklog ids: sharing one
 * database, files (and earlier runs) would bill each other's work. scripts/test.sh drops clones
 * a killed run left behind.
 *
 * The owner role (TEST_DATABASE_OWNER_URL) clones and drops; the tests connect as the app's role
 * (TEST_DATABASE_URL), which owns nothing: a clone keeps the template's grants and default
 * privileges, so the whole suite runs with the protections production has.
 */
const templateUrl = process.env.TEST_DATABASE_URL
if (templateUrl) {
  const ownerUrl = process.env.TEST_DATABASE_OWNER_URL || templateUrl
  const templateName = decodeURIComponent(new URL(templateUrl).pathname.slice(1))
  const cloneName = `${templateName}_clone_${process.pid}_${randomBytes(4).toString('hex')}`
  const admin = inDatabase(ownerUrl, 'postgres')
  // Two files cloning at once wait for each other.
  await withAdmin(admin, (client) => cloneDatabase(client, cloneName, templateName))
  // Numbers restart in every clone, but the test bucket keeps objects keyed by number from every
  // file and run: a prefix of its own keeps them apart (R2 refuses to overwrite another PDF).
  await withAdmin(inDatabase(ownerUrl, cloneName), (client) =>
    client.query(`UPDATE "settings" SET "value" = to_jsonb($1::text) WHERE "key" = 'invoiceNumberPrefix'`, [`T${randomBytes(4).toString('hex').toUpperCase()}-`]),
  )
  process.env.TEST_DATABASE_URL = inDatabase(templateUrl, cloneName)
  process.env.DATABASE_URL = inDatabase(templateUrl, cloneName)
  process.env.TEST_DATABASE_OWNER_URL = inDatabase(ownerUrl, cloneName)
  process.env.DATABASE_OWNER_URL = inDatabase(ownerUrl, cloneName)
  afterAll(() => withAdmin(admin, (client) => dropClone(client, cloneName)))
}

function inDatabase(url: string, name: string): string {
  const u = new URL(url)
  u.pathname = `/${name}`
  return u.toString()
}

/**
 * Drops the clone; one still there (autovacuum would not let go) is dropped by the next run's
 * globalSetup (test-support/drop-stale-clones.ts), so cleanup never fails a file.
 */
async function dropClone(client: Parameters<typeof dropDatabase>[0], name: string): Promise<void> {
  await dropDatabase(client, name).catch((err: Error) => console.warn(`test database ${name} not dropped (${err.message}); the next run drops it`))
}
