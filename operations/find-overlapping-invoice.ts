import type { Client } from '@temporalio/client'
import type { BillingPeriod } from '../billing/types.js'
import type { Database } from '../lib/database.js'
import { parseBillingPeriod } from '../prefill/billing-period.js'

/** Another live invoice of the deal whose period overlaps the one asked for. */
export interface OverlappingInvoice {
  workflowId: string
  period: string
  state: string
  invoiceNumber: string | null
}

/**
 * The deal's live invoice (not cancelled, not void) other than `workflowId` whose period
 * overlaps `period`, from the read model. A run that has no number yet counts only while
 * Temporal still runs it (one an operator terminated left nothing behind). The prefill's
 * ledger check and the ledger's unique index stop a race this check cannot see.
 */
export async function findOverlappingInvoice(options: {
  db: Database
  client: Client
  dealId: string
  workflowId: string
  period: BillingPeriod
}): Promise<OverlappingInvoice | null> {
  const { period } = options
  const runs = await options.db.$queryRaw<{ workflowId: string; state: string; period: string; invoiceNumber: string | null }[]>`
    SELECT DISTINCT ON ("workflow_id") "workflow_id" AS "workflowId", "state", "period", "invoice_number" AS "invoiceNumber"
      FROM "invoice_runs"
     WHERE "deal_id" = ${options.dealId} AND "workflow_id" <> ${options.workflowId}
     ORDER BY "workflow_id", "started_at" DESC`
  const overlapping = runs.filter((run) => {
    if (run.state === 'cancelled') return false
    const parsed = parseBillingPeriod(run.period)
    return 'period' in parsed && parsed.period.from < period.to && period.from < parsed.period.to
  })
  for (const run of overlapping.sort((a, b) => (a.period < b.period ? -1 : 1))) {
    if (run.invoiceNumber !== null || run.state === 'completed' || (await isRunning(options.client, run.workflowId))) return run
  }
  return null
}

async function isRunning(client: Client, workflowId: string): Promise<boolean> {
  try {
    return (await client.workflow.getHandle(workflowId).describe()).status.name === 'RUNNING'
  } catch (err) {
    if ((err as { name?: string }).name === 'WorkflowNotFoundError') return false
    throw err
  }
}
