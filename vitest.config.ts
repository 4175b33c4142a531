import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    // The Temporal SDK's native module and the embedded ClickHouse engine (one data directory
    // per process) both need a process per test file, not worker threads.
    pool: 'forks',
    include: ['**/*.test.ts'],
    exclude: ['node_modules/**', '.local/**'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
})
