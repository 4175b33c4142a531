import type { Config } from '../lib/config.js'
import { createDidoxClient, createDidoxSigner } from './didox.js'
import { createEmailTransport } from './email.js'
import { createGotenbergClient } from './gotenberg.js'
import { createPlanFactClient } from './planfact.js'
import { createR2Client } from './r2.js'

/** Every client of an external system, built once from the config (worker and tests). */
export function createExternalClients(config: Config) {
  return {
    gotenberg: createGotenbergClient(config.gotenberg),
    s3: createR2Client(config.s3),
    email: createEmailTransport(config.smtp),
    planfact: createPlanFactClient({ url: config.planfact.url, apiKey: config.planfact.apiKey, timeoutMs: config.planfact.timeoutMs }),
    didox: createDidoxClient({
      url: config.didox.url,
      partnerToken: config.didox.partnerToken,
      taxId: config.didox.taxId,
      password: config.didox.password,
      locale: config.didox.locale,
      timeoutMs: config.didox.timeoutMs,
    }),
    didoxSigner: config.didox.signerUrl ? createDidoxSigner({ url: config.didox.signerUrl, timeoutMs: config.didox.timeoutMs }) : null,
  }
}

export type ExternalClients = ReturnType<typeof createExternalClients>
