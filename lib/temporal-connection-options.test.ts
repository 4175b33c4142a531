import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { apiConnectionOptions } from '../api/temporal-connection.js'
import { ConfigError, loadConfig } from './config.js'
import { temporalConnectionOptions } from './temporal-connection-options.js'

const dir = mkdtempSync(join(tmpdir(), 'temporal-profile-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const database = { DATABASE_URL: 'postgresql://invoicing:secret@127.0.0.1:55432/invoicing' }
const caFile = join(dir, 'ca.pem')
writeFileSync(caFile, '-----BEGIN CERTIFICATE-----\nCA\n-----END CERTIFICATE-----\n')
const profileFile = join(dir, 'temporal.toml')
writeFileSync(
  profileFile,
  `[profile.default]
address = "127.0.0.1:7233"

[profile.cloud]
address = "billing.a1b2c.tmprl.cloud:7233"
namespace = "billing.a1b2c"
api_key = "cloud-api-key"

[profile.mtls]
address = "temporal.internal:7233"
namespace = "invoicing"
[profile.mtls.tls]
server_name = "temporal.internal"
server_ca_cert_path = "${caFile}"
client_cert_data = "-----BEGIN CERTIFICATE-----\\nCLIENT\\n-----END CERTIFICATE-----"
client_key_data = "-----BEGIN PRIVATE KEY-----\\nKEY\\n-----END PRIVATE KEY-----"

[profile.bad-address]
address = "temporal.internal"
`,
)

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env)
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError)
    return (err as ConfigError).problems
  }
  throw new Error('expected loadConfig to fail')
}

