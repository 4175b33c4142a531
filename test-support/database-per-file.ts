import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { afterAll } from 'vitest'
import './env.js'

/**
 * Every test file gets a PostgreSQL database of its own, cloned from the migrated test database
 * (TEST_DATABASE_URL, the template) and dropped afterwards. The billed-work ledger lets a worklog
 * be billed once per database, and test files generate the same worklog ids: sharing one
 * database, files (and earlier runs) would bill each other's work. scripts/test.sh drops clones
 * a killed run left behind.
 */
const templateUrl = process.env.TEST_DATABASE_URL
if (templateUrl) {
  const template = new URL(templateUrl)
  const templateName = decodeURIComponent(template.pathname.slice(1))
  const cloneName = `${templateName}_clone_${process.pid}_${randomBytes(4).toString('hex')}`
  const admin = new URL(templateUrl)
  admin.pathname = '/postgres'
  await withAdmin(admin.toString(), async (client) => {
    // Two files cloning at once: PostgreSQL refuses a template another CREATE DATABASE is reading.
    for (let attempt = 0; ; attempt++) {
      try {
        await client.query(`CREATE DATABASE "${cloneName}" TEMPLATE "${templateName}"`)
        return
      } catch (err) {
        if ((err as { code?: string }).code !== '55006' || attempt >= 50) throw err
        await new Promise((resolve) => setTimeout(resolve, 100 + Math.random() * 200))
      }
    }
  })
  const clone = new URL(templateUrl)
  clone.pathname = `/${cloneName}`
  // Numbers restart in every clone, but the test bucket keeps objects keyed by number from every
  // file and run: a prefix of its own keeps them apart (R2 refuses to overwrite another PDF).
  await withAdmin(clone.toString(), (client) =>
    client.query(`UPDATE "settings" SET "value" = to_jsonb($1::text) WHERE "key" = 'invoiceNumberPrefix'`, [`T${randomBytes(4).toString('hex').toUpperCase()}-`]),
  )
  process.env.TEST_DATABASE_URL = clone.toString()
  process.env.DATABASE_URL = clone.toString()
  afterAll(() => withAdmin(admin.toString(), (client) => dropClone(client, cloneName)))
}

/**
 * Drops the clone, ending the file's leftover connections. A background process PostgreSQL owns
 * (autovacuum) cannot be ended by us (42501): try again shortly; a clone still there is dropped
 * by the next run's globalSetup (test-support/drop-stale-clones.ts), so cleanup never fails a file.
 */
async function dropClone(client: pg.Client, name: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)
      return
    } catch (err) {
      const code = (err as { code?: string }).code
      if ((code !== '42501' && code !== '55006') || attempt >= 20) {
        console.warn(`test database ${name} not dropped (${(err as Error).message}); the next run drops it`)
        return
      }
      await new Promise((resolve) => setTimeout(resolve, 250))
    }
  }
}

async function withAdmin<T>(url: string, body: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    return await body(client)
  } finally {
    await client.end()
  }
}
