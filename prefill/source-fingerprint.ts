import { createHash } from 'node:crypto'
import type { CategoryRule, RateRule, BillingSettings } from '../billing/types.js'
import type { WorkFingerprint } from '../sources/read-work-entries.js'

export interface FingerprintParts {
  dealVersion: string
  customerVersion: string
  work: WorkFingerprint
  settings: BillingSettings
  rateRules: RateRule[]
  categoryRules: CategoryRule[]
}

/**
 * The preview's source fingerprint: a hash over what the prefill read (row counts, newest
 * versions and id/version hashes of the ClickHouse rows, and the rules and settings from
 * PostgreSQL). Same sources and rules, same fingerprint; any sync or admin change alters it,
 * so a confirmation of an outdated preview is refused as stale.
 */
export function computeSourceFingerprint(parts: FingerprintParts): string {
  const canonical = JSON.stringify([
    ['deal', parts.dealVersion],
    ['customer', parts.customerVersion],
    ['worklogs', parts.work.worklogs.count, parts.work.worklogs.maxVersion, parts.work.worklogs.hash],
    ['issues', parts.work.issues.count, parts.work.issues.maxVersion, parts.work.issues.hash],
    ['settings', parts.settings],
    ['rateRules', parts.rateRules],
    ['categoryRules', parts.categoryRules],
  ])
  return `sha256:${createHash('sha256').update(canonical).digest('hex')}`
}
