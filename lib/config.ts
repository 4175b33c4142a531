import { z } from 'zod'
import { productionProblems } from './production-safety.js'
import { readTemporalProfile, type TemporalConnectionSettings } from './temporal-connection-options.js'
import { parseConcerns, type Concern } from '../workers/concerns.js'
import type { ConcernConcurrency } from '../workers/worker-group.js'

/**
 * The one place where the environment is read. The worker, the API and the scripts call
 * `loadConfig()` at start-up; a missing or malformed variable stops them with a message that
 * names every offending variable.
 */

const port = z.coerce.number().int().min(1).max(65535)
const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1')
const count = z.coerce.number({ error: 'must be a whole number' }).int('must be a whole number')

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  LOG_LEVEL: z.enum(['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR']).default('INFO'),
  /** json in production, pretty otherwise, unless set. */
  LOG_FORMAT: z.enum(['json', 'pretty']).optional(),

  DATABASE_URL: z
    .string({ error: 'is required (postgresql://user:password@host:port/db)' })
    .regex(/^postgres(ql)?:\/\//, 'must be a postgresql:// URL'),
  /** The pool of each process (worker, API, CLI): docs/deploy.md sizes it. Defaults are lib/database.ts's. */
  DATABASE_POOL_MAX: count.min(1, 'must be at least 1').max(1000, 'must be at most 1000').default(10),
  /** How long an idle connection stays open; 0 = until the process ends. */
  DATABASE_POOL_IDLE_MS: count.nonnegative('must be 0 or more').default(10_000),
  DATABASE_CONNECT_TIMEOUT_MS: count.positive('must be more than 0').default(5_000),

  /**
   * Required unless a profile gives it (TEMPORAL_PROFILE, TEMPORAL_CONFIG_FILE); the TEMPORAL_*
   * variables below are @temporalio/envconfig's, read by lib/temporal-connection-options.ts.
   */
  TEMPORAL_ADDRESS: z.string().regex(/^[^\s:]+:\d+$/, 'must be host:port').optional(),
  /** Default: the profile's namespace, else "default". */
  TEMPORAL_NAMESPACE: z.string().min(1).optional(),
  TEMPORAL_PROFILE: z.string().min(1).optional(),
  TEMPORAL_CONFIG_FILE: z.string().min(1).optional(),
  TEMPORAL_API_KEY: z.string().min(1).optional(),
  /** true: TLS with the system's CAs (implied by an API key); false: plaintext even with a profile's TLS. */
  TEMPORAL_TLS: bool.optional(),
  TEMPORAL_TLS_SERVER_NAME: z.string().min(1).optional(),
  TEMPORAL_TLS_SERVER_CA_CERT_PATH: z.string().min(1).optional(),
  TEMPORAL_TLS_SERVER_CA_CERT_DATA: z.string().min(1).optional(),
  TEMPORAL_TLS_CLIENT_CERT_PATH: z.string().min(1).optional(),
  TEMPORAL_TLS_CLIENT_CERT_DATA: z.string().min(1).optional(),
  TEMPORAL_TLS_CLIENT_KEY_PATH: z.string().min(1).optional(),
  TEMPORAL_TLS_CLIENT_KEY_DATA: z.string().min(1).optional(),
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

  /** PlanFact (accounting). The local fake listens on 127.0.0.1:3002. */
  PLANFACT_URL: z.url().default('http://127.0.0.1:3002'),
  PLANFACT_API_KEY: z.string().min(1).default('local-planfact-key'),
  PLANFACT_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
  /** Income category the invoices are booked under (PlanFact operationCategoryId); empty = look up "Sales". */
  PLANFACT_INCOME_CATEGORY_ID: z.string().optional(),
  /** PlanFact project for the invoices; empty = none. */
  PLANFACT_PROJECT_ID: z.string().optional(),
  /** Outcome category refunds of credit notes are booked under; empty = look up "Refunds to customers". */
  PLANFACT_REFUND_CATEGORY_ID: z.string().optional(),

  /** Didox.uz (e-invoices). The local fake listens on 127.0.0.1:3003. */
  DIDOX_URL: z.url().default('http://127.0.0.1:3003'),
  DIDOX_PARTNER_TOKEN: z.string().min(1).default('local-didox-partner-token'),
  /** The seller's login: its TIN and password. */
  DIDOX_TAX_ID: z.string().regex(/^\d{9}$/, 'must be a 9-digit TIN').default('305123456'),
  DIDOX_PASSWORD: z.string().min(1).default('local-didox-password'),
  DIDOX_LOCALE: z.enum(['ru', 'uz', 'en']).default('ru'),
  DIDOX_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
  /** A signing agent (E-IMZO) endpoint; empty = drafts are left for a person to sign in Didox. */
  DIDOX_SIGNER_URL: z.url().optional(),
  /** IKPU (MXIK) catalog entry of the invoice lines, from the tax service's catalog. */
  DIDOX_CATALOG_CODE: z.string().regex(/^\d{17}$/, 'must be a 17-digit IKPU code').default('10305008001000000'),
  DIDOX_CATALOG_NAME: z.string().min(1).default('Software development and IT consulting services'),
  DIDOX_PACKAGE_CODE: z.string().min(1).default('1503980'),
  DIDOX_PACKAGE_NAME: z.string().min(1).default('service'),
  /** How often the workflow polls a sent e-invoice's status. */
  DIDOX_POLL_INTERVAL_MS: z.coerce.number().int().positive().default(15 * 60_000),

  /** S3-compatible storage standing in for Cloudflare R2 (moto_server locally). */
  S3_ENDPOINT: z.url().default('http://127.0.0.1:3004'),
  S3_REGION: z.string().min(1).default('auto'),
  S3_BUCKET: z.string().min(3).default('invoices'),
  S3_ACCESS_KEY_ID: z.string().min(1).default('local-access-key'),
  S3_SECRET_ACCESS_KEY: z.string().min(1).default('local-secret-key'),
  S3_FORCE_PATH_STYLE: bool.default(true),

  /** SMTP for e-mail delivery (a local SMTP server with an HTTP API in development). */
  SMTP_HOST: z.string().min(1).default('127.0.0.1'),
  SMTP_PORT: port.default(1025),
  SMTP_SECURE: bool.default(false),
  SMTP_USER: z.string().optional(),
  SMTP_PASSWORD: z.string().optional(),
  EMAIL_FROM: z.string().min(3).default('Example Software Billing <billing@example.uz>'),

  /** API bearer tokens: `token=user:role1+role2` entries separated by commas. */
  API_TOKENS: z.string().default(''),

  /** Company time zone: work dates and billing periods are days in this zone. */
  COMPANY_TIME_ZONE: z
    .string()
    .default('Asia/Tashkent')
    .refine(isTimeZone, 'must be an IANA time zone such as Asia/Tashkent'),

  /** 127.0.0.1 behind a reverse proxy on the same machine; 0.0.0.0 in a container. */
  API_HOST: z.string().min(1).default('127.0.0.1'),
  API_PORT: port.default(3000),
  WORKER_SHUTDOWN_GRACE_MS: z.coerce.number().int().nonnegative().default(10_000),
  /** The concerns this worker process serves (workers/concerns.ts): "all", or a comma list. */
  WORKER_CONCERNS: z
    .string()
    .default('all')
    .transform((value, ctx) => {
      try {
        return parseConcerns(value)
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: (err as Error).message.replace(/^WORKER_CONCERNS /, '') })
        return z.NEVER
      }
    }),
  /** PDFs one process renders at once: Gotenberg's own --chromium-max-concurrency. */
  WORKER_DOCUMENTS_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(2),
  /** Prefills one process runs at once (each a few ClickHouse queries). */
  WORKER_PREFILL_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
  /** When the nightly drift report runs (a Temporal Schedule the worker keeps): cron, in COMPANY_TIME_ZONE. */
  DRIFT_REPORT_CRON: z
    .string()
    .regex(/^\S+( \S+){4}$/, 'must be a five-field cron expression such as "30 2 * * *"')
    .default('30 2 * * *'),
  DEV_MODE: bool.default(false),
  /** Fault injection of the chaos suite (activities/kill-at-boundary.ts); refused in production. */
  CHAOS_KILL_BOUNDARIES: z.string().default(''),
})

