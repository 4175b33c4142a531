import type { ClickHouseClient } from '@clickhouse/client'
import { z } from 'zod'
import { CUSTOMERS as C } from './columns.js'
import { parseRow, uint64String } from './parse-row.js'
import { selectList, selectRows, type SelectFields } from './select-rows.js'
import type { SourceCustomer } from './types.js'

const customerSchema = z.object({
  customerId: z.string(),
  name: z.string(),
  legalName: z.string(),
  country: z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166 alpha-2 code'),
  tin: z.string().nullable(),
  vatRegCode: z.string(),
  address: z.string(),
  bankName: z.string(),
  bankAccount: z.string(),
  mfo: z.string(),
  swift: z.string(),
  director: z.string(),
  accountant: z.string(),
  language: z.enum(['en', 'ru', 'uz']),
  eInvoicing: z.boolean(),
  version: uint64String,
}) satisfies z.ZodType<SourceCustomer>

const CUSTOMER_FIELDS = {
  customerId: C.customerId,
  name: C.name,
  legalName: C.legalName,
  country: C.country,
  tin: C.tin,
  vatRegCode: C.vatRegCode,
  address: C.address,
  bankName: C.bankName,
  bankAccount: C.bankAccount,
  mfo: C.mfo,
  swift: C.swift,
  director: C.director,
  accountant: C.accountant,
  language: C.language,
  eInvoicing: C.eInvoicing,
  version: `toString(${C.version})`,
} satisfies SelectFields

const CUSTOMER_SQL = `
SELECT
  ${selectList(CUSTOMER_FIELDS)}
FROM ${C.table} FINAL
WHERE ${C.customerId} = {customerId:String}
LIMIT 1`

/** The latest state of a customer, or null when the id is unknown or deleted at the source. */
export async function readCustomer(client: ClickHouseClient, customerId: string): Promise<SourceCustomer | null> {
  const rows = await selectRows(client, CUSTOMER_SQL, { customerId }, CUSTOMER_FIELDS, (row) =>
    parseRow(customerSchema, row, `${C.table} ${customerId}`),
  )
  return rows[0] ?? null
}
