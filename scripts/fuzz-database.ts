import { randomBytes } from 'node:crypto'
import { cloneDatabase, dropDatabase, withAdmin } from '../test-support/postgres-admin.js'

/**
 * The fuzzer's own PostgreSQL database, cloned from the migrated test database the way each test
 * file gets one (test-support/database-per-file.ts), so that what the fuzzer writes as admin
 * (settings, active category rules) never reaches other tests, and its open connections never
 * keep test files from cloning the template.
 *
 *   npx tsx scripts/fuzz-database.ts create <name>   # prints the clone's URL for the app's role
 *   npx tsx scripts/fuzz-database.ts drop <name>
 */
async function run(): Promise<void> {
  const [command, name] = process.argv.slice(2)
  const appUrl = process.env.TEST_DATABASE_URL
  // Cloning and dropping take the owner's role; the processes connect with the app's.
  const templateUrl = process.env.TEST_DATABASE_OWNER_URL || appUrl
  if (!appUrl || !templateUrl) throw new Error('TEST_DATABASE_URL is not set')
  if (!name || !/^[a-z0-9_]{1,63}$/.test(name) || (command !== 'create' && command !== 'drop')) {
    console.error('usage: npx tsx scripts/fuzz-database.ts create|drop <name: lower-case letters, digits, _>')
    process.exit(2)
  }
  const admin = new URL(templateUrl)
  const template = decodeURIComponent(admin.pathname.slice(1))
  admin.pathname = '/postgres'
  const clone = new URL(templateUrl)
  clone.pathname = `/${name}`
  const cloneForApp = new URL(appUrl)
  cloneForApp.pathname = `/${name}`

  if (command === 'drop') {
    await withAdmin(admin.toString(), (client) => dropDatabase(client, name))
    return
  }
  await withAdmin(admin.toString(), async (client) => {
    await dropDatabase(client, name)
    await cloneDatabase(client, name, template)
  })
  // Numbers restart in a clone; a prefix of its own keeps its PDFs apart in the shared test bucket.
  await withAdmin(clone.toString(), (client) =>
    client.query(`UPDATE "settings" SET "value" = to_jsonb($1::text) WHERE "key" = 'invoiceNumberPrefix'`, [`F${randomBytes(4).toString('hex').toUpperCase()}-`]),
  )
  console.log(cloneForApp.toString())
}

run().catch((err) => {
  console.error(err)
  process.exit(1)
})
