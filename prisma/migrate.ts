import { fileURLToPath } from 'node:url'
import { applyMigrations } from './apply-migrations.js'

/** `npm run migrate`: applies prisma/migrations to DATABASE_URL. */
async function run(): Promise<void> {
  const url = process.env.DATABASE_URL
  if (!url) throw new Error('DATABASE_URL: is required (postgresql://user:password@host:port/db)')
  const dir = fileURLToPath(new URL('./migrations', import.meta.url))
  const database = new URL(url).pathname.slice(1)
  const result = await applyMigrations({ url, dir, log: (line) => console.error(`migrate ${database}: ${line}`) })
  console.error(`migrate ${database}: ${result.applied.length} applied, ${result.skipped.length} already applied`)
}

run().catch((err) => {
  console.error(err)
  process.exit(1)
})
