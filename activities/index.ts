import type { ClickHouseClient } from '@clickhouse/client'
import type { ExternalClients } from '../clients/create-external-clients.js'
import type { Config } from '../lib/config.js'
import type { Database } from '../lib/database.js'
import { createBillingRunActivities } from './billing-run.js'
import { createCreditNoteActivities } from './credit-notes.js'
import { createDispatchActivities } from './dispatch.js'
import { createDriftActivities } from './drift.js'
import { createInvoiceActivities } from './invoice.js'
import { createPaymentActivities } from './payments.js'
import { createPrefillActivities } from './prefill.js'

/** What activities need from the outside world, built once by the worker. */
export interface ActivityDeps extends ExternalClients {
  config: Config
  db: Database
  clickhouse: ClickHouseClient
}

/** All activities, as one object for Worker.create. */
export function createActivities(deps: ActivityDeps) {
  return {
    ...createPrefillActivities({ ...deps, timeZone: deps.config.companyTimeZone }),
    ...createInvoiceActivities(deps),
    ...createDispatchActivities(deps),
    ...createPaymentActivities(deps),
    ...createCreditNoteActivities(deps),
    ...createBillingRunActivities(deps),
    ...createDriftActivities({ ...deps, timeZone: deps.config.companyTimeZone }),
  }
}

export type Activities = ReturnType<typeof createActivities>
