import { ClickHouseError } from '@clickhouse/client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createClickHouse } from '../clients/clickhouse.js'
import { createTestClickHouse, type TestClickHouse } from './create-test-clickhouse.js'

let ch: TestClickHouse

beforeAll(() => {
  ch = createTestClickHouse('client', 1_000)
})

afterAll(async () => {
  await ch?.dispose()
})

describe('createClickHouse (embedded)', () => {
  it('returns decimals and 64-bit integers as exact strings', async () => {
    const result = await ch.client.query({
      query: 'SELECT toDecimal64({d:String}, 4) AS d, toUInt64({u:String}) AS u, toInt32(-5) AS i',
      query_params: { d: '12345678901234.5678', u: '18446744073709551615' },
      format: 'JSONEachRow',
    })
    expect(await result.json()).toEqual([{ d: '12345678901234.5678', u: '18446744073709551615', i: -5 }])
  })

  it('stops a query at the configured timeout', async () => {
    const started = Date.now()
    const slow = ch.client.query({
      query: 'SELECT count() FROM numbers(100000000000) WHERE sipHash64(number) % 7 = 3',
      format: 'JSONEachRow',
    })
    await expect(slow).rejects.toThrow(/timeout/i)
    expect(Date.now() - started).toBeLessThan(10_000)
  })

  it('reports engine errors as ClickHouseError with code and type', async () => {
    const failing = ch.client.query({ query: 'SELECT * FROM no_such_db.no_such_table', format: 'JSONEachRow' })
    await expect(failing).rejects.toBeInstanceOf(ClickHouseError)
    await expect(failing).rejects.toMatchObject({ code: '81', type: 'UNKNOWN_DATABASE' })
  })

  it('shares one engine per directory until its last client closes', async () => {
    const second = createClickHouse({ url: undefined, path: ch.dir, username: 'default', password: '', timeoutMs: 5_000 })
    await second.command({ query: 'CREATE TABLE IF NOT EXISTS default.shared (x UInt8) ENGINE = MergeTree ORDER BY x' })
    await second.insert({ table: 'default.shared', values: [{ x: 7 }], format: 'JSONEachRow' })
    await second.close()
    // The first client still works, and sees what the second wrote.
    const result = await ch.client.query({ query: 'SELECT x FROM default.shared', format: 'JSONEachRow' })
    expect(await result.json()).toEqual([{ x: 7 }])
    await expect(second.query({ query: 'SELECT 1', format: 'JSONEachRow' })).rejects.toThrow(/closed/)
  })
})
