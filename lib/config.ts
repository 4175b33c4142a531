import { z } from 'zod'

/**
 * The one place where the environment is read. The worker, the API and the scripts call
 * `loadConfig()` at start-up; a missing or malformed variable stops them with a message that
 * names every offending variable.
 */

const port = z.coerce.number().int().min(1).max(65535)
const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1')

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  LOG_LEVEL: z.enum(['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR']).default('INFO'),
  /** json in production, pretty otherwise, unless set. */
  LOG_FORMAT: z.enum(['json', 'pretty']).optional(),

  DATABASE_URL: z
    .string({ error: 'is required (postgresql://user:password@host:port/db)' })
    .regex(/^postgres(ql)?:\/\//, 'must be a postgresql:// URL'),

  TEMPORAL_ADDRESS: z
    .string({ error: 'is required (host:port of the Temporal frontend)' })
    .regex(/^[^\s:]+:\d+$/, 'must be host:port'),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('invoicing'),
  TEMPORAL_UI_URL: z.url().default('http://127.0.0.1:8233'),

  /** A ClickHouse server over HTTP; when unset the embedded engine (chdb) at CLICKHOUSE_PATH is used. */
  CLICKHOUSE_URL: z.url().optional(),
  CLICKHOUSE_PATH: z.string().min(1).default('.local/clickhouse'),
  CLICKHOUSE_USER: z.string().default('default'),
  CLICKHOUSE_PASSWORD: z.string().default(''),
  CLICKHOUSE_TIMEOUT_MS: z.coerce.number().int().positive().default(15_000),

  GOTENBERG_URL: z.url().default('http://127.0.0.1:3001'),
  /** The seed's PDF generation timeout. */
  GOTENBERG_TIMEOUT_MS: z.coerce.number().int().positive().default(30_000),

  /** Company time zone: work dates and billing periods are days in this zone. */
  COMPANY_TIME_ZONE: z
    .string()
    .default('Asia/Tashkent')
    .refine(isTimeZone, 'must be an IANA time zone such as Asia/Tashkent'),

  API_PORT: port.default(3000),
  WORKER_SHUTDOWN_GRACE_MS: z.coerce.number().int().nonnegative().default(10_000),
  DEV_MODE: bool.default(false),
})

export type Env = z.infer<typeof envSchema>

export interface Config {
  env: Env['NODE_ENV']
  log: { level: Env['LOG_LEVEL']; format: 'json' | 'pretty' }
  database: { url: string }
  temporal: { address: string; namespace: string; taskQueue: string; uiUrl: string }
  clickhouse: {
    url: string | undefined
    path: string
    username: string
    password: string
    timeoutMs: number
  }
  gotenberg: { url: string; timeoutMs: number }
  companyTimeZone: string
  api: { port: number }
  worker: { shutdownGraceMs: number }
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`)
    this.name = 'ConfigError'
  }
}

/** Parses the environment (process.env by default) into a typed config, or throws ConfigError. */
export function loadConfig(source: Record<string, string | undefined> = process.env): Config {
  // `NAME=` in a .env file means "not set", as it does for most tools.
  const present = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v.trim() !== ''))
  const parsed = envSchema.safeParse(present)
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const name = issue.path.join('.')
      const value = source[name]
      const shown = value === undefined ? 'missing' : `got ${JSON.stringify(redact(name, value))}`
      return `${name}: ${issue.message} (${shown})`
    })
    throw new ConfigError(problems)
  }
  const e = parsed.data
  return {
    env: e.NODE_ENV,
    log: { level: e.LOG_LEVEL, format: e.LOG_FORMAT ?? (e.NODE_ENV === 'production' ? 'json' : 'pretty') },
    database: { url: e.DATABASE_URL },
    temporal: {
      address: e.TEMPORAL_ADDRESS,
      namespace: e.TEMPORAL_NAMESPACE,
      taskQueue: e.TEMPORAL_TASK_QUEUE,
      uiUrl: e.TEMPORAL_UI_URL,
    },
    clickhouse: {
      url: e.CLICKHOUSE_URL,
      path: e.CLICKHOUSE_PATH,
      username: e.CLICKHOUSE_USER,
      password: e.CLICKHOUSE_PASSWORD,
      timeoutMs: e.CLICKHOUSE_TIMEOUT_MS,
    },
    gotenberg: { url: e.GOTENBERG_URL, timeoutMs: e.GOTENBERG_TIMEOUT_MS },
    companyTimeZone: e.COMPANY_TIME_ZONE,
    api: { port: e.API_PORT },
    worker: { shutdownGraceMs: e.WORKER_SHUTDOWN_GRACE_MS },
  }
}

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone })
    return true
  } catch {
    return false
  }
}

/** Never echo secrets back in an error message. */
function redact(name: string, value: string): string {
  if (/PASSWORD|SECRET|TOKEN|KEY/.test(name)) return '***'
  if (name.endsWith('_URL')) return value.replace(/\/\/([^:@/]+):([^@/]+)@/, '//$1:***@')
  return value
}
