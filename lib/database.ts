import { PrismaPg } from '@prisma/adapter-pg'
import { PrismaClient } from '../generated/prisma/client.js'

/** The seed's PostgreSQL timeout: a query that takes longer than this is cancelled. */
export const POSTGRES_QUERY_TIMEOUT_MS = 5_000

/** The pool of one process; docs/deploy.md sizes it against the server's max_connections. */
export interface DatabasePool {
  max: number
  /** How long an idle connection stays open; 0 = until the process ends. */
  idleTimeoutMs: number
  /** How long to wait for a connection to open. */
  connectionTimeoutMs: number
}

/** The pool before it was configurable, and DATABASE_POOL_*'s defaults (node-postgres' idle timeout). */
export const DEFAULT_DATABASE_POOL: DatabasePool = { max: 10, idleTimeoutMs: 10_000, connectionTimeoutMs: POSTGRES_QUERY_TIMEOUT_MS }

/** One Prisma client per process, over node-postgres, with the seed's 5 s statement timeout. */
export function createDatabase(url: string, pool: DatabasePool = DEFAULT_DATABASE_POOL): PrismaClient {
  const adapter = new PrismaPg({
    connectionString: url,
    statement_timeout: POSTGRES_QUERY_TIMEOUT_MS,
    connectionTimeoutMillis: pool.connectionTimeoutMs,
    idleTimeoutMillis: pool.idleTimeoutMs,
    max: pool.max,
  })
  return new PrismaClient({ adapter })
}

export type Database = PrismaClient