export type Env = z.infer<typeof envSchema>

export interface Config {
  env: Env['NODE_ENV']
  log: { level: Env['LOG_LEVEL']; format: 'json' | 'pretty' }
  database: { url: string; pool: { max: number; idleTimeoutMs: number; connectionTimeoutMs: number } }
  temporal: TemporalConnectionSettings & { namespace: string; taskQueue: string; uiUrl: string }
  clickhouse: {
    url: string | undefined
    path: string
    username: string
    password: string
    timeoutMs: number
  }
  gotenberg: { url: string; timeoutMs: number }
  planfact: { url: string; apiKey: string; timeoutMs: number; incomeCategoryId: string | undefined; projectId: string | undefined; refundCategoryId: string | undefined }
  didox: {
    url: string
    partnerToken: string
    taxId: string
    password: string
    locale: 'ru' | 'uz' | 'en'
    timeoutMs: number
    signerUrl: string | undefined
    pollIntervalMs: number
    catalog: { code: string; name: string; packageCode: string; packageName: string }
  }
  s3: { endpoint: string; region: string; bucket: string; accessKeyId: string; secretAccessKey: string; forcePathStyle: boolean }
  smtp: { host: string; port: number; secure: boolean; user: string | undefined; password: string | undefined; from: string }
  apiTokens: string
  companyTimeZone: string
  api: { host: string; port: number }
  worker: { shutdownGraceMs: number; driftReportCron: string; concerns: Concern[]; concurrency: ConcernConcurrency }
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`)
    this.name = 'ConfigError'
  }
}

/**
 * Parses the environment (process.env by default) into a typed config, or throws ConfigError.
 * With NODE_ENV=production the development defaults are refused too (lib/production-safety.ts);
 * the worker, which serves no requests, passes `needsApiTokens: false`.
 */
export function loadConfig(source: Record<string, string | undefined> = process.env, options: { needsApiTokens?: boolean } = {}): Config {
  // `NAME=` in a .env file means "not set", as it does for most tools.
  const present = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v.trim() !== ''))
  const parsed = envSchema.safeParse(present)
  const problems = parsed.success
    ? []
    : parsed.error.issues.map((issue) => {
        const name = issue.path.join('.')
        const value = source[name]
        const shown = value === undefined ? 'missing' : `got ${JSON.stringify(redact(name, value))}`
        return `${name}: ${issue.message} (${shown})`
      })
  // Read beside the schema so that a bad profile and a bad variable are reported together.
  const temporal = readTemporalProfile(present as Record<string, string>)
  problems.push(...temporal.problems)
  if (!parsed.success || problems.length > 0) throw new ConfigError(problems)
  const e = parsed.data
  const profile = temporal.profile
  if (e.NODE_ENV === 'production') {
    const unsafe = productionProblems(e, { needsApiTokens: options.needsApiTokens ?? true })
    if (unsafe.length > 0) throw new ConfigError(unsafe)
  }
  return {
    env: e.NODE_ENV,
    log: { level: e.LOG_LEVEL, format: e.LOG_FORMAT ?? (e.NODE_ENV === 'production' ? 'json' : 'pretty') },
    database: {
      url: e.DATABASE_URL,
      pool: { max: e.DATABASE_POOL_MAX, idleTimeoutMs: e.DATABASE_POOL_IDLE_MS, connectionTimeoutMs: e.DATABASE_CONNECT_TIMEOUT_MS },
    },
    temporal: {
      // Set when there is no problem: the variable wins over the profile, as in the CLI.
      address: profile.address!,
      ...(profile.tls !== undefined && { tls: profile.tls }),
      ...(profile.apiKey !== undefined && { apiKey: profile.apiKey }),
      ...(profile.metadata !== undefined && { metadata: profile.metadata }),
      namespace: profile.namespace ?? 'default',
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
    planfact: {
      url: e.PLANFACT_URL,
      apiKey: e.PLANFACT_API_KEY,
      timeoutMs: e.PLANFACT_TIMEOUT_MS,
      incomeCategoryId: e.PLANFACT_INCOME_CATEGORY_ID,
      projectId: e.PLANFACT_PROJECT_ID,
      refundCategoryId: e.PLANFACT_REFUND_CATEGORY_ID,
    },
    didox: {
      url: e.DIDOX_URL,
      partnerToken: e.DIDOX_PARTNER_TOKEN,
      taxId: e.DIDOX_TAX_ID,
      password: e.DIDOX_PASSWORD,
      locale: e.DIDOX_LOCALE,
      timeoutMs: e.DIDOX_TIMEOUT_MS,
      signerUrl: e.DIDOX_SIGNER_URL,
      pollIntervalMs: e.DIDOX_POLL_INTERVAL_MS,
      catalog: { code: e.DIDOX_CATALOG_CODE, name: e.DIDOX_CATALOG_NAME, packageCode: e.DIDOX_PACKAGE_CODE, packageName: e.DIDOX_PACKAGE_NAME },
    },
    s3: {
      endpoint: e.S3_ENDPOINT,
      region: e.S3_REGION,
      bucket: e.S3_BUCKET,
      accessKeyId: e.S3_ACCESS_KEY_ID,
      secretAccessKey: e.S3_SECRET_ACCESS_KEY,
      forcePathStyle: e.S3_FORCE_PATH_STYLE,
    },
    smtp: { host: e.SMTP_HOST, port: e.SMTP_PORT, secure: e.SMTP_SECURE, user: e.SMTP_USER, password: e.SMTP_PASSWORD, from: e.EMAIL_FROM },
    apiTokens: e.API_TOKENS,
    companyTimeZone: e.COMPANY_TIME_ZONE,
    api: { host: e.API_HOST, port: e.API_PORT },
    worker: {
      shutdownGraceMs: e.WORKER_SHUTDOWN_GRACE_MS,
      driftReportCron: e.DRIFT_REPORT_CRON,
      concerns: e.WORKER_CONCERNS,
      // PlanFact's writes one at a time: with its single process (docs/deploy.md), one per business.
      concurrency: { documents: e.WORKER_DOCUMENTS_CONCURRENCY, prefill: e.WORKER_PREFILL_CONCURRENCY, planfact: 1 },
    },
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
