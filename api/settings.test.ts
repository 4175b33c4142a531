import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readSettings, SETTING_KEYS } from '../db/settings.js'
import { testDatabaseUrl } from '../test-support/env.js'
import { createTestApp, type TestApp } from './create-test-app.js'

interface SettingDto {
  key: string
  value: unknown
  isDefault: boolean
  updatedBy: string | null
}

// Settings are global rows other test files read concurrently: writes here put back the value
// that is already there, and the row's updatedBy is restored afterwards.
describe('/settings', () => {
  let t: TestApp
  let original: { key: string; updatedBy: string | null }[]

  beforeAll(async () => {
    t = await createTestApp()
    original = await t.db.setting.findMany({ where: { key: { in: ['makerChecker', 'seller'] } }, select: { key: true, updatedBy: true } })
  })
  afterAll(async () => {
    for (const row of original ?? []) await t.db.setting.update({ where: { key: row.key }, data: { updatedBy: row.updatedBy } })
    await t?.dispose()
  })

  it('lists every known key with its effective value, for any role', async () => {
    const res = await t.call('GET', '/settings', { as: 'viewer' })
    expect(res.status).toBe(200)
    const { items } = (await res.json()) as { items: SettingDto[] }
    expect(items.map((s) => s.key)).toEqual(SETTING_KEYS)
    const current = await readSettings(t.db)
    for (const item of items) expect(item.value).toEqual(current[item.key as keyof typeof current])
  })

  it('writes a key back with its own value (round trip), recording who changed it', async () => {
    const before = (await (await t.call('GET', '/settings/makerChecker', { as: 'viewer' })).json()) as SettingDto
    expect(typeof before.value).toBe('boolean')
    const res = await t.call('PUT', '/settings/makerChecker', { body: { value: before.value } })
    expect(res.status).toBe(200)
    expect(await res.json()).toMatchObject({ key: 'makerChecker', value: before.value, isDefault: false, updatedBy: 'ada' })
    expect((await readSettings(t.db)).makerChecker).toBe(before.value)

    const seller = (await (await t.call('GET', '/settings/seller')).json()) as SettingDto
    expect((await t.call('PUT', '/settings/seller', { body: { value: seller.value } })).status).toBe(200)
  })

  it.each([
    ['makerChecker', { value: 'yes' }, 'body.value', 'expected boolean'],
    ['minBillableMinutes', { value: -5 }, 'body.value', 'Too small'],
    ['defaultVatRate', { value: '12.345' }, 'body.value', 'percentage'],
    ['invoiceNumberPrefix', { value: 'X'.repeat(21) }, 'body.value', 'Too big'],
    ['makerChecker', {}, 'body.value', 'is required'],
    ['makerChecker', { value: true, note: 'x' }, 'body.note', 'unknown field'],
  ])('answers 400 for %s %j naming the field, changing nothing', async (key, payload, field, problem) => {
    const before = await t.db.setting.findUnique({ where: { key } })
    const res = await t.call('PUT', `/settings/${key}`, { body: payload })
    expect(res.status).toBe(400)
    expect(((await res.json()) as { issues: unknown[] }).issues).toContainEqual({ field, problem: expect.stringContaining(problem) })
    expect(await t.db.setting.findUnique({ where: { key } })).toEqual(before)
  })

  it('refuses an unknown field inside an object setting, and an unknown key (404)', async () => {
    const seller = (await (await t.call('GET', '/settings/seller')).json()) as SettingDto
    const res = await t.call('PUT', '/settings/seller', { body: { value: { ...(seller.value as object), iban: 'X' } } })
    expect(res.status).toBe(400)
    expect(await res.json()).toMatchObject({ issues: [{ field: 'body.value.iban', problem: 'unknown field' }] })
    expect((await t.call('PUT', '/settings/colour', { body: { value: 'red' } })).status).toBe(404)
    expect((await t.call('GET', '/settings/colour')).status).toBe(404)
  })

  it('refuses reminding approvers more often than every 15 minutes', async () => {
    const res = await t.call('PUT', '/settings/approvalReminderHours', { body: { value: 0.001 } })
    expect(res.status).toBe(400)
    expect(await res.json()).toMatchObject({ issues: [{ field: 'body.value', problem: 'must be at least 0.25 (a reminder every 15 minutes)' }] })
    expect((await t.call('PUT', '/settings/approvalReminderHours', { body: { value: 0.25 } })).status).toBe(200)
    expect((await t.call('PUT', '/settings/approvalReminderHours', { body: { value: 48 } })).status).toBe(200)
  })

  it('records every change (who, before, after, when) and answers the history newest first', async () => {
    const history = async (query = '') => (await (await t.call('GET', `/settings/paymentCheckHours/history${query}`, { as: 'viewer' })).json()) as { key: string; items: { key: string; before: unknown; after: unknown; changedBy: string; changedAt: string }[] }
    const before = (await history()).items.length
    const startedAt = Date.now()
    expect((await t.call('PUT', '/settings/paymentCheckHours', { body: { value: 12 } })).status).toBe(200)
    expect((await t.call('PUT', '/settings/paymentCheckHours', { body: { value: 12 } })).status).toBe(200) // the same value: nothing changed
    expect((await t.call('PUT', '/settings/paymentCheckHours', { body: { value: 6 } })).status).toBe(200)
    const answer = await history()
    expect(answer.key).toBe('paymentCheckHours')
    expect(answer.items.length).toBe(before + 2)
    expect(answer.items.slice(0, 2)).toEqual([
      { key: 'paymentCheckHours', before: 12, after: 6, changedBy: 'ada', changedAt: expect.any(String) },
      { key: 'paymentCheckHours', before: 6, after: 12, changedBy: 'ada', changedAt: expect.any(String) },
    ])
    expect(Date.parse(answer.items[0]!.changedAt)).toBeGreaterThanOrEqual(startedAt - 1000)
    expect((await history('?limit=1')).items).toHaveLength(1)
  })

  it('records a change made in the database directly as its role, and keeps the record append-only', async () => {
    const role = decodeURIComponent(new URL(testDatabaseUrl()).username)
    await t.db.$executeRaw`UPDATE "settings" SET "value" = '7' WHERE "key" = 'paymentCheckHours'`
    await t.db.$executeRaw`UPDATE "settings" SET "value" = '6' WHERE "key" = 'paymentCheckHours'`
    const [latest] = await t.db.settingChange.findMany({ where: { key: 'paymentCheckHours' }, orderBy: { id: 'desc' }, take: 1 })
    expect(latest).toMatchObject({ valueBefore: 7, valueAfter: 6, changedBy: `db:${role}` })
    // Only the settings trigger writes the record: the app's role may not change or add to it.
    await expect(t.db.settingChange.update({ where: { id: latest!.id }, data: { changedBy: 'someone else' } })).rejects.toThrow(/permission denied for table setting_changes/)
    await expect(t.db.settingChange.deleteMany({ where: { key: 'paymentCheckHours' } })).rejects.toThrow(/permission denied for table setting_changes/)
    await expect(t.db.$executeRaw`TRUNCATE "settings"`).rejects.toThrow(/permission denied/)
  })

  it('answers 404 for the history of an unknown key and 400 for a bad limit', async () => {
    expect((await t.call('GET', '/settings/colour/history')).status).toBe(404)
    expect((await t.call('GET', '/settings/makerChecker/history?limit=0')).status).toBe(400)
  })
})
