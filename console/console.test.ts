import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, TEST_TOKENS, type TestApp } from '../api/create-test-app.js'
import { createTestInvoice } from '../test-support/test-invoice.js'

/**
 * The console's session and pages through the real app (test database, test Temporal
 * namespace): sign-in with a token for an HttpOnly SameSite cookie, forms refused without
 * their CSRF token, the invoice list and page in English and Russian, a refusal as a sentence.
 */
describe('finance console', () => {
  let t: TestApp
  beforeAll(async () => {
    t = await createTestApp()
  })
  afterAll(() => t?.dispose())

  const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString()
  async function signIn(token: string): Promise<string> {
    const res = await t.app.request('/app/login', { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: form({ token }) })
    expect(res.status).toBe(303)
    const cookie = res.headers.get('set-cookie')!
    expect(cookie).toMatch(/invoicing_session=[^;]+;.*HttpOnly/i)
    expect(cookie).toMatch(/SameSite=Strict/i)
    return cookie.split(';')[0]!
  }
  const get = (path: string, cookie?: string) => t.app.request(path, cookie ? { headers: { Cookie: cookie } } : {})
  const csrfOf = (page: string) => /name="csrf" value="([^"]+)"/.exec(page)![1]!

  it('sends a visitor without a session to sign in, and refuses an unknown token', async () => {
    const res = await get('/app')
    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe('/app/login')
    const bad = await t.app.request('/app/login', { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: form({ token: 'nope' }) })
    expect(bad.status).toBe(401)
    expect(await bad.text()).toContain('This token is not known')
    // A forged cookie is no session.
    expect((await get('/app', 'invoicing_session=eyJpZCI6ImFkYSJ9.forged')).status).toBe(303)
  })

  it('lists invoices for a signed-in user, in English or Russian, with counts per state', async () => {
    const invoice = await createTestInvoice(t.db)
    await t.db.invoiceRun.create({
      data: { workflowRunId: `run-${invoice.invoiceId}`, workflowId: `invoice:CONSOLE-1:2026-10`, state: 'awaiting_approval', dealId: 'CONSOLE-1', period: '2026-10', invoiceId: invoice.invoiceId, invoiceNumber: invoice.number, currency: 'USD', total: '1234.50', nextActor: 'approver', startedBy: 'alice', view: {}, transitionAt: new Date(), startedAt: new Date() },
    })
    const cookie = await signIn(TEST_TOKENS.approver)
    const page = await (await get('/app', cookie)).text()
    expect(page).toContain('Invoices')
    expect(page).toContain(invoice.number)
    expect(page).toMatch(/USD\s1,234\.50/)
    expect(page).toContain('To approve (1)')
    expect(page).toMatch(/awaiting_approval \(\d+\)/)
    const mine = await (await get('/app?mine=approver', cookie)).text()
    expect(mine).toContain(invoice.number)
    const ru = await (await get('/app?lang=ru', cookie)).text()
    expect(ru).toContain('Счета')
    expect(ru).toMatch(/1\s234,50\sUSD/)
  })

  it('refuses a form without its CSRF token, and shows a refusal as a sentence with what to do', async () => {
    const cookie = await signIn(TEST_TOKENS.accountant)
    const noToken = await t.app.request('/app/invoices/invoice%3ANOPE%3A2026-10/cancel', { method: 'POST', headers: { Cookie: cookie, 'Content-Type': 'application/x-www-form-urlencoded' }, body: form({ reason: 'x' }) })
    expect(noToken.status).toBe(403)
    const csrf = csrfOf(await (await get('/app', cookie)).text())
    const forbidden = await t.app.request('/app/invoices/invoice%3ACONSOLE-1%3A2026-10/approve', { method: 'POST', headers: { Cookie: cookie, 'Content-Type': 'application/x-www-form-urlencoded' }, body: form({ csrf, pdfVersion: '1' }) })
    expect(forbidden.status).toBe(403) // alice is an accountant, not an approver
    expect(await forbidden.text()).toMatch(/Not done:<\/strong> this needs the role approver; alice has accountant/)
    const signOut = await t.app.request('/app/logout', { method: 'POST', headers: { Cookie: cookie, 'Content-Type': 'application/x-www-form-urlencoded' }, body: form({ csrf }) })
    expect(signOut.status).toBe(303)
    expect(signOut.headers.get('set-cookie')).toMatch(/invoicing_session=;/)
  })
})