describe('Temporal connection options', () => {
  it('without a profile, TLS or API key: the address alone, as before', () => {
    const config = loadConfig({ ...database, TEMPORAL_ADDRESS: '127.0.0.1:7233', TEMPORAL_API_KEY: '', TEMPORAL_TLS: '' })
    expect(temporalConnectionOptions(config.temporal)).toEqual({ address: '127.0.0.1:7233' })
    expect(config.temporal.namespace).toBe('default')
  })

  it('ignores a developer\'s default profile file unless TEMPORAL_PROFILE or TEMPORAL_CONFIG_FILE asks for it', () => {
    const home = join(dir, 'home')
    mkdirSync(join(home, '.config', 'temporalio'), { recursive: true })
    writeFileSync(join(home, '.config', 'temporalio', 'temporal.toml'), '[profile.default]\naddress = "elsewhere:7233"\napi_key = "k"\n')
    const config = loadConfig({ ...database, TEMPORAL_ADDRESS: '127.0.0.1:7233', HOME: home })
    expect(temporalConnectionOptions(config.temporal)).toEqual({ address: '127.0.0.1:7233' })
    // Asked for, the default file's default profile is read.
    expect(loadConfig({ ...database, HOME: home, TEMPORAL_PROFILE: 'default' }).temporal).toMatchObject({ address: 'elsewhere:7233', apiKey: 'k', tls: true })
  })

  it('Temporal Cloud from a profile: address, namespace, API key, TLS', () => {
    const config = loadConfig({ ...database, TEMPORAL_CONFIG_FILE: profileFile, TEMPORAL_PROFILE: 'cloud' })
    expect(config.temporal.namespace).toBe('billing.a1b2c')
    // An API key implies TLS with the system's CAs.
    expect(temporalConnectionOptions(config.temporal)).toEqual({ address: 'billing.a1b2c.tmprl.cloud:7233', apiKey: 'cloud-api-key', tls: true })
    // The API keeps its short retries over the same settings.
    expect(apiConnectionOptions(config.temporal)).toMatchObject({ address: 'billing.a1b2c.tmprl.cloud:7233', apiKey: 'cloud-api-key', tls: true, interceptors: [expect.anything()] })
  })

  it('mTLS from a profile: server name, CA file, client certificate and key', () => {
    const config = loadConfig({ ...database, TEMPORAL_CONFIG_FILE: profileFile, TEMPORAL_PROFILE: 'mtls' })
    const options = temporalConnectionOptions(config.temporal)
    expect(options.address).toBe('temporal.internal:7233')
    expect(config.temporal.namespace).toBe('invoicing')
    const tls = options.tls as { serverNameOverride: string; serverRootCACertificate: Uint8Array; clientCertPair: { crt: Uint8Array; key: Uint8Array } }
    expect(tls.serverNameOverride).toBe('temporal.internal')
    expect(Buffer.from(tls.serverRootCACertificate).toString()).toContain('\nCA\n')
    expect(Buffer.from(tls.clientCertPair.crt).toString()).toContain('CLIENT')
    expect(Buffer.from(tls.clientCertPair.key).toString()).toContain('KEY')
    expect(options.apiKey).toBeUndefined()
  })

  it('the TEMPORAL_* variables win over the profile, as in the Temporal CLI', () => {
    const config = loadConfig({ ...database, TEMPORAL_CONFIG_FILE: profileFile, TEMPORAL_PROFILE: 'cloud', TEMPORAL_NAMESPACE: 'other.a1b2c', TEMPORAL_API_KEY: 'rotated-key' })
    expect(config.temporal).toMatchObject({ address: 'billing.a1b2c.tmprl.cloud:7233', namespace: 'other.a1b2c', apiKey: 'rotated-key', tls: true })
  })

  it('TLS and an API key from the variables alone', () => {
    const env = { ...database, TEMPORAL_ADDRESS: 'billing.a1b2c.tmprl.cloud:7233', TEMPORAL_NAMESPACE: 'billing.a1b2c' }
    expect(temporalConnectionOptions(loadConfig({ ...env, TEMPORAL_API_KEY: 'k' }).temporal)).toEqual({ address: env.TEMPORAL_ADDRESS, apiKey: 'k', tls: true })
    const tls = temporalConnectionOptions(loadConfig({ ...env, TEMPORAL_TLS: 'true', TEMPORAL_TLS_SERVER_CA_CERT_PATH: caFile }).temporal).tls
    expect(Buffer.from((tls as { serverRootCACertificate: Uint8Array }).serverRootCACertificate).toString()).toContain('\nCA\n')
    expect(temporalConnectionOptions(loadConfig({ ...env, TEMPORAL_GRPC_META_X_TENANT: 'acme' }).temporal).metadata).toEqual({ 'x-tenant': 'acme' })
  })

  it('names the variable of a bad value', () => {
    expect(problemsOf({ ...database, TEMPORAL_ADDRESS: '127.0.0.1:7233', TEMPORAL_TLS: 'yes' })).toEqual([expect.stringMatching(/^TEMPORAL_TLS: .*\(got "yes"\)$/)])
    expect(problemsOf({ ...database, TEMPORAL_CONFIG_FILE: join(dir, 'nope.toml') })).toEqual([expect.stringMatching(/^TEMPORAL_CONFIG_FILE: no such file/)])
    expect(problemsOf({ ...database, TEMPORAL_CONFIG_FILE: profileFile, TEMPORAL_PROFILE: 'staging' })).toEqual([expect.stringMatching(/^TEMPORAL_PROFILE: Profile 'staging' not found/)])
    expect(problemsOf({ ...database, TEMPORAL_CONFIG_FILE: profileFile, TEMPORAL_PROFILE: 'bad-address' })).toEqual([expect.stringMatching(/^TEMPORAL_CONFIG_FILE: the address of profile "bad-address" must be host:port/)])
    const typo = join(dir, 'typo.toml')
    writeFileSync(typo, '[profile.default]\naddress = "t:7233"\napikey = "k"\n')
    expect(problemsOf({ ...database, TEMPORAL_CONFIG_FILE: typo })).toEqual([expect.stringMatching(/^TEMPORAL_CONFIG_FILE: .*unrecognized.*apikey/)])
    expect(problemsOf({ ...database, TEMPORAL_ADDRESS: 't:7233', TEMPORAL_TLS_CLIENT_CERT_PATH: caFile })).toEqual([expect.stringMatching(/^TEMPORAL_TLS_CLIENT_KEY_PATH: a client certificate needs its key/)])
    expect(problemsOf({ ...database, TEMPORAL_ADDRESS: 't:7233', TEMPORAL_TLS_SERVER_CA_CERT_PATH: caFile, TEMPORAL_TLS_SERVER_CA_CERT_DATA: 'pem' })).toEqual([
      expect.stringMatching(/^TEMPORAL_TLS_SERVER_CA_CERT_DATA: set together with TEMPORAL_TLS_SERVER_CA_CERT_PATH/),
    ])
  })

  it('still requires an address when no profile gives one, reported with the other problems', () => {
    expect(problemsOf({})).toEqual([expect.stringMatching(/^DATABASE_URL: is required/), expect.stringMatching(/^TEMPORAL_ADDRESS: is required .*\(missing\)$/)])
    const noAddress = join(dir, 'no-address.toml')
    writeFileSync(noAddress, '[profile.default]\nnamespace = "n"\n')
    expect(problemsOf({ ...database, TEMPORAL_CONFIG_FILE: noAddress })).toEqual([expect.stringMatching(/^TEMPORAL_ADDRESS: is required: neither set nor in profile "default"/)])
  })

  it('never echoes the API key, and refuses it over plaintext in production', () => {
    expect(problemsOf({ ...database, TEMPORAL_ADDRESS: 'x', TEMPORAL_API_KEY: 'cloud-secret' }).join('\n')).not.toContain('cloud-secret')
    const problems = problemsOf({ ...database, NODE_ENV: 'production', TEMPORAL_ADDRESS: 't:7233', TEMPORAL_API_KEY: 'k', TEMPORAL_TLS: 'false' })
    expect(problems).toContain('TEMPORAL_TLS: is false while TEMPORAL_API_KEY is set: the key would cross the network unencrypted')
  })
})
