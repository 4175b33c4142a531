import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createClickHouse, type ClickHouseClient } from '../clients/clickhouse.js'

export interface TestClickHouse {
  client: ClickHouseClient
  dir: string
  /** Closes the client and deletes the directory. */
  dispose(): Promise<void>
}

/**
 * An embedded ClickHouse in a fresh directory under the OS temp dir, for one test file (the
 * engine binds one directory per process, and vitest runs each file in its own process).
 */
export function createTestClickHouse(name: string, timeoutMs = 60_000): TestClickHouse {
  const dir = mkdtempSync(join(tmpdir(), `invoicing-${name}-`))
  const client = createClickHouse({ url: undefined, path: dir, username: 'default', password: '', timeoutMs })
  return {
    client,
    dir,
    async dispose() {
      await client.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
