import { z } from '@hono/zod-openapi'
import { Prisma, type CategoryRule as CategoryRuleRow } from '../../generated/prisma/client.js'
import type { Database } from '../../lib/database.js'
import { READ_ROLES } from '../auth.js'
import { ApiError } from '../errors.js'
import { createRouter, defineSecuredRoute, errorResponses, jsonContent } from '../router.js'
import { NoteSchema, UuidParamsSchema } from '../../operations/schemas.js'
import { storableText } from '../../workflows/invoice-actions.js'

const MatchListSchema = z.array(storableText(200).trim().min(1)).max(200).default([])

const CategoryRuleBodySchema = z
  .strictObject({
    position: z.number().int().min(0).max(1_000_000_000).openapi({ example: 10, description: 'Order of evaluation; the first matching rule wins; unique' }),
    category: storableText(100).trim().min(1).openapi({ example: 'Development' }),
    issueTypes: MatchListSchema,
    labels: MatchListSchema,
    components: MatchListSchema,
    tempoAccounts: MatchListSchema,
    projectKeys: MatchListSchema,
    active: z.boolean().default(true),
    note: NoteSchema.default(null),
  })
  .openapi('CategoryRuleInput')

const CategoryRuleSchema = z
  .object({
    id: z.string(),
    position: z.number(),
    category: z.string(),
    issueTypes: z.array(z.string()),
    labels: z.array(z.string()),
    components: z.array(z.string()),
    tempoAccounts: z.array(z.string()),
    projectKeys: z.array(z.string()),
    active: z.boolean(),
    note: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('CategoryRule')

const listRules = defineSecuredRoute(READ_ROLES, {
  method: 'get',
  path: '/',
  summary: 'Category rules in evaluation order (by position)',
  responses: { 200: { description: 'All rules', content: jsonContent(z.object({ items: z.array(CategoryRuleSchema) })) } },
})
const getRule = defineSecuredRoute(READ_ROLES, {
  method: 'get',
  path: '/{id}',
  summary: 'One category rule',
  request: { params: UuidParamsSchema },
  responses: { 200: { description: 'The rule', content: jsonContent(CategoryRuleSchema) }, ...errorResponses(400, 404) },
})
const createRule = defineSecuredRoute(['admin'], {
  method: 'post',
  path: '/',
  summary: 'Add a category rule at a free position',
  request: { body: { required: true, content: jsonContent(CategoryRuleBodySchema) } },
  responses: { 201: { description: 'Created', content: jsonContent(CategoryRuleSchema) }, ...errorResponses(400, 409, 413, 415) },
})
const replaceRule = defineSecuredRoute(['admin'], {
  method: 'put',
  path: '/{id}',
  summary: 'Replace a category rule',
  request: { params: UuidParamsSchema, body: { required: true, content: jsonContent(CategoryRuleBodySchema) } },
  responses: { 200: { description: 'Replaced', content: jsonContent(CategoryRuleSchema) }, ...errorResponses(400, 404, 409, 413, 415) },
})
const deleteRule = defineSecuredRoute(['admin'], {
  method: 'delete',
  path: '/{id}',
  summary: 'Delete a category rule',
  request: { params: UuidParamsSchema },
  responses: { 204: { description: 'Deleted' }, ...errorResponses(400, 404) },
})

/** /category-rules: ordered rules that put worklogs into billing categories; admins write. */
export const categoryRulesRouter = createRouter()
  .openapi(listRules, async (c) => {
    const rows = await c.var.deps.db.categoryRule.findMany({ orderBy: { position: 'asc' } })
    return c.json({ items: rows.map(toCategoryRuleDto) }, 200)
  })
  .openapi(getRule, async (c) => {
    const { id } = c.req.valid('param')
    const row = await c.var.deps.db.categoryRule.findUnique({ where: { id } })
    if (!row) throw new ApiError('NOT_FOUND', `no category rule ${id}`)
    return c.json(toCategoryRuleDto(row), 200)
  })
  .openapi(createRule, async (c) => {
    const body = c.req.valid('json')
    const row = await writeUniquePosition(c.var.deps.db, body.position, (db) => db.categoryRule.create({ data: body }))
    c.header('Location', `/category-rules/${row.id}`)
    return c.json(toCategoryRuleDto(row), 201)
  })
  .openapi(replaceRule, async (c) => {
    const body = c.req.valid('json')
    const { id } = c.req.valid('param')
    const row = await writeUniquePosition(c.var.deps.db, body.position, async (db) => {
      if ((await db.categoryRule.count({ where: { id } })) === 0) throw new ApiError('NOT_FOUND', `no category rule ${id}`)
      return db.categoryRule.update({ where: { id }, data: body })
    })
    return c.json(toCategoryRuleDto(row), 200)
  })
  .openapi(deleteRule, async (c) => {
    const { id } = c.req.valid('param')
    const { count } = await c.var.deps.db.categoryRule.deleteMany({ where: { id } })
    if (count === 0) throw new ApiError('NOT_FOUND', `no category rule ${id}`)
    return c.body(null, 204)
  })

/** Runs a write; the database's unique index on position is the check, reported as 409. */
async function writeUniquePosition<T>(db: Database, position: number, write: (db: Database) => Promise<T>): Promise<T> {
  try {
    return await write(db)
  } catch (err) {
    if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002') {
      throw new ApiError('POSITION_TAKEN', `another category rule already has position ${position}; pick a free one or move that rule first`)
    }
    throw err
  }
}

function toCategoryRuleDto(row: CategoryRuleRow) {
  return { ...row, createdAt: row.createdAt.toISOString(), updatedAt: row.updatedAt.toISOString() }
}
