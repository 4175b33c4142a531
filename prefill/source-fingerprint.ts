import { createHash } from 'node:crypto'
import type { BillingSettings, CategoryRule, RateRule } from '../billing/types.js'
import type { SourceIssue } from '../sources/types.js'

export interface FingerprintParts {
  dealVersion: string
  customerVersion: string
  /** BillableWork.digest: the worklogs read (ids and versions) and the ledger state they were judged by. */
  work: string
  /** The issues the work points at. */
  issues: readonly Pick<SourceIssue, 'issueId' | 'version'>[]
  settings: BillingSettings
  lookbackMonths: number
  rateRules: RateRule[]
  categoryRules: CategoryRule[]
}

/**
 * The preview's source fingerprint: a hash over what the prefill read (ids and versions of the
 * ClickHouse rows, what the billed-work ledger says of them, and the rules and settings from
 * PostgreSQL). Same sources and rules, same fingerprint; any sync, admin change or invoice that
 * bills the same work alters it, so a confirmation of an outdated preview is refused as stale.
 */
export function computeSourceFingerprint(parts: FingerprintParts): string {
  const canonical = JSON.stringify([
    ['deal', parts.dealVersion],
    ['customer', parts.customerVersion],
    ['work', parts.work],
    ['issues', parts.issues.map((i) => `${i.issueId}:${i.version}`).sort()],
    ['settings', parts.settings],
    ['lookbackMonths', parts.lookbackMonths],
    ['rateRules', parts.rateRules],
    ['categoryRules', parts.categoryRules],
  ])
  return `sha256:${createHash('sha256').update(canonical).digest('hex')}`
}
