import { fileURLToPath } from 'node:url'
import pg from 'pg'
import { applyMigrations } from './apply-migrations.js'
import { appRoleProblem, grantAppRole } from './grant-app-role.js'

/**
 * `npm run migrate`: applies prisma/migrations as the owner role (DATABASE_OWNER_URL), then grants
 * the app's role (the user of DATABASE_URL) what it needs (prisma/grant-app-role.ts). Without
 * DATABASE_OWNER_URL, DATABASE_URL is taken as the owner's (a set-up from before the app role).
 */
async function run(): Promise<void> {
  const appUrl = process.env.DATABASE_URL
  const ownerUrl = process.env.DATABASE_OWNER_URL || appUrl
  if (!ownerUrl) throw new Error('DATABASE_OWNER_URL (or DATABASE_URL): is required (postgresql://user:password@host:port/db)')
  const dir = fileURLToPath(new URL('./migrations', import.meta.url))
  const database = new URL(ownerUrl).pathname.slice(1)
  const log = (line: string) => console.error(`migrate ${database}: ${line}`)
  const result = await applyMigrations({ url: ownerUrl, dir, log })
  log(`${result.applied.length} applied, ${result.skipped.length} already applied`)
  if (!appUrl) return
  const appRole = decodeURIComponent(new URL(appUrl).username)
  const client = new pg.Client({ connectionString: ownerUrl })
  await client.connect()
  try {
    const problem = await appRoleProblem(client, appRole)
    if (problem?.startsWith('the app connects as the owner')) return log(`warning: ${problem}`)
    if (problem) throw new Error(`migrate ${database}: ${problem}`)
    await grantAppRole(client, appRole)
    log(`granted ${appRole} reads and writes of rows (it owns nothing)`)
  } finally {
    await client.end()
  }
}

run().catch((err) => {
  console.error(err)
  process.exit(1)
})
