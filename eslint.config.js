import tseslint from 'typescript-eslint'

// Node built-ins and I/O libraries a workflow must never import: workflow code runs in
// Temporal's deterministic sandbox and reaches the world only through activities.
const workflowForbidden = {
  patterns: [
    { group: ['node:*'], message: 'Workflows cannot use Node built-ins; use an activity.' },
    {
      group: ['pg', '@prisma/*', '../generated/*', '@clickhouse/*', 'chdb', 'chdb/*', 'nodemailer', '@aws-sdk/*', 'hono', 'hono/*', '@hono/*', 'nunjucks', 'undici'],
      message: 'Workflows do no I/O; call an activity instead.',
    },
    { group: ['../activities/*', '../clients/*', '../lib/database*', '../lib/logger*'], allowTypeImports: true, message: 'Import only activity types into workflows.' },
  ],
  paths: ['fs', 'path', 'os', 'crypto', 'http', 'https', 'net', 'child_process', 'stream', 'url', 'util', 'events', 'process', 'worker_threads'].map((name) => ({
    name,
    message: 'Workflows cannot use Node built-ins; use an activity.',
  })),
}

export default tseslint.config(
  { ignores: ['node_modules/**', 'generated/**', '.local/**', 'dist/**', 'coverage/**'] },
  {
    files: ['**/*.ts'],
    extends: [tseslint.configs.recommended],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['workflows/**/*.ts'],
    ignores: ['workflows/**/*.test.ts'],
    rules: { '@typescript-eslint/no-restricted-imports': ['error', workflowForbidden] },
  },
)
