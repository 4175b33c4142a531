import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readFileSync } from 'node:fs'
import { parseApiTokens, ROLES } from './auth.js'
import { roleTable, tableIn } from './role-table.js'
import { createTestApp, TEST_TOKENS, type TestApp, type TestUser } from './create-test-app.js'

/** Secured operations as the OpenAPI document declares them, with ids that pass validation. */
async function readSecuredOperations(t: TestApp): Promise<{ method: string; path: string; roles: string[] }[]> {
  const doc = (await (await t.call('GET', '/openapi.json', { as: null })).json()) as { paths: Record<string, Record<string, { 'x-roles'?: string[] }>> }
  return Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.entries(ops)
      .filter(([, op]) => op['x-roles'])
      .map(([method, op]) => ({
        method: method.toUpperCase(),
        path: path.replace('{id}', path.startsWith('/invoices') ? encodeURIComponent('invoice:APP-0000:2026-10') : '00000000-0000-4000-8000-000000000000').replace('{key}', 'makerChecker'),
        roles: op['x-roles']!,
      })),
  )
}

describe('parseApiTokens', () => {
  it('maps tokens to users and roles', () => {
    const index = parseApiTokens('a=alice:accountant, b=bob:approver+viewer')
    expect([...index.values()]).toEqual([
      { id: 'alice', roles: ['accountant'] },
      { id: 'bob', roles: ['approver', 'viewer'] },
    ])
    expect([...index.keys()].every((k) => /^[0-9a-f]{64}$/.test(k))).toBe(true)
  })

  it('writes user ids in lower case: "Alice" and "alice" are one person to maker-checker', () => {
    const index = parseApiTokens('a=Alice:accountant,b=ALICE:approver')
    expect([...index.values()].map((u) => u.id)).toEqual(['alice', 'alice'])
  })

  it('refuses malformed entries, unknown roles and repeated tokens at start-up', () => {
    expect(() => parseApiTokens('justatoken')).toThrow(/entry 1 must look like token=user:role/)
    expect(() => parseApiTokens('t=alice:accountant+boss')).toThrow(/unknown role\(s\) boss/)
    expect(() => parseApiTokens('t=alice:viewer,t=bob:viewer')).toThrow(/repeats a token/)
    expect(parseApiTokens('').size).toBe(0)
  })
})

describe('authentication and roles on every secured route', () => {
  let t: TestApp
  beforeAll(async () => {
    t = await createTestApp()
  })
  afterAll(() => t?.dispose())

  it('answers 401 without a token, with another scheme, or with an unknown token', async () => {
    const operations = await readSecuredOperations(t)
    expect(operations.length).toBeGreaterThanOrEqual(20)
    for (const op of operations) {
      for (const headers of [{}, { Authorization: 'Basic YWRhOmFkYQ==' }, { Authorization: 'Bearer not-a-token' }] as Record<string, string>[]) {
        const res = await t.call(op.method, op.path, { as: null, headers, body: op.method === 'GET' || op.method === 'DELETE' ? undefined : {} })
        expect(res.status, `${op.method} ${op.path} ${JSON.stringify(headers)}`).toBe(401)
        const body = (await res.json()) as { code: string; requestId: string }
        expect(body.code).toBe('UNAUTHENTICATED')
        expect(body.requestId).toBe(res.headers.get('X-Request-Id'))
        expect(res.headers.get('WWW-Authenticate')).toMatch(/^Bearer/)
      }
    }
  })

  it('answers 403 to every role a write route does not allow, before looking at the body', async () => {
    const operations = (await readSecuredOperations(t)).filter((op) => op.roles.length < ROLES.length)
    expect(operations.map((op) => `${op.method} ${op.path.split('/').slice(0, 2).join('/')}`)).toEqual(
      expect.arrayContaining(['POST /invoices', 'PUT /settings', 'POST /rate-rules', 'DELETE /category-rules']),
    )
    let checked = 0
    for (const op of operations) {
      for (const user of ['viewer', 'accountant', 'approver', 'admin'] as TestUser[]) {
        if (op.roles.includes(user)) continue
        const res = await t.call(op.method, op.path, { as: user, body: op.method === 'GET' || op.method === 'DELETE' ? undefined : { unknownField: true } })
        expect(res.status, `${user}: ${op.method} ${op.path}`).toBe(403)
        expect(await res.json()).toMatchObject({ code: 'FORBIDDEN', message: expect.stringContaining(`role ${op.roles.join(' or ')}`), requiredRoles: op.roles })
        checked += 1
      }
    }
    expect(checked).toBeGreaterThanOrEqual(40)
  })

  it('lets each route past authorization for exactly the roles it declares (every route x every test user)', async () => {
    const users = Object.keys(TEST_TOKENS) as TestUser[]
    const rolesOf = Object.fromEntries(users.map((u) => [u, ({ viewer: ['viewer'], accountant: ['accountant'], approver: ['approver'], admin: ['admin'], maker: ['accountant', 'approver'] } as Record<TestUser, string[]>)[u]]))
    let allowed = 0
    for (const op of await readSecuredOperations(t)) {
      for (const user of users) {
        if (!rolesOf[user]!.some((r) => op.roles.includes(r))) continue
        // A body the schema refuses and ids that do not exist: past the role check, nothing happens.
        const res = await t.call(op.method, op.path, { as: user, body: op.method === 'GET' || op.method === 'DELETE' ? undefined : { unknownField: true } })
        expect([401, 403], `${user}: ${op.method} ${op.path} answered ${res.status}`).not.toContain(res.status)
        expect(res.status, `${user}: ${op.method} ${op.path}`).toBeLessThan(500)
        allowed += 1
      }
    }
    expect(allowed).toBeGreaterThanOrEqual(100)
  })

  it('documents who may call each route with the table generated from the same declarations', async () => {
    const doc = (await (await t.call('GET', '/openapi.json', { as: null })).json()) as Parameters<typeof roleTable>[0]
    const documented = tableIn(readFileSync(new URL('../docs/api.md', import.meta.url), 'utf8'))
    expect(documented, 'docs/api.md is out of date: run npx tsx scripts/role-table.ts --write').toBe(roleTable(doc))
  })

  it('lets every role read, and declares the roles of each route in the OpenAPI document', async () => {
    for (const user of Object.keys(TEST_TOKENS) as TestUser[]) {
      expect((await t.call('GET', '/settings', { as: user })).status).toBe(200)
    }
    const operations = await readSecuredOperations(t)
    expect(operations.find((op) => op.method === 'POST' && op.path.endsWith('/approve'))!.roles).toEqual(['approver'])
    expect(operations.find((op) => op.method === 'POST' && op.path.endsWith('/cancel'))!.roles).toEqual(['accountant', 'approver'])
    expect(operations.find((op) => op.method === 'POST' && op.path.endsWith('/retry'))!.roles).toEqual(['admin'])
  })
})
