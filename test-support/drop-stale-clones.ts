import './env.js'
import { isAlive, withAdmin } from './postgres-admin.js'

/**
 * vitest globalSetup: drops the per-file clones of the test database (database-per-file.ts)
 * that a killed run left behind, those whose process is gone.
 */
export default async function dropStaleClones(): Promise<void> {
  const templateUrl = process.env.TEST_DATABASE_URL
  if (!templateUrl) return
  // Dropping a database is its owner's: the owner role, not the app's.
  const admin = new URL(process.env.TEST_DATABASE_OWNER_URL || templateUrl)
  const templateName = decodeURIComponent(admin.pathname.slice(1))
  admin.pathname = '/postgres'
  await withAdmin(admin.toString(), async (client) => {
    const { rows } = await client.query<{ datname: string }>('SELECT datname FROM pg_database WHERE starts_with(datname, $1)', [`${templateName}_clone_`])
    for (const { datname } of rows) {
      const pid = Number(/_clone_(\d+)_/.exec(datname)?.[1])
      if (Number.isInteger(pid) && isAlive(pid)) continue
      await client.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`)
    }
  })
}
