import { log, proxyActivities } from '@temporalio/workflow'
import type { SmokeActivities } from '../activities/smoke.js'

const { checkDatabase, checkSources } = proxyActivities<SmokeActivities>({
  startToCloseTimeout: '15s',
  retry: { maximumAttempts: 3 },
})

export interface SmokeReport {
  settings: number
  categoryRules: number
  worklogs: number
  deals: number
}

/** Proves the worker reaches Temporal, PostgreSQL and ClickHouse: the README's first check. */
export async function smokeWorkflow(): Promise<SmokeReport> {
  const database = await checkDatabase()
  const sources = await checkSources()
  const report = { ...database, ...sources }
  log.info('smoke check passed', { ...report })
  return report
}
