import type { ClickHouseClient } from '@clickhouse/client'

/** Query parameters bound server-side ({name:Type} placeholders), never spliced into SQL text. */
export type QueryParams = Record<string, unknown>

/** `alias: expression` pairs of a SELECT list; the aliases are the TypeScript field names. */
export type SelectFields = Record<string, string>

/** Renders `expr AS alias` pairs, in the order of `fields` (selectRows relies on that order). */
export function selectList(fields: SelectFields): string {
  return Object.entries(fields)
    .map(([alias, expr]) => (expr === alias ? expr : `${expr} AS ${alias}`))
    .join(',\n  ')
}

/**
 * Runs a SELECT whose list was rendered by `selectList(fields)` and maps each row as it streams
 * in, so a large result is never held twice. Rows travel as JSON arrays (JSONCompactEachRow):
 * about half the bytes of keyed objects, which is most of the cost for a deal with a million
 * worklogs.
 */
export async function selectRows<T>(
  client: ClickHouseClient,
  query: string,
  params: QueryParams,
  fields: SelectFields,
  mapRow: (row: Record<string, unknown>) => T,
): Promise<T[]> {
  const names = Object.keys(fields)
  const result = await client.query({ query, query_params: params, format: 'JSONCompactEachRow' })
  const out: T[] = []
  for await (const rows of result.stream<unknown[]>()) {
    for (const row of rows) {
      const values = row.json()
      const record: Record<string, unknown> = {}
      for (let i = 0; i < names.length; i++) record[names[i] as string] = values[i]
      out.push(mapRow(record))
    }
  }
  return out
}

/** ClickHouse prints DateTime64(3, 'UTC') as 'YYYY-MM-DD hh:mm:ss.sss'; the code uses ISO 8601. */
export function toIsoUtc(value: string): string {
  return `${value.replace(' ', 'T')}Z`
}
