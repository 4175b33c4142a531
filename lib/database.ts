import { PrismaPg } from '@prisma/adapter-pg'
import { PrismaClient } from '../generated/prisma/client.js'

/** The seed's PostgreSQL timeout: a query that takes longer than this is cancelled. */
export const POSTGRES_QUERY_TIMEOUT_MS = 5_000

/** One Prisma client per process, over node-postgres, with the seed's 5 s statement timeout. */
export function createDatabase(url: string): PrismaClient {
  const adapter = new PrismaPg({
    connectionString: url,
    statement_timeout: POSTGRES_QUERY_TIMEOUT_MS,
    connectionTimeoutMillis: POSTGRES_QUERY_TIMEOUT_MS,
    max: 10,
  })
  return new PrismaClient({ adapter })
}

export type Database = PrismaClient
