import type { ClickHouseClient } from '@clickhouse/client'
import { z } from 'zod'
import { DEALS as D } from './columns.js'
import { decimalString, parseRow, uint64String } from './parse-row.js'
import { selectList, selectRows, type SelectFields } from './select-rows.js'
import type { SourceDeal } from './types.js'

const dealSchema = z.object({
  dealId: z.string(),
  customerId: z.string(),
  title: z.string(),
  contractNumber: z.string(),
  contractDate: z.iso.date(),
  dealType: z.enum(['time_and_materials', 'fixed_monthly', 'retainer']),
  currency: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code'),
  hourlyRate: decimalString.nullable(),
  monthlyFee: decimalString.nullable(),
  includedHours: decimalString.nullable(),
  overageRate: decimalString.nullable(),
  hoursLimit: decimalString.nullable(),
  amountLimit: decimalString.nullable(),
  limitMode: z.enum(['cap', 'warn']),
  vatRate: decimalString.nullable(),
  minBillableMinutes: z.number().int().nullable(),
  roundingIncrementMinutes: z.number().int().nullable(),
  billNonBillable: z.boolean(),
  projectKeys: z.array(z.string()),
  tempoAccounts: z.array(z.string()),
  status: z.enum(['active', 'closed']),
  paymentTermsDays: z.number().int(),
  version: uint64String,
}) satisfies z.ZodType<SourceDeal>

const DEAL_FIELDS = {
  dealId: D.dealId,
  customerId: D.customerId,
  title: D.title,
  contractNumber: D.contractNumber,
  contractDate: `toString(${D.contractDate})`,
  dealType: D.dealType,
  currency: D.currency,
  hourlyRate: D.hourlyRate,
  monthlyFee: D.monthlyFee,
  includedHours: D.includedHours,
  overageRate: D.overageRate,
  hoursLimit: D.hoursLimit,
  amountLimit: D.amountLimit,
  limitMode: D.limitMode,
  vatRate: D.vatRate,
  minBillableMinutes: D.minBillableMinutes,
  roundingIncrementMinutes: D.roundingIncrementMinutes,
  billNonBillable: D.billNonBillable,
  projectKeys: D.projectKeys,
  tempoAccounts: D.tempoAccounts,
  status: D.status,
  paymentTermsDays: D.paymentTermsDays,
  version: `toString(${D.version})`,
} satisfies SelectFields

// FINAL keeps the highest _version per id and drops it when that version is deleted.
const DEAL_SQL = `
SELECT
  ${selectList(DEAL_FIELDS)}
FROM ${D.table} FINAL
WHERE ${D.dealId} = {dealId:String}
LIMIT 1`

/**
 * The latest state of a deal, or null when the id is unknown or the deal was deleted at the
 * source (the caller turns null into a non-retryable failure).
 */
export async function readDeal(client: ClickHouseClient, dealId: string): Promise<SourceDeal | null> {
  const rows = await selectRows(client, DEAL_SQL, { dealId }, DEAL_FIELDS, (row) => parseRow(dealSchema, row, `${D.table} ${dealId}`))
  return rows[0] ?? null
}
