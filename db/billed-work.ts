import type { Prisma } from '../generated/prisma/client.js'
import type { Database } from '../lib/database.js'
import { sqlStateOf } from '../lib/database-errors.js'

type Db = Database | Prisma.TransactionClient

/** A finalized invoice that is not void: its worklogs are billed. */
export interface LiveInvoice {
  invoiceId: string
  number: string
  period: string
  /** YYYY-MM-DD, inclusive. */
  from: string
  /** YYYY-MM-DD, exclusive. */
  to: string
}

/** The ledger's figures for one work day of a deal: live rows of other invoices. */
export interface LedgerDay {
  workDate: string
  count: number
  idXor: string
  billableMinutes: number
}

/** A worklog another live invoice bills. */
export interface BilledElsewhere {
  worklogId: string
  invoiceId: string
  number: string
}

/** One row to write: a worklog on a line of the invoice. */
export interface BilledWorkRow {
  worklogId: string
  version: string
  issueId: string
  issueKey: string
  workDate: string
  rawSeconds: number
  billableMinutes: number
  lineKey: string
}

/**
 * The deal's finalized, not void invoices whose period overlaps [from, to), but `exceptInvoiceId`,
 * among those the ledger records (an invoice finalized before the ledger existed has no rows).
 */
export async function readLiveInvoices(db: Db, query: { dealId: string; from: string; to: string; exceptInvoiceId: string | null }): Promise<LiveInvoice[]> {
  const rows = await db.$queryRaw<{ id: string; number: string; period: string; from: string; to: string }[]>`
    SELECT "id"::text, "number", "period", to_char("period_from", 'YYYY-MM-DD') AS "from", to_char("period_to", 'YYYY-MM-DD') AS "to"
      FROM "invoices"
     WHERE "deal_id" = ${query.dealId} AND "number" IS NOT NULL AND "voided_at" IS NULL AND "ledger_recorded"
       AND "period_from" < ${query.to}::date AND ${query.from}::date < "period_to"
       AND "id" IS DISTINCT FROM ${query.exceptInvoiceId}::uuid
     ORDER BY "period_from", "number"`
  return rows.map((r) => ({ invoiceId: r.id, number: r.number, period: r.period, from: r.from, to: r.to }))
}

/** Per work day of [from, to), the deal's live ledger rows on invoices other than `exceptInvoiceId`. */
export async function readLedgerDays(db: Db, query: { dealId: string; from: string; to: string; exceptInvoiceId: string | null }): Promise<LedgerDay[]> {
  if (query.from >= query.to) return []
  const rows = await db.$queryRaw<{ day: string; count: number; idXor: string; minutes: number }[]>`
    SELECT to_char("work_date", 'YYYY-MM-DD') AS "day", count(*)::int AS "count", bit_xor("worklog_hash")::text AS "idXor",
           sum("billable_minutes")::int AS "minutes"
      FROM "billed_work"
     WHERE "deal_id" = ${query.dealId} AND "released_at" IS NULL
       AND "work_date" >= ${query.from}::date AND "work_date" < ${query.to}::date
       AND "invoice_id" IS DISTINCT FROM ${query.exceptInvoiceId}::uuid
     GROUP BY "work_date"`
  return rows.map((r) => ({ workDate: r.day, count: r.count, idXor: r.idXor, billableMinutes: r.minutes }))
}

/** Which of these worklogs a live invoice other than `exceptInvoiceId` bills (any deal). */
export async function findBilledElsewhere(db: Db, worklogIds: readonly string[], exceptInvoiceId: string | null): Promise<BilledElsewhere[]> {
  if (worklogIds.length === 0) return []
  const rows = await db.$queryRaw<{ worklogId: string; invoiceId: string; number: string }[]>`
    SELECT b."worklog_id"::text AS "worklogId", b."invoice_id"::text AS "invoiceId", i."number"
      FROM "billed_work" b JOIN "invoices" i ON i."id" = b."invoice_id"
     WHERE b."released_at" IS NULL AND b."worklog_id" = ANY(${worklogIds}::bigint[])
       AND b."invoice_id" IS DISTINCT FROM ${exceptInvoiceId}::uuid`
  return rows
}

/**
 * Replaces the invoice's live ledger rows with `rows` (inside the finalization's transaction).
 * The partial unique index refuses a worklog another live invoice bills (23505); the ledger's
 * trigger refuses the delete once the invoice was approved or voided, and released rows stay.
 */
export async function writeBilledWork(tx: Prisma.TransactionClient, invoice: { invoiceId: string; dealId: string }, rows: readonly BilledWorkRow[]): Promise<void> {
  await tx.$executeRaw`DELETE FROM "billed_work" WHERE "invoice_id" = ${invoice.invoiceId}::uuid AND "released_at" IS NULL`
  if (rows.length === 0) return
  // One statement for any size, the rows as one JSON text: node-postgres serializes eight
  // 100k-element arrays in ~0.8 s, a string at once (bench/ledger.ts). worklog_hash is the
  // late-work day comparison's (the first 8 bytes of md5 of the id, as ClickHouse computes it in
  // sources/read-billing-worklogs.ts): md5 here costs less than in Node (0.3 s against 0.6 s).
  const json = JSON.stringify(rows.map((r) => [r.worklogId, r.version, r.issueId, r.issueKey, r.workDate, r.rawSeconds, r.billableMinutes, r.lineKey]))
  await tx.$executeRaw`
    INSERT INTO "billed_work" ("invoice_id", "deal_id", "worklog_id", "worklog_version", "issue_id", "issue_key", "work_date",
                               "raw_seconds", "billable_minutes", "line_key", "worklog_hash")
    SELECT ${invoice.invoiceId}::uuid, ${invoice.dealId}, (r->>0)::bigint, (r->>1)::bigint, (r->>2)::bigint, r->>3, (r->>4)::date,
           (r->>5)::int, (r->>6)::int, r->>7, (('x' || left(md5(r->>0), 16))::bit(64))::bigint
      FROM jsonb_array_elements(${json}::jsonb) AS r`
}

/** Whether a write failed because a worklog is already on another live invoice (the partial unique index). */
export function isBilledElsewhereViolation(err: unknown): boolean {
  return sqlStateOf(err) === '23505' && /billed_work_live_worklog/.test(errorText(err))
}

function errorText(err: unknown): string {
  try {
    return `${(err as Error)?.message ?? ''} ${JSON.stringify((err as { meta?: unknown })?.meta ?? {})}`
  } catch {
    return String(err)
  }
}
