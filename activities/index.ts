import type { ClickHouseClient } from '@clickhouse/client'
import type { S3Client } from '@aws-sdk/client-s3'
import type { EmailTransport } from '../clients/email.js'
import type { GotenbergClient } from '../clients/gotenberg.js'
import type { Config } from '../lib/config.js'
import type { Database } from '../lib/database.js'
import { createDispatchActivities } from './dispatch.js'
import { createInvoiceActivities } from './invoice.js'
import { createPrefillActivities } from './prefill.js'
import { createSmokeActivities } from './smoke.js'

/** What activities need from the outside world, built once by the worker. */
export interface ActivityDeps {
  config: Config
  db: Database
  clickhouse: ClickHouseClient
  gotenberg: GotenbergClient
  s3: S3Client
  email: EmailTransport
}

/** All activities, as one object for Worker.create. */
export function createActivities(deps: ActivityDeps) {
  return {
    ...createSmokeActivities(deps),
    ...createPrefillActivities({ ...deps, timeZone: deps.config.companyTimeZone }),
    ...createInvoiceActivities(deps),
    ...createDispatchActivities(deps),
  }
}

export type Activities = ReturnType<typeof createActivities>
