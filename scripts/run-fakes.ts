import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { startDidoxFake } from '../fakes/didox-server.js'
import { startPlanFactFake } from '../fakes/planfact-server.js'
import { loadConfig } from '../lib/config.js'

/**
 * Runs the PlanFact and Didox fakes as local services (127.0.0.1, the ports of PLANFACT_URL and
 * DIDOX_URL, 3002 and 3003 by default) with the credentials the app is configured with, so the
 * worker and the demo talk to them exactly as they would to the real systems. Control routes:
 * `GET /__control/state`, `POST /__control/reset`, `POST /__control/behavior` on both.
 * `--host 0.0.0.0` listens for other machines too (docker-compose.yml: the fakes' container).
 */
async function run(): Promise<void> {
  const { values } = parseArgs({ options: { host: { type: 'string', default: '127.0.0.1' } } })
  const envFile = fileURLToPath(new URL('../.env', import.meta.url))
  if (existsSync(envFile)) process.loadEnvFile(envFile)
  const config = loadConfig()

  const planfactPort = localPort(config.planfact.url, 'PLANFACT_URL')
  const didoxPort = localPort(config.didox.url, 'DIDOX_URL')
  const log = (system: string) => (route: string) => console.log(`${new Date().toISOString()} ${system} ${route}`)

  const planfact = await startPlanFactFake({ port: planfactPort, host: values.host, apiKey: config.planfact.apiKey, onRequest: log('planfact') })
  console.log(`PlanFact fake listening on ${planfact.url} (X-ApiKey = PLANFACT_API_KEY)`)
  const didox = await startDidoxFake({
    port: didoxPort,
    host: values.host,
    partnerToken: config.didox.partnerToken,
    taxId: config.didox.taxId,
    password: config.didox.password,
    onRequest: log('didox'),
  })
  console.log(`Didox fake listening on ${didox.url} (login ${config.didox.taxId} with DIDOX_PASSWORD)`)

  const stop = (signal: string): void => {
    console.log(`${signal}: stopping the fakes`)
    Promise.all([planfact.close(), didox.close()])
      .then(() => process.exit(0))
      .catch((err: unknown) => {
        console.error(err)
        process.exit(1)
      })
  }
  process.once('SIGINT', () => stop('SIGINT'))
  process.once('SIGTERM', () => stop('SIGTERM'))
}

/** The port of a URL that must point at this machine: the fakes never stand in for a remote host. */
function localPort(url: string, name: string): number {
  const parsed = new URL(url)
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(parsed.hostname)) {
    throw new Error(`${name} is ${url}, not a local address: the fake would not be the system the app talks to`)
  }
  if (parsed.port === '') throw new Error(`${name} (${url}) has no explicit port for the fake to listen on`)
  return Number(parsed.port)
}

run().catch((err) => {
  console.error(err)
  process.exit(1)
})
