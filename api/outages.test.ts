import { Client, Connection } from '@temporalio/client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createDatabase } from '../lib/database.js'
import { isDatabaseUnavailable } from '../lib/database-errors.js'
import { freePort } from '../test-support/temporal-server.js'
import { createTestApp, type TestApp } from './create-test-app.js'
import { apiConnectionOptions } from './temporal-connection.js'

const INVOICE = `/invoices/${encodeURIComponent('invoice:APP-0000:2026-10')}`

async function timed(request: Promise<Response>): Promise<{ res: Response; body: Record<string, unknown>; ms: number }> {
  const started = Date.now()
  const res = await request
  return { res, body: (await res.json()) as Record<string, unknown>, ms: Date.now() - started }
}

/**
 * The API while PostgreSQL or Temporal is down: apps whose database URL or Temporal address is a
 * closed port (the shared services are never stopped). The answer is a prompt 503 saying what is
 * unavailable, in the usual error body, with Retry-After.
 */
describe('outages: 503 naming the service, at once', () => {
  let noDatabase: TestApp
  let noTemporal: TestApp
  let closedPort: number

  beforeAll(async () => {
    closedPort = await freePort()
    noDatabase = await createTestApp({ db: createDatabase(`postgresql://nobody:nothing@127.0.0.1:${closedPort}/invoicing`) })
    // Built like the API's own client (api/server.ts), lazily: nothing listens there.
    const connection = Connection.lazy(apiConnectionOptions({ address: `127.0.0.1:${closedPort}` }))
    noTemporal = await createTestApp({ temporal: new Client({ connection, namespace: 'invoicing-test' }) })
  })
  afterAll(async () => {
    await noDatabase?.dispose()
    await noTemporal?.dispose()
  })

  it('answers GET /invoices/{id} with 503 SERVICE_UNAVAILABLE naming PostgreSQL while it is down', async () => {
    const { res, body } = await timed(noDatabase.call('GET', INVOICE, { as: 'viewer' }))
    expect(res.status).toBe(503)
    expect(res.headers.get('Retry-After')).toBe('5')
    expect(body).toEqual({ code: 'SERVICE_UNAVAILABLE', message: 'the database (PostgreSQL) is not reachable; try again shortly', requestId: expect.any(String) })
    const listed = await noDatabase.call('GET', '/invoices', { as: 'viewer' })
    expect(listed.status).toBe(503)
  })

  it('tells a database that cannot be reached from a query that fails', () => {
    expect(isDatabaseUnavailable({ code: 'P1001', meta: { driverAdapterError: { cause: { kind: 'DatabaseNotReachable' } } } })).toBe(true)
    expect(isDatabaseUnavailable({ code: '57P01' })).toBe(true) // the server is shutting down
    expect(isDatabaseUnavailable({ code: '08006' })).toBe(true) // connection failure
    expect(isDatabaseUnavailable({ code: '22001' })).toBe(false) // value too long: the data, not the server
    expect(isDatabaseUnavailable(new TypeError('x is undefined'))).toBe(false)
  })

  it('answers GET /invoices/{id} and POST /invoices within 2 s while Temporal is down (503, Retry-After)', async () => {
    const read = await timed(noTemporal.call('GET', INVOICE, { as: 'viewer' }))
    expect(read.res.status).toBe(503)
    expect(read.body).toMatchObject({ code: 'SERVICE_UNAVAILABLE', message: 'Temporal is not reachable; try again shortly' })
    expect(read.res.headers.get('Retry-After')).toBe('5')
    expect(read.ms).toBeLessThan(3_000)

    const start = await timed(noTemporal.call('POST', '/invoices', { as: 'accountant', body: { dealId: 'APP-0000', period: '2026-10' } }))
    expect(start.res.status).toBe(503)
    expect(start.body).toMatchObject({ code: 'SERVICE_UNAVAILABLE' })
    expect(start.ms).toBeLessThan(3_000)

    // The list is read from PostgreSQL: it does not need Temporal at all.
    const list = await timed(noTemporal.call('GET', '/invoices', { as: 'viewer' }))
    expect(list.res.status).toBe(200)
    expect(list.ms).toBeLessThan(3_000)
  })

  it('keeps /health at 503 for Temporal but only warns about the worker, within the 3 s of a check', async () => {
    const { res, body, ms } = await timed(noTemporal.call('GET', '/health', { as: null }))
    expect(res.status).toBe(503)
    expect(body).toMatchObject({ status: 'down', down: ['temporal'], checks: { postgres: { status: 'ok' }, worker: { status: 'warn', detail: expect.stringContaining('could not learn whether a worker polls') } } })
    expect(ms).toBeLessThan(4_000)
  })
})
