import type { ClickHouseClient } from '@clickhouse/client'
import { z } from 'zod'
import { CONTACTS as C } from './columns.js'
import { parseRow, uint64String } from './parse-row.js'
import { selectList, selectRows, type SelectFields } from './select-rows.js'
import type { SourceContact } from './types.js'

const contactSchema = z.object({
  contactId: z.string(),
  customerId: z.string(),
  name: z.string(),
  email: z.string(),
  phone: z.string(),
  isBilling: z.boolean(),
  version: uint64String,
}) satisfies z.ZodType<SourceContact>

const CONTACT_FIELDS = {
  contactId: C.contactId,
  customerId: C.customerId,
  name: C.name,
  email: C.email,
  phone: C.phone,
  isBilling: C.isBilling,
  version: `toString(${C.version})`,
} satisfies SelectFields

// customer_id is not the sorting key: ClickHouse applies this WHERE after FINAL picked the latest
// version, so a contact moved to another customer is not returned under its old one.
const CONTACTS_SQL = `
SELECT
  ${selectList(CONTACT_FIELDS)}
FROM ${C.table} FINAL
WHERE ${C.customerId} = {customerId:String}
ORDER BY ${C.contactId}`

/** The customer's contacts (billing and not), latest state, deleted ones excluded, ordered by id. */
export async function readContacts(client: ClickHouseClient, customerId: string): Promise<SourceContact[]> {
  return selectRows(client, CONTACTS_SQL, { customerId }, CONTACT_FIELDS, (row) => parseRow(contactSchema, row, `${C.table} row`))
}
