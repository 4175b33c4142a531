import type { BilledWorklog } from '../drift/types.js'
import type { Database } from '../lib/database.js'

/** The invoice's live ledger rows (not released by a void), by work date and worklog id. */
export function readLiveBilledWork(db: Database, invoiceId: string): Promise<BilledWorklog[]> {
  return db.$queryRaw<BilledWorklog[]>`
    SELECT "worklog_id"::text AS "worklogId", "worklog_version"::text AS "version", "issue_id"::text AS "issueId", "issue_key" AS "issueKey",
           to_char("work_date", 'YYYY-MM-DD') AS "workDate", "raw_seconds" AS "rawSeconds", "billable_minutes" AS "billableMinutes", "line_key" AS "lineKey"
      FROM "billed_work"
     WHERE "invoice_id" = ${invoiceId}::uuid AND "released_at" IS NULL
     ORDER BY "work_date", "worklog_id"`
}
