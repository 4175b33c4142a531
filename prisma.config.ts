import { defineConfig } from 'prisma/config'

// The CLI is used offline only (generate, diff); migrations are applied by prisma/migrate.ts.
export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL ?? 'postgresql://localhost:5432/unused' },
})
