import type { Client } from '@temporalio/client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../lib/config.js'
import { createTestApp, type TestApp } from './create-test-app.js'
import { createDefaultChecks, runHealthChecks } from './health-checks.js'

/** A Temporal client whose namespace answers but whose task-queue describe fails or hangs, as right after a restart. */
function temporalAfterRestart(describeTaskQueue: () => Promise<unknown>): Client {
  const withDeadline = (deadline: number, call: () => Promise<unknown>) =>
    Promise.race([call(), new Promise((_, reject) => setTimeout(() => reject(new Error('4 DEADLINE_EXCEEDED: Deadline exceeded')), deadline - Date.now()))])
  return { options: { namespace: 'invoicing-test' }, withDeadline, workflowService: { describeNamespace: async () => ({}), describeTaskQueue } } as unknown as Client
}

describe('/health, /openapi.json and /docs (no token needed)', () => {
  let t: TestApp
  beforeAll(async () => {
    t = await createTestApp()
  })
  afterAll(() => t?.dispose())

  it('is 200 when PostgreSQL and Temporal answer; the embedded ClickHouse is skipped, a missing worker only warns', async () => {
    const res = await t.call('GET', '/health', { as: null })
    expect(res.status).toBe(200)
    const body = (await res.json()) as { status: string; down: string[]; checks: Record<string, { status: string; detail?: string }> }
    expect(body).toMatchObject({ status: 'ok', down: [] })
    expect(body.checks.postgres!.status).toBe('ok')
    expect(body.checks.temporal).toMatchObject({ status: 'ok', detail: `namespace ${t.env.namespace}` })
    expect(body.checks.clickhouse).toEqual({ status: 'skipped', detail: 'embedded (in the worker)' })
    expect(body.checks.worker).toMatchObject({ status: 'warn', detail: expect.stringContaining('no worker polls') })
  })

  it('is 503 naming the check that is down (a throw or a hang)', async () => {
    const failing = await createTestApp({
      checks: {
        postgres: async () => ({ status: 'ok' }),
        temporal: async () => {
          throw new Error('connect ECONNREFUSED 127.0.0.1:7233')
        },
        clickhouse: () => new Promise(() => {}),
      },
    })
    try {
      const res = await failing.call('GET', '/health', { as: null })
      expect(res.status).toBe(503)
      expect(await res.json()).toEqual({
        status: 'down',
        down: ['temporal', 'clickhouse'],
        checks: {
          postgres: { status: 'ok' },
          temporal: { status: 'down', detail: 'connect ECONNREFUSED 127.0.0.1:7233' },
          clickhouse: { status: 'down', detail: 'no answer within 3000 ms' },
        },
      })
    } finally {
      await failing.dispose()
    }
  })

  it('only warns about the worker when Temporal cannot say whether one polls (a throw or a hang), as docs/api.md says', async () => {
    const config = loadConfig(process.env, { needsApiTokens: false })
    const workerCheck = (describeTaskQueue: () => Promise<unknown>) => createDefaultChecks({ config, db: t.db, temporal: temporalAfterRestart(describeTaskQueue), taskQueue: 'invoicing' }).worker!
    for (const describeTaskQueue of [() => Promise.reject(new Error('14 UNAVAILABLE: Not enough hosts to serve the request')), () => new Promise(() => {})]) {
      const results = await runHealthChecks({ worker: workerCheck(describeTaskQueue) })
      expect(results.worker).toMatchObject({ status: 'warn', detail: expect.stringContaining('could not learn whether a worker polls task queue invoicing') })
    }
    const app = await createTestApp({ checks: { postgres: async () => ({ status: 'ok' }), worker: workerCheck(() => Promise.reject(new Error('14 UNAVAILABLE'))) } })
    try {
      const res = await app.call('GET', '/health', { as: null })
      expect(res.status).toBe(200)
      expect(await res.json()).toMatchObject({ status: 'ok', down: [], checks: { worker: { status: 'warn' } } })
    } finally {
      await app.dispose()
    }
  })

  it('serves the OpenAPI document generated from the route schemas, and an HTML index of it', async () => {
    const res = await t.call('GET', '/openapi.json', { as: null })
    expect(res.status).toBe(200)
    const doc = (await res.json()) as {
      openapi: string
      paths: Record<string, Record<string, { security?: unknown; requestBody?: unknown }>>
      components: { schemas: Record<string, { properties?: Record<string, unknown>; additionalProperties?: unknown }>; securitySchemes: Record<string, unknown> }
    }
    expect(doc.openapi).toBe('3.1.0')
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/invoices', '/invoices/{id}', '/invoices/{id}/pdf', '/invoices/{id}/events', '/invoices/{id}/confirm', '/rate-rules/{id}', '/category-rules', '/settings/{key}', '/health']),
    )
    expect(doc.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' })
    expect(doc.paths['/invoices']!.post!.security).toEqual([{ bearerAuth: [] }])
    expect(doc.components.schemas.StartInvoice!.properties).toHaveProperty('period')
    expect(doc.components.schemas.StartInvoice!.additionalProperties).toBe(false)
    expect(doc.components.schemas.Error!.properties).toHaveProperty('requestId')

    const page = await t.call('GET', '/docs', { as: null })
    expect(page.headers.get('Content-Type')).toMatch(/^text\/html/)
    const html = await page.text()
    expect(html).toContain('<code>/invoices/{id}/approve</code></td><td>approver</td>')
    expect(html).not.toContain('<script')
  })

  it('documents what validation enforces: the period grammar, the cursors, validTo > validFrom, non-empty arrays, 400 and 503', async () => {
    type Parameter = { name: string; schema: { pattern?: string; description?: string } }
    const doc = (await (await t.call('GET', '/openapi.json', { as: null })).json()) as {
      paths: Record<string, Record<string, { parameters?: Parameter[]; responses: Record<string, unknown> }>>
      components: { schemas: Record<string, { description?: string; properties: Record<string, { pattern?: string; description?: string; minItems?: number }> }> }
    }
    const param = (path: string, name: string) => doc.paths[path]!.get!.parameters!.find((p) => p.name === name)!.schema
    const period = new RegExp(doc.components.schemas.StartInvoice!.properties.period!.pattern!)
    for (const good of ['2026-10', '2026-10-03..2026-10-17']) expect(period.test(good), good).toBe(true)
    for (const bad of ['2026-13', ' 2026-10', '2026-10-03..2026-10-32', 'October', '2026-10..2026-11']) expect(period.test(bad), bad).toBe(false)
    expect(param('/invoices', 'period').pattern).toBe(doc.components.schemas.StartInvoice!.properties.period!.pattern)

    expect(new RegExp(param('/invoices', 'cursor').pattern!).test('%%%')).toBe(false)
    const runsCursor = new RegExp(param('/billing-runs', 'cursor').pattern!)
    expect(runsCursor.test('AAAA')).toBe(false)
    expect(runsCursor.test('eyJSdW5JRCI6IngifQ.abcdEF12')).toBe(true)
    expect(param('/invoices', 'number').pattern).toContain('\\u0000-\\u001f')
    expect(doc.components.schemas.RateRuleInput!.properties.validTo!.description).toContain('validTo > validFrom')
    expect(doc.components.schemas.StartBillingRun!.properties.dealIds!.minItems).toBe(1)
    expect(Object.keys(doc.paths['/invoices/{id}']!.get!.responses)).toEqual(expect.arrayContaining(['400', '404', '503']))
  })

  it('echoes a well-formed X-Request-Id, generates one otherwise, and logs each request as JSON with it', async () => {
    const echoed = await t.call('GET', '/health', { as: null, headers: { 'X-Request-Id': 'ticket-4711' } })
    expect(echoed.headers.get('X-Request-Id')).toBe('ticket-4711')
    const replaced = await t.call('GET', '/health', { as: null, headers: { 'X-Request-Id': 'bad id <script>' } })
    expect(replaced.headers.get('X-Request-Id')).toMatch(/^[0-9a-f-]{36}$/)
    const line = t.logs.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.requestId === 'ticket-4711')
    expect(line).toMatchObject({ level: 'info', msg: 'request', method: 'GET', path: '/health', status: 200 })
  })
})
