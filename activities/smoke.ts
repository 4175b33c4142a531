import type { ClickHouseClient } from '@clickhouse/client'
import type { Database } from '../lib/database.js'
import { countLatestRows } from '../sources/count-latest-rows.js'

/** Activities of the smoke workflow: one cheap read from each store. */
export function createSmokeActivities(deps: { db: Database; clickhouse: ClickHouseClient }) {
  return {
    async checkDatabase(): Promise<{ settings: number; categoryRules: number }> {
      const [settings, categoryRules] = await Promise.all([deps.db.setting.count(), deps.db.categoryRule.count()])
      return { settings, categoryRules }
    },
    async checkSources(): Promise<{ worklogs: number; deals: number }> {
      return countLatestRows(deps.clickhouse)
    },
  }
}

export type SmokeActivities = ReturnType<typeof createSmokeActivities>
