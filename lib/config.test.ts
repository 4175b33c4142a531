import { describe, expect, it } from 'vitest'
import { ConfigError, loadConfig } from './config.js'
import { DEFAULT_DATABASE_POOL } from './database.js'

const valid = {
  DATABASE_URL: 'postgresql://invoicing:secret@127.0.0.1:55432/invoicing',
  TEMPORAL_ADDRESS: '127.0.0.1:7233',
}

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env)
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError)
    return (err as ConfigError).problems
  }
  throw new Error('expected loadConfig to fail')
}

describe('loadConfig', () => {
  it('parses a minimal environment with defaults', () => {
    const config = loadConfig(valid)
    expect(config.database.url).toBe(valid.DATABASE_URL)
    expect(config.temporal).toMatchObject({ address: '127.0.0.1:7233', namespace: 'default', taskQueue: 'invoicing' })
    expect(config.clickhouse).toMatchObject({ url: undefined, path: '.local/clickhouse', timeoutMs: 15_000 })
    expect(config.companyTimeZone).toBe('Asia/Tashkent')
    expect(config.log.format).toBe('pretty')
  })

  /** What a production start needs besides `valid`: none of the development defaults. */
  const production = {
    ...valid,
    NODE_ENV: 'production',
    API_TOKENS: `${'a'.repeat(40)}=Alice:accountant,${'b'.repeat(32)}=bob:approver`,
    PLANFACT_URL: 'https://api.planfact.io',
    PLANFACT_API_KEY: 'pf-live-key',
    DIDOX_URL: 'https://api-partners.didox.uz',
    DIDOX_PARTNER_TOKEN: 'partner-live',
    DIDOX_TAX_ID: '301234567',
    DIDOX_PASSWORD: 'live-password',
    S3_ENDPOINT: 'https://account.r2.cloudflarestorage.com',
    S3_ACCESS_KEY_ID: 'live-access',
    S3_SECRET_ACCESS_KEY: 'live-secret',
    SMTP_HOST: 'smtp.example.com',
  }

  it('defaults to JSON logs in production', () => {
    expect(loadConfig(production).log.format).toBe('json')
  })

  it('refuses to run in production with the development defaults, naming each', () => {
    const problems = problemsOf({ ...valid, DATABASE_URL: 'postgresql://invoicing:invoicing-local@db:5432/invoicing', NODE_ENV: 'production', API_TOKENS: 'dev-admin=ada:admin,short=bob:approver' })
    const names = problems.map((p) => p.split(':')[0])
    expect(names).toEqual(
      expect.arrayContaining(['PLANFACT_API_KEY', 'PLANFACT_URL', 'DIDOX_URL', 'DIDOX_PARTNER_TOKEN', 'DIDOX_TAX_ID', 'DIDOX_PASSWORD', 'S3_ENDPOINT', 'S3_ACCESS_KEY_ID', 'S3_SECRET_ACCESS_KEY', 'SMTP_HOST', 'DATABASE_URL']),
    )
    expect(problems).toContain('API_TOKENS: entry 1 (user ada) is a development token published in the repository')
    expect(problems).toContain('API_TOKENS: entry 2 (user bob) has a token of 5 characters; production tokens have at least 32 (e.g. openssl rand -hex 24)')
    // Secrets are named, never echoed.
    expect(problems.join('\n')).not.toContain('local-didox-password')
    expect(problemsOf({ ...production, API_TOKENS: '' })).toEqual([expect.stringMatching(/^API_TOKENS: is empty; every request would be refused/)])
    // The worker serves no requests: it needs no tokens.
    expect(loadConfig({ ...production, API_TOKENS: '' }, { needsApiTokens: false }).env).toBe('production')
    // Development is unchanged.
    expect(loadConfig({ ...valid, API_TOKENS: 'dev-admin=ada:admin' }).env).toBe('development')
  })

  it('refuses the chaos suite\'s fault injection in production, and allows it in development', () => {
    expect(problemsOf({ ...production, CHAOS_KILL_BOUNDARIES: 'syncPlanFact' })).toEqual([expect.stringMatching(/^CHAOS_KILL_BOUNDARIES: makes the worker kill itself/)])
    expect(loadConfig({ ...valid, CHAOS_KILL_BOUNDARIES: 'syncPlanFact' }).env).toBe('development')
  })

  it('treats an empty CLICKHOUSE_URL as unset and accepts a real one', () => {
    expect(loadConfig({ ...valid, CLICKHOUSE_URL: '' }).clickhouse.url).toBeUndefined()
    expect(loadConfig({ ...valid, CLICKHOUSE_URL: 'http://127.0.0.1:8123' }).clickhouse.url).toBe('http://127.0.0.1:8123')
  })

  it('sizes the PostgreSQL pool from DATABASE_POOL_*, by default as before', () => {
    expect(loadConfig(valid).database.pool).toEqual(DEFAULT_DATABASE_POOL)
    expect(DEFAULT_DATABASE_POOL).toEqual({ max: 10, idleTimeoutMs: 10_000, connectionTimeoutMs: 5_000 })
    const pool = loadConfig({ ...valid, DATABASE_POOL_MAX: '4', DATABASE_POOL_IDLE_MS: '0', DATABASE_CONNECT_TIMEOUT_MS: '2000' }).database.pool
    expect(pool).toEqual({ max: 4, idleTimeoutMs: 0, connectionTimeoutMs: 2_000 })
    // Empty means unset, as everywhere in .env.
    expect(loadConfig({ ...valid, DATABASE_POOL_MAX: '' }).database.pool.max).toBe(10)
  })

  it('names a bad pool setting with the value it got', () => {
    const byName = (env: Record<string, string>) => Object.fromEntries(problemsOf({ ...valid, ...env }).map((p) => [p.split(':')[0], p]))
    expect(byName({ DATABASE_POOL_MAX: '0', DATABASE_POOL_IDLE_MS: '-1', DATABASE_CONNECT_TIMEOUT_MS: '0' })).toEqual({
      DATABASE_POOL_MAX: 'DATABASE_POOL_MAX: must be at least 1 (got "0")',
      DATABASE_POOL_IDLE_MS: 'DATABASE_POOL_IDLE_MS: must be 0 or more (got "-1")',
      DATABASE_CONNECT_TIMEOUT_MS: 'DATABASE_CONNECT_TIMEOUT_MS: must be more than 0 (got "0")',
    })
    expect(byName({ DATABASE_POOL_MAX: '2.5' }).DATABASE_POOL_MAX).toBe('DATABASE_POOL_MAX: must be a whole number (got "2.5")')
    expect(byName({ DATABASE_POOL_MAX: 'ten' }).DATABASE_POOL_MAX).toBe('DATABASE_POOL_MAX: must be a whole number (got "ten")')
  })

  it('names a missing variable', () => {
    const problems = problemsOf({ TEMPORAL_ADDRESS: '127.0.0.1:7233' })
    expect(problems).toHaveLength(1)
    expect(problems[0]).toMatch(/^DATABASE_URL: is required .*\(missing\)$/)
  })

  it('names every malformed variable with the value it got', () => {
    const problems = problemsOf({
      DATABASE_URL: 'mysql://x',
      TEMPORAL_ADDRESS: 'localhost',
      COMPANY_TIME_ZONE: 'Mars/Olympus',
      API_PORT: '70000',
      CLICKHOUSE_URL: 'not a url',
    })
    const byName = Object.fromEntries(problems.map((p) => [p.split(':')[0], p]))
    expect(Object.keys(byName).sort()).toEqual(['API_PORT', 'CLICKHOUSE_URL', 'COMPANY_TIME_ZONE', 'DATABASE_URL', 'TEMPORAL_ADDRESS'])
    expect(byName.DATABASE_URL).toContain('must be a postgresql:// URL (got "mysql://x")')
    expect(byName.TEMPORAL_ADDRESS).toContain('must be host:port (got "localhost")')
    expect(byName.COMPANY_TIME_ZONE).toContain('IANA time zone')
  })

  it('never echoes a password in the message', () => {
    const problems = problemsOf({ ...valid, TEMPORAL_ADDRESS: 'x', CLICKHOUSE_PASSWORD: 'hunter2', API_PORT: 'abc' })
    expect(problems.join('\n')).not.toContain('hunter2')
  })
})
