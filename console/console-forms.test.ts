import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, TEST_TOKENS, type TestApp, type TestUser } from '../api/create-test-app.js'
import { uniqueName } from '../test-support/temporal.js'
import { confirmBody } from './routes/invoices.js'

/**
 * The console's forms through the real app (test database, test Temporal namespace): each is
 * sent to the API's own route, so what the API refuses comes back as its sentence, next to the
 * field it names, with what the user sent kept in the form.
 */
describe('console forms', () => {
  let t: TestApp
  beforeAll(async () => {
    t = await createTestApp()
  })
  afterAll(() => t?.dispose())

  const cookies = new Map<TestUser, string>()
  async function session(user: TestUser): Promise<{ cookie: string; csrf: string }> {
    if (!cookies.has(user)) {
      const res = await t.app.request('/app/login', { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ token: TEST_TOKENS[user] }).toString() })
      cookies.set(user, res.headers.get('set-cookie')!.split(';')[0]!)
    }
    const cookie = cookies.get(user)!
    const page = await (await t.app.request('/app', { headers: { Cookie: cookie } })).text()
    return { cookie, csrf: /name="csrf" value="([^"]+)"/.exec(page)![1]! }
  }
  async function post(user: TestUser, path: string, fields: Record<string, string>) {
    const { cookie, csrf } = await session(user)
    const res = await t.app.request(path, { method: 'POST', headers: { Cookie: cookie, 'Content-Type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ csrf, ...fields }).toString() })
    return { status: res.status, location: res.headers.get('location'), text: await res.text() }
  }
  const get = async (user: TestUser, path: string) => (await t.app.request(path, { headers: { Cookie: (await session(user)).cookie } })).text()

  it('turns the confirm form into the API body: drops, a new order, renamed lines and manual lines', () => {
    const sent = {
      fingerprint: 'fp',
      'lines.0.lineId': 'time:Dev',
      'lines.0.original': 'Development',
      'lines.0.description': 'Development',
      'lines.0.order': '2',
      'lines.1.lineId': 'time:QA',
      'lines.1.original': 'QA',
      'lines.1.description': 'Testing',
      'lines.1.order': '1',
      'lines.2.lineId': 'time:Ops',
      'lines.2.original': 'Ops',
      'lines.2.description': 'Ops',
      'lines.2.order': '3',
      'lines.2.drop': '1',
      'add.0.description': 'Licence',
      'add.0.quantity': '1',
      'add.0.unit': 'item',
      'add.0.rate': '99.00',
      'add.0.reason': 'agreed on the phone',
      'add.1.description': '',
      'add.1.quantity': '',
      'add.1.rate': '',
      'add.1.reason': '',
    }
    expect(confirmBody(sent)).toEqual({
      fingerprint: 'fp',
      edits: {
        dropLineIds: ['time:Ops'],
        order: ['time:QA', 'time:Dev', 'time:Ops'],
        descriptions: [{ lineId: 'time:QA', description: 'Testing' }],
        addLines: [{ description: 'Licence', quantity: '1', unit: 'item', rate: '99.00', reason: 'agreed on the phone' }],
      },
    })
    // Nothing changed: no edits at all.
    expect(confirmBody({ fingerprint: 'fp', 'lines.0.lineId': 'a', 'lines.0.original': 'A', 'lines.0.description': 'A', 'lines.0.order': '1' })).toEqual({ fingerprint: 'fp' })
  })

  it('adds, refuses, edits and deletes a rate rule with the API messages beside the field', async () => {
    const dealId = uniqueName('CONSOLE-RATE').toUpperCase().replace(/[^A-Z0-9-]/g, '-').slice(0, 40)
    const fields = { dealId, customerId: '', category: 'Development', rate: '80.00', currency: 'USD', validFrom: '2026-01-01', validTo: '', note: 'from the console' }
    const created = await post('admin', '/app/rate-rules', fields)
    expect(created.status, created.text).toBe(303)
    const list = await get('admin', '/app/rate-rules')
    expect(list).toContain(dealId)
    expect(list).toContain('deal+category')

    // The same scope from the same day: the API's overlap refusal, with what to do.
    const overlap = await post('admin', '/app/rate-rules', { ...fields, validFrom: '2026-06-01' })
    expect(overlap.status).toBe(409)
    expect(overlap.text).toMatch(/Not done:<\/strong> rate rule [0-9a-f-]+ of the same scope is valid 2026-01-01/)
    expect(overlap.text).toContain('Change the dates so they do not overlap, or edit the other rule.')
    expect(overlap.text).toContain(`value="2026-06-01"`) // what was sent is kept

    // A bad rate: named beside the rate field.
    const bad = await post('admin', '/app/rate-rules', { ...fields, dealId: `${dealId}-B`, rate: '80,5' })
    expect(bad.status).toBe(400)
    expect(bad.text).toMatch(/name="rate" value="80,5"[^>]*><span class="field-error">must be a non-negative decimal string/)

    const id = /data-rule="([0-9a-f-]+)"/.exec(list.slice(list.indexOf(dealId) - 400))?.[1] ?? (await t.db.rateRule.findFirstOrThrow({ where: { dealId } })).id
    const edited = await post('admin', `/app/rate-rules/${id}`, { ...fields, rate: '85.50' })
    expect(edited.status, edited.text).toBe(303)
    expect((await t.db.rateRule.findUniqueOrThrow({ where: { id } })).rate.toString()).toBe('85.5')
    expect((await post('admin', `/app/rate-rules/${id}/delete`, {})).status).toBe(303)
    expect(await t.db.rateRule.count({ where: { dealId } })).toBe(0)

    // An accountant sees the rules but no form, and a forged post is refused by the API's roles.
    expect(await get('accountant', '/app/rate-rules')).not.toContain('data-rule-form')
    const refused = await post('accountant', '/app/rate-rules', fields)
    expect(refused.status).toBe(403)
    expect(refused.text).toContain('this needs the role admin')
  })

  it('refuses a category rule at a taken position, and validates a setting by its key', async () => {
    const position = 900_000_000 + Math.floor(Math.random() * 1_000_000)
    const rule = { position: String(position), category: 'Console', issueTypes: 'Bug, Task', labels: '', components: '', tempoAccounts: '', projectKeys: 'CONS', active: '1', note: '' }
    expect((await post('admin', '/app/category-rules', rule)).status).toBe(303)
    const stored = await t.db.categoryRule.findFirstOrThrow({ where: { position } })
    expect(stored.issueTypes).toEqual(['Bug', 'Task'])
    const taken = await post('admin', '/app/category-rules', rule)
    expect(taken.status).toBe(409)
    expect(taken.text).toContain(`another category rule already has position ${position}`)
    await t.db.categoryRule.delete({ where: { id: stored.id } })

    const wrong = await post('admin', '/app/settings/makerChecker', { value: 'sometimes' })
    expect(wrong.status).toBe(400)
    expect(wrong.text).toMatch(/value="sometimes"[^>]*> <button>Save<\/button><span class="field-error">/)
    const before = await t.db.setting.findUnique({ where: { key: 'creditNoteNumberPrefix' } })
    const saved = await post('admin', '/app/settings/creditNoteNumberPrefix', { value: 'CN-' })
    expect(saved.status, saved.text).toBe(303)
    expect((await t.db.setting.findUniqueOrThrow({ where: { key: 'creditNoteNumberPrefix' } })).updatedBy).toBe('ada')
    if (!before) await t.db.setting.delete({ where: { key: 'creditNoteNumberPrefix' } })
  })

  it('lists the recent changes of settings below them: who, when, before and after', async () => {
    expect((await post('admin', '/app/settings/paymentCheckHours', { value: '8' })).status).toBe(303)
    expect((await post('admin', '/app/settings/paymentCheckHours', { value: '6' })).status).toBe(303)
    const page = await get('viewer', '/app/settings')
    expect(page).toContain('<h2>Recent changes</h2>')
    const rows = [...page.matchAll(/<tr data-setting-change="paymentCheckHours">(.*?)<\/tr>/g)].map((m) => m[1]!.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim())
    expect(rows.slice(0, 2)).toEqual([expect.stringMatching(/ ada paymentCheckHours 8 → 6$/), expect.stringMatching(/ ada paymentCheckHours 6 → 8$/)])
    expect(await get('viewer', '/app/settings?lang=ru')).toContain('Последние изменения')
  })

  it('names a bad period of a billing run or an invoice beside its field, in Russian too', async () => {
    const run = await post('accountant', '/app/billing-runs', { period: '2026-13', dealIds: '', concurrency: '' })
    expect(run.status).toBe(400)
    expect(run.text).toMatch(/name="period" value="2026-13"[^>]*><span class="field-error">/)
    const invoice = await post('accountant', '/app/invoices?lang=ru', { dealId: 'APP-1001', period: 'October' })
    expect(invoice.status).toBe(400)
    expect(invoice.text).toContain('Не выполнено')
    expect(invoice.text).toMatch(/name="period" value="October"[^>]*><span class="field-error">/)
  })
})
