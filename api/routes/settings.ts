import { z } from '@hono/zod-openapi'
import type { ZodType } from 'zod'
import { readSettingChanges } from '../../db/read-setting-changes.js'
import { saveSetting } from '../../db/save-setting.js'
import { readSettings, SETTING_KEYS, settingsSchema, type SettingKey } from '../../db/settings.js'
import type { Prisma } from '../../generated/prisma/client.js'
import { LimitSchema } from '../../operations/schemas.js'
import { READ_ROLES } from '../auth.js'
import { ApiError, buildValidationError } from '../errors.js'
import { createRouter, defineSecuredRoute, errorResponses } from '../router.js'

const SettingSchema = z
  .object({
    key: z.string().openapi({ example: 'makerChecker' }),
    value: z.unknown().openapi({ example: true }),
    /** True when no row exists and the value is the default from db/settings.ts. */
    isDefault: z.boolean(),
    updatedAt: z.string().nullable(),
    updatedBy: z.string().nullable(),
  })
  .openapi('Setting')

const KeyParamsSchema = z.strictObject({
  key: z.string().max(100).openapi({ param: { name: 'key', in: 'path' }, example: 'makerChecker', description: `One of ${SETTING_KEYS.join(', ')}` }),
})

const listSettings = defineSecuredRoute(READ_ROLES, {
  method: 'get',
  path: '/',
  summary: 'All settings, with their defaults filled in',
  responses: { 200: { description: 'Every known key', content: { 'application/json': { schema: z.object({ items: z.array(SettingSchema) }) } } } },
})

const getSetting = defineSecuredRoute(READ_ROLES, {
  method: 'get',
  path: '/{key}',
  summary: 'One setting',
  request: { params: KeyParamsSchema },
  responses: { 200: { description: 'The setting', content: { 'application/json': { schema: SettingSchema } } }, ...errorResponses(404) },
})

const SettingChangeSchema = z
  .object({
    key: z.string().openapi({ example: 'approvalReminderHours' }),
    before: z.unknown().openapi({ description: 'The value before; null when the key was first written', example: 48 }),
    after: z.unknown().openapi({ description: 'The value after; null when the key was deleted', example: 24 }),
    changedBy: z.string().openapi({ description: 'The API user, or db:<role> for a change made in the database directly', example: 'ada' }),
    changedAt: z.string().openapi({ example: '2026-12-01T09:30:00.000Z' }),
  })
  .openapi('SettingChange')

const getSettingHistory = defineSecuredRoute(READ_ROLES, {
  method: 'get',
  path: '/{key}/history',
  summary: 'Who changed one setting, from what to what, and when; newest first (recorded by the database)',
  request: { params: KeyParamsSchema, query: z.strictObject({ limit: LimitSchema }) },
  responses: {
    200: { description: 'The latest changes', content: { 'application/json': { schema: z.object({ key: z.string(), items: z.array(SettingChangeSchema) }) } } },
    ...errorResponses(400, 404),
  },
})

const putSetting = defineSecuredRoute(['admin'], {
  method: 'put',
  path: '/{key}',
  summary: 'Replace one setting; the value is validated with the schema of its key (db/settings.ts)',
  request: {
    params: KeyParamsSchema,
    body: { required: true, content: { 'application/json': { schema: z.strictObject({ value: z.unknown().openapi({ example: true }) }) } } },
  },
  responses: { 200: { description: 'Saved', content: { 'application/json': { schema: SettingSchema } } }, ...errorResponses(400, 404, 413, 415) },
})

/**
 * /settings: read by everyone, changed by admins one key at a time, each key validated by its own
 * schema; every change is recorded by the database and read back as the key's history.
 */
export const settingsRouter = createRouter()
  .openapi(listSettings, async (c) => {
    const { db } = c.var.deps
    const [values, rows] = await Promise.all([readSettings(db), db.setting.findMany({ where: { key: { in: SETTING_KEYS } } })])
    const byKey = new Map(rows.map((r) => [r.key, r]))
    return c.json({ items: SETTING_KEYS.map((key) => describeSetting(key, values[key], byKey.get(key))) }, 200)
  })
  .openapi(getSetting, async (c) => {
    const key = requireKnownKey(c.req.valid('param').key)
    const { db } = c.var.deps
    const [values, row] = await Promise.all([readSettings(db), db.setting.findUnique({ where: { key } })])
    return c.json(describeSetting(key, values[key], row ?? undefined), 200)
  })
  .openapi(getSettingHistory, async (c) => {
    const key = requireKnownKey(c.req.valid('param').key)
    const items = await readSettingChanges(c.var.deps.db, { key, limit: c.req.valid('query').limit })
    return c.json({ key, items }, 200)
  })
  .openapi(putSetting, async (c) => {
    const key = requireKnownKey(c.req.valid('param').key)
    const parsed = z.strictObject({ value: valueSchemaFor(key) }).safeParse(c.req.valid('json'))
    if (!parsed.success) throw buildValidationError(parsed.error, 'json')
    const value = parsed.data.value as Prisma.InputJsonValue
    const row = await saveSetting(c.var.deps.db, { key, value, actor: c.var.user.id })
    return c.json(describeSetting(key, row.value, row), 200)
  })

function requireKnownKey(key: string): SettingKey {
  const known = SETTING_KEYS.find((k) => k === key)
  if (!known) throw new ApiError('NOT_FOUND', `no setting "${key}"; known keys: ${SETTING_KEYS.join(', ')}`)
  return known
}

/** The key's schema without its default (a PUT must send a value) and strict for objects. */
function valueSchemaFor(key: SettingKey): ZodType {
  const inner = settingsSchema.shape[key].unwrap() as ZodType
  return inner instanceof z.ZodObject ? inner.strict() : inner
}

function describeSetting(key: string, value: unknown, row: { updatedAt: Date; updatedBy: string | null } | undefined) {
  return { key, value, isDefault: row === undefined, updatedAt: row?.updatedAt.toISOString() ?? null, updatedBy: row?.updatedBy ?? null }
}
