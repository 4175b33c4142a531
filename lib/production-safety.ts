/**
 * What a production start refuses (NODE_ENV=production): the development defaults of the
 * project's own .env.example and config schema, which point at local fakes or are known to
 * everyone who reads the repository. Each problem names its variable.
 */

/** Values that are published in the repository (.env.example and the schema's defaults). */
const DEVELOPMENT_VALUES: Record<string, readonly string[]> = {
  PLANFACT_API_KEY: ['local-planfact-key'],
  PLANFACT_URL: ['http://127.0.0.1:3002'],
  DIDOX_URL: ['http://127.0.0.1:3003'],
  DIDOX_PARTNER_TOKEN: ['local-didox-partner-token'],
  DIDOX_TAX_ID: ['305123456'],
  DIDOX_PASSWORD: ['local-didox-password'],
  S3_ENDPOINT: ['http://127.0.0.1:3004'],
  S3_ACCESS_KEY_ID: ['local-access-key'],
  S3_SECRET_ACCESS_KEY: ['local-secret-key'],
  SMTP_HOST: ['127.0.0.1', 'localhost'],
}
const DEV_TOKENS = ['dev-viewer', 'dev-accountant', 'dev-approver', 'dev-admin']
export const MIN_PRODUCTION_TOKEN_LENGTH = 32

/** `values` are the parsed settings (defaults filled in). Empty when it is safe to run. */
export function productionProblems(values: Record<string, unknown>, options: { needsApiTokens: boolean }): string[] {
  const problems: string[] = []
  for (const [name, devValues] of Object.entries(DEVELOPMENT_VALUES)) {
    const value = String(values[name] ?? '')
    if (devValues.includes(value)) problems.push(`${name}: is the development default (${/KEY|TOKEN|PASSWORD|SECRET/.test(name) ? 'a value published in the repository' : value}); set the production value`)
  }
  if (String(values.DATABASE_URL ?? '').includes(':invoicing-local@')) problems.push('DATABASE_URL: uses the development password of the local cluster')
  if (values.DEV_MODE === true) problems.push('DEV_MODE: must be off in production')
  // A plaintext Temporal inside a private network is fine; a credential sent over it is not.
  if (values.TEMPORAL_API_KEY !== undefined && values.TEMPORAL_TLS === false) problems.push('TEMPORAL_TLS: is false while TEMPORAL_API_KEY is set: the key would cross the network unencrypted')
  if (String(values.CHAOS_KILL_BOUNDARIES ?? '').trim() !== '') problems.push('CHAOS_KILL_BOUNDARIES: makes the worker kill itself around activities (the chaos suite); unset it in production')
  if (!options.needsApiTokens) return problems
  const entries = String(values.API_TOKENS ?? '')
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean)
  if (entries.length === 0) problems.push('API_TOKENS: is empty; every request would be refused: give each person a token (token=user:role+role, comma-separated)')
  for (const [position, entry] of entries.entries()) {
    const token = entry.slice(0, Math.max(0, entry.indexOf('=')))
    const user = entry.slice(entry.indexOf('=') + 1).split(':')[0]
    if (DEV_TOKENS.includes(token)) problems.push(`API_TOKENS: entry ${position + 1} (user ${user}) is a development token published in the repository`)
    else if (token.length < MIN_PRODUCTION_TOKEN_LENGTH) problems.push(`API_TOKENS: entry ${position + 1} (user ${user}) has a token of ${token.length} characters; production tokens have at least ${MIN_PRODUCTION_TOKEN_LENGTH} (e.g. openssl rand -hex 24)`)
  }
  return problems
}
