import { CONTACTS, CUSTOMERS, DEALS, type SourceTable } from '../columns.js'
import {
  CATALOG_CONTACTS,
  CATALOG_CUSTOMERS,
  CATALOG_DEALS,
  CONTACT_FIRST_VERSIONS,
  CUSTOMER_FIRST_VERSIONS,
  DEAL_FIRST_VERSIONS,
  DELETED_CONTACT,
  DELETED_CUSTOMER,
  DELETED_DEAL,
} from './catalog.js'
import { toContactRow, toCustomerRow, toDealRow, type ColumnRow, type SyncStamp } from './rows.js'

/** A row and the insert pass it belongs to (versions of one row never share an insert). */
export interface PassRow {
  table: SourceTable
  pass: number
  row: ColumnRow
}

const FIRST_SYNC_MS = Date.UTC(2026, 5, 1, 1, 0, 0)
const SECOND_SYNC_MS = Date.UTC(2026, 6, 15, 1, 0, 0)

/**
 * Customers, contacts and deals as two CDM syncs wrote them: every row in the first, then the
 * updated and deleted ones again in the second. Versions are the sync instants in ms.
 */
export function* generateCdmRows(): Generator<PassRow> {
  yield* versionsOf(CUSTOMERS.table, CATALOG_CUSTOMERS, DELETED_CUSTOMER, CUSTOMER_FIRST_VERSIONS, (c) => c.customerId, toCustomerRow)
  yield* versionsOf(CONTACTS.table, CATALOG_CONTACTS, DELETED_CONTACT, CONTACT_FIRST_VERSIONS, (c) => c.contactId, toContactRow)
  yield* versionsOf(DEALS.table, CATALOG_DEALS, DELETED_DEAL, DEAL_FIRST_VERSIONS, (d) => d.dealId, toDealRow)
}

function* versionsOf<T>(
  table: SourceTable,
  latest: readonly T[],
  deleted: T,
  firstVersions: Readonly<Record<string, Partial<T>>>,
  idOf: (item: T) => string,
  toRow: (item: T, stamp: SyncStamp) => ColumnRow,
): Generator<PassRow> {
  const all = [...latest, deleted]
  for (const [i, item] of all.entries()) {
    const older = firstVersions[idOf(item)]
    const first = older === undefined ? item : { ...item, ...older }
    const stamp = FIRST_SYNC_MS + i * 1000
    yield { table, pass: 1, row: toRow(first, { version: stamp, deleted: false, syncedAtMs: stamp }) }
  }
  for (const [i, item] of all.entries()) {
    const isDeleted = item === deleted
    if (!isDeleted && firstVersions[idOf(item)] === undefined) continue
    const stamp = SECOND_SYNC_MS + i * 1000
    yield { table, pass: 2, row: toRow(item, { version: stamp, deleted: isDeleted, syncedAtMs: stamp }) }
  }
}
