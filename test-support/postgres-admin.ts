import pg from 'pg'

/**
 * The database-level chores of the per-file test clones and the benches' own databases: connect
 * to the maintenance database, clone a template, drop a clone.
 */

export async function withAdmin<T>(url: string, body: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    return await body(client)
  } finally {
    await client.end()
  }
}

/** Clones `template`; PostgreSQL refuses a template another CREATE DATABASE is reading (55006): wait. */
export async function cloneDatabase(client: pg.Client, name: string, template: string, attempts = 50): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await client.query(`CREATE DATABASE "${name}" TEMPLATE "${template}"`)
      return
    } catch (err) {
      if ((err as { code?: string }).code !== '55006' || attempt >= attempts) throw err
      await new Promise((resolve) => setTimeout(resolve, 100 + Math.random() * 200))
    }
  }
}

/**
 * Drops `name`, ending its connections. A background process PostgreSQL owns (autovacuum, 42501)
 * or a clone in progress (55006) cannot be ended by us: try again shortly, then give up (throws).
 */
export async function dropDatabase(client: pg.Client, name: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)
      return
    } catch (err) {
      const code = (err as { code?: string }).code
      if ((code !== '42501' && code !== '55006') || attempt >= 20) throw err
      await new Promise((resolve) => setTimeout(resolve, 250))
    }
  }
}

/** Whether the process that named a database is still running (else its database is left over). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}
