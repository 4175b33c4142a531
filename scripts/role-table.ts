import { readFileSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { createApp } from '../api/app.js'
import { ROLE_TABLE_END, ROLE_TABLE_START, roleTable, tableIn } from '../api/role-table.js'
import { loadConfig } from '../lib/config.js'

/**
 * Prints the table of who may call each route (from the routes' declared roles); with --write,
 * puts it into docs/api.md between its markers. No service is needed: the app is only built.
 *   npx tsx scripts/role-table.ts [--write]
 */
const config = loadConfig({ DATABASE_URL: 'postgresql://unused', TEMPORAL_ADDRESS: 'unused:0' })
const app = createApp({ config, db: {} as never, temporal: {} as never, taskQueue: 'unused', checks: {} })
const table = roleTable(app.getOpenAPI31Document({ openapi: '3.1.0', info: { title: 'roles', version: '1' } }) as never)
if (!process.argv.includes('--write')) {
  console.log(table)
} else {
  const file = fileURLToPath(new URL('../docs/api.md', import.meta.url))
  const text = readFileSync(file, 'utf8')
  if (tableIn(text) === null) throw new Error(`docs/api.md has no ${ROLE_TABLE_START} … ${ROLE_TABLE_END} block`)
  const start = text.indexOf(ROLE_TABLE_START)
  const end = text.indexOf(ROLE_TABLE_END)
  writeFileSync(file, `${text.slice(0, start)}${ROLE_TABLE_START}\n${table}\n${text.slice(end)}`)
  console.log(`docs/api.md: ${table.split('\n').length - 2} routes`)
}
