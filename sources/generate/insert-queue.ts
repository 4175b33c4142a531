import type { ClickHouseClient } from '@clickhouse/client'
import { SOURCE_TABLES, type SourceTable } from '../columns.js'
import type { ColumnRow } from './rows.js'

export interface InsertQueue {
  /** Buffers a row; true when some buffer reached the batch size and `flushFull` should run. */
  add(table: SourceTable, pass: number, row: ColumnRow): boolean
  /** Inserts every full buffer. */
  flushFull(): Promise<void>
  /** Inserts everything left, pass by pass (first syncs before later ones, like the real sync). */
  flushAll(): Promise<void>
  rowsWritten(): Record<SourceTable, number>
}

/**
 * Batches rows per table and per insert pass. Two versions of one row must never share an
 * insert: with optimize_on_insert ClickHouse would merge them inside the block, and the
 * older version would never reach the table as it does with a real sync.
 */
export function createInsertQueue(
  client: ClickHouseClient,
  batchSize: number,
  onFlush: (table: SourceTable, rowsWritten: number) => void,
): InsertQueue {
  const buffers = new Map<string, { table: SourceTable; pass: number; rows: ColumnRow[] }>()
  const written = Object.fromEntries(SOURCE_TABLES.map((t) => [t, 0])) as Record<SourceTable, number>

  const flush = async (key: string): Promise<void> => {
    const buffer = buffers.get(key)
    if (buffer === undefined || buffer.rows.length === 0) return
    const rows = buffer.rows
    buffer.rows = []
    await client.insert({ table: buffer.table, values: rows, format: 'JSONEachRow' })
    written[buffer.table] += rows.length
    onFlush(buffer.table, written[buffer.table])
  }

  return {
    add(table, pass, row) {
      const key = `${table}#${pass}`
      let buffer = buffers.get(key)
      if (buffer === undefined) {
        buffer = { table, pass, rows: [] }
        buffers.set(key, buffer)
      }
      buffer.rows.push(row)
      return buffer.rows.length >= batchSize
    },
    async flushFull() {
      for (const [key, buffer] of buffers) if (buffer.rows.length >= batchSize) await flush(key)
    },
    async flushAll() {
      const keys = [...buffers.entries()].sort(([, a], [, b]) => a.pass - b.pass).map(([key]) => key)
      for (const key of keys) await flush(key)
    },
    rowsWritten: () => ({ ...written }),
  }
}
