import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    // The Temporal SDK's native module and the embedded ClickHouse engine (one data directory
    // per process) both need a process per test file, not worker threads.
    pool: 'forks',
    include: ['**/*.test.ts'],
    // A PostgreSQL database per test file, cloned from the migrated test database.
    setupFiles: ['test-support/database-per-file.ts'],
    globalSetup: ['test-support/drop-stale-clones.ts'],
    exclude: ['node_modules/**', '.local/**'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
})
