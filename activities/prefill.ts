import { log } from '@temporalio/activity'
import type { ClickHouseClient } from '@clickhouse/client'
import type { BillingPeriod, InvoicePreview } from '../billing/types.js'
import type { Database } from '../lib/database.js'
import type { SourceCustomer, SourceDeal } from '../sources/types.js'
import { prefillInvoice, readCurrentFingerprint } from '../prefill/prefill-invoice.js'
import { failPermanentErrors } from './to-activity-failure.js'

export interface PrefillActivityInput {
  dealId: string
  period: BillingPeriod
  /** Set once the run has an invoice (after a reject): its own billed work is not "billed elsewhere". */
  invoiceId?: string | null
}

export interface PrefillOutcome {
  preview: InvoicePreview
  /** Snapshots the invoice keeps from confirmation on (the PDF shows these). */
  deal: SourceDeal
  customer: SourceCustomer
}

export interface FreshnessResult {
  fresh: boolean
  currentFingerprint: string
}

/** Prefill activities: ClickHouse reads plus the billing core. Nothing is saved. */
export function createPrefillActivities(deps: { db: Database; clickhouse: ClickHouseClient; timeZone: string }) {
  return {
    async prefillInvoice(input: PrefillActivityInput): Promise<PrefillOutcome> {
      return failPermanentErrors(async () => {
        const started = Date.now()
        const { preview, deal, customer, worklogsRead } = await prefillInvoice(deps, input)
        log.info('preview computed', {
          dealId: input.dealId,
          period: preview.period.label,
          worklogsRead,
          lines: preview.lines.length,
          total: preview.total,
          warnings: preview.warnings.length,
          errors: preview.errors.length,
          ms: Date.now() - started,
        })
        return { preview, deal, customer }
      })
    },

    /** Whether a preview's fingerprint still matches the sources (confirm refuses stale ones). */
    async checkPreviewFreshness(input: PrefillActivityInput & { fingerprint: string }): Promise<FreshnessResult> {
      return failPermanentErrors(async () => {
        const currentFingerprint = await readCurrentFingerprint(deps, input)
        return { fresh: currentFingerprint === input.fingerprint, currentFingerprint }
      })
    },
  }
}

export type PrefillActivities = ReturnType<typeof createPrefillActivities>
