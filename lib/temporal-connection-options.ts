import { existsSync } from 'node:fs'
import type { TLSConfig } from '@temporalio/client'
import { loadClientConfigProfile, toClientOptions, type ClientConfigProfile } from '@temporalio/envconfig'

/**
 * How every process reaches Temporal: a dev server (TEMPORAL_ADDRESS alone, as before), a
 * cluster with TLS or mTLS, or Temporal Cloud with an API key. The settings are Temporal's own
 * environment configuration (@temporalio/envconfig): the TOML profiles and TEMPORAL_* variables
 * the Temporal CLI reads too, so one profile file serves the CLI and the app. docs/deploy.md.
 */

export interface TemporalConnectionSettings {
  address: string
  /** undefined: plaintext, as a dev server or a cluster inside a private network. */
  tls?: TLSConfig | boolean
  apiKey?: string
  /** gRPC headers (TEMPORAL_GRPC_META_* or the profile's grpc_meta). */
  metadata?: Record<string, string>
}

/** The options of both `Connection.connect` (client, API, scripts) and `NativeConnection.connect` (worker). */
export function temporalConnectionOptions(settings: TemporalConnectionSettings): TemporalConnectionSettings {
  const { address, tls, apiKey, metadata } = settings
  return { address, ...(tls !== undefined && { tls }), ...(apiKey !== undefined && { apiKey }), ...(metadata !== undefined && { metadata }) }
}

export interface TemporalProfile {
  address: string | undefined
  namespace: string | undefined
  tls: TLSConfig | boolean | undefined
  apiKey: string | undefined
  metadata: Record<string, string> | undefined
}

const ADDRESS = /^[^\s:]+:\d+$/
const FILE_VARIABLES = ['TEMPORAL_CONFIG_FILE', 'TEMPORAL_TLS_CLIENT_CERT_PATH', 'TEMPORAL_TLS_CLIENT_KEY_PATH', 'TEMPORAL_TLS_SERVER_CA_CERT_PATH']
const PEM_VARIABLES = ['TEMPORAL_TLS_CLIENT_CERT', 'TEMPORAL_TLS_CLIENT_KEY', 'TEMPORAL_TLS_SERVER_CA_CERT']

/**
 * Reads the profile (when TEMPORAL_PROFILE or TEMPORAL_CONFIG_FILE asks for one) with the
 * TEMPORAL_* variables over it, as the CLI does. `env` holds only non-empty values. Each problem
 * names its variable; a missing address is one of them.
 */
export function readTemporalProfile(env: Record<string, string>): { profile: TemporalProfile; problems: string[] } {
  const empty: TemporalProfile = { address: undefined, namespace: undefined, tls: undefined, apiKey: undefined, metadata: undefined }
  const problems = FILE_VARIABLES.filter((name) => env[name] !== undefined && !existsSync(env[name])).map((name) => `${name}: no such file (got ${JSON.stringify(env[name])})`)
  for (const name of PEM_VARIABLES) {
    if (env[`${name}_PATH`] !== undefined && env[`${name}_DATA`] !== undefined) problems.push(`${name}_DATA: set together with ${name}_PATH; give one of them`)
  }
  const hasCert = env.TEMPORAL_TLS_CLIENT_CERT_PATH !== undefined || env.TEMPORAL_TLS_CLIENT_CERT_DATA !== undefined
  const hasKey = env.TEMPORAL_TLS_CLIENT_KEY_PATH !== undefined || env.TEMPORAL_TLS_CLIENT_KEY_DATA !== undefined
  // The SDK would silently drop a certificate without its key, and connect without mTLS.
  if (hasCert !== hasKey) problems.push(`${hasCert ? 'TEMPORAL_TLS_CLIENT_KEY_PATH' : 'TEMPORAL_TLS_CLIENT_CERT_PATH'}: a client certificate needs its key (TEMPORAL_TLS_CLIENT_CERT_* with TEMPORAL_TLS_CLIENT_KEY_*)`)
  if (problems.length > 0) return { profile: empty, problems }

  // A profile file is read only when asked for: a developer's ~/.config/temporalio/temporal.toml
  // (written by `temporal config set`) must not silently point the app at another server.
  const fileVariable = env.TEMPORAL_CONFIG_FILE !== undefined ? 'TEMPORAL_CONFIG_FILE' : env.TEMPORAL_PROFILE !== undefined ? 'TEMPORAL_PROFILE' : undefined
  let loaded: ClientConfigProfile
  let options: ReturnType<typeof toClientOptions>['connectionOptions']
  try {
    loaded = loadClientConfigProfile({ disableFile: fileVariable === undefined, configFileStrict: true, overrideEnvVars: env })
    options = toClientOptions(loaded).connectionOptions // reads the certificate files
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err)
    const name = /^Profile '/.test(message) ? 'TEMPORAL_PROFILE' : (fileVariable ?? 'TEMPORAL_TLS')
    const file = env.TEMPORAL_CONFIG_FILE ?? '~/.config/temporalio/temporal.toml'
    return { profile: empty, problems: [`${name}: ${message} (profile "${env.TEMPORAL_PROFILE ?? 'default'}" of ${file})`] }
  }
  const profile: TemporalProfile = {
    address: options.address,
    namespace: loaded.namespace,
    tls: options.tls ?? undefined,
    apiKey: options.apiKey,
    metadata: loaded.grpcMeta && Object.keys(loaded.grpcMeta).length > 0 ? loaded.grpcMeta : undefined,
  }
  // TEMPORAL_ADDRESS itself is checked by the config schema; this is the profile's address.
  if (profile.address === undefined) {
    problems.push(
      fileVariable === undefined
        ? 'TEMPORAL_ADDRESS: is required (host:port of the Temporal frontend, or a profile: TEMPORAL_PROFILE, TEMPORAL_CONFIG_FILE) (missing)'
        : `TEMPORAL_ADDRESS: is required: neither set nor in profile "${env.TEMPORAL_PROFILE ?? 'default'}" of ${env.TEMPORAL_CONFIG_FILE ?? '~/.config/temporalio/temporal.toml'} (missing)`,
    )
  } else if (env.TEMPORAL_ADDRESS === undefined && !ADDRESS.test(profile.address)) {
    problems.push(`${fileVariable ?? 'TEMPORAL_ADDRESS'}: the address of profile "${env.TEMPORAL_PROFILE ?? 'default'}" must be host:port (got ${JSON.stringify(profile.address)})`)
  }
  return { profile, problems }
}
