import { z } from '@hono/zod-openapi'
import { CURRENCY_MINOR_UNITS } from '../../billing/currency.js'
import { describeRuleScope } from '../../billing/resolve-rate.js'
import { toDateString } from '../../db/read-billing-rules.js'
import type { RateRule as RateRuleRow } from '../../generated/prisma/client.js'
import { READ_ROLES } from '../auth.js'
import { ApiError } from '../errors.js'
import { saveRateRule } from '../rate-rules/save-rate-rule.js'
import { storableText } from '../../workflows/invoice-actions.js'
import { createRouter, defineSecuredRoute, errorResponses, jsonContent } from '../router.js'
import { CustomerIdSchema, DealIdSchema, IsoDateSchema, LimitSchema, NoteSchema, UuidParamsSchema } from '../../operations/schemas.js'

/** A rule's date: a calendar date between 2000 and 2100 (a typo such as 0269 or 9329 is refused). */
const RuleDateSchema = IsoDateSchema.refine((d) => d >= '2000-01-01' && d <= '2100-12-31', 'must be between 2000-01-01 and 2100-12-31')
const CURRENCIES = Object.keys(CURRENCY_MINOR_UNITS).sort() as [string, ...string[]]
const CategorySchema = storableText(100).trim().min(1, 'must not be empty; use null for every category')

const RateRuleBodySchema = z
  .strictObject({
    dealId: DealIdSchema.nullable().default(null),
    customerId: CustomerIdSchema.nullable().default(null),
    category: CategorySchema.nullable().default(null),
    rate: z
      .string()
      .regex(/^\d{1,10}(\.\d{1,4})?$/, 'must be a non-negative decimal string of at most 10 digits before the point, with at most 4 decimals, e.g. "85.50"')
      .openapi({ example: '85.50' }),
    currency: z.enum(CURRENCIES).openapi({ example: 'USD' }),
    validFrom: RuleDateSchema,
    validTo: RuleDateSchema.nullable().default(null).openapi({ description: 'Exclusive, and after validFrom (`validTo > validFrom`, else a 400 naming `body.validTo`); null = open-ended' }),
    note: NoteSchema.default(null),
  })
  .refine((b) => b.validTo === null || b.validFrom < b.validTo, { path: ['validTo'], message: 'must be after validFrom (validTo is exclusive)' })
  .openapi('RateRuleInput', { description: 'A rate for a scope (deal, customer, category, or none: global) from validFrom until validTo (exclusive, `validTo > validFrom`; null: open-ended). Dates between 2000-01-01 and 2100-12-31.' })

const RateRuleSchema = z
  .object({
    id: z.string(),
    dealId: z.string().nullable(),
    customerId: z.string().nullable(),
    category: z.string().nullable(),
    scope: z.enum(['deal+category', 'deal', 'customer+category', 'customer', 'category', 'global']),
    rate: z.string(),
    currency: z.string(),
    validFrom: z.string(),
    validTo: z.string().nullable(),
    note: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('RateRule')

const ListQuerySchema = z.strictObject({
  dealId: DealIdSchema.optional(),
  customerId: CustomerIdSchema.optional(),
  category: CategorySchema.optional(),
  limit: LimitSchema,
  offset: z.coerce.number().int().min(0).max(100_000).default(0),
})

const listRules = defineSecuredRoute(READ_ROLES, {
  method: 'get',
  path: '/',
  summary: 'Rate rules, by scope then start date',
  request: { query: ListQuerySchema },
  responses: { 200: { description: 'A page', content: jsonContent(z.object({ items: z.array(RateRuleSchema), nextOffset: z.number().nullable() })) }, ...errorResponses(400) },
})
const getRule = defineSecuredRoute(READ_ROLES, {
  method: 'get',
  path: '/{id}',
  summary: 'One rate rule',
  request: { params: UuidParamsSchema },
  responses: { 200: { description: 'The rule', content: jsonContent(RateRuleSchema) }, ...errorResponses(400, 404) },
})
const createRule = defineSecuredRoute(['admin'], {
  method: 'post',
  path: '/',
  summary: 'Add a rate rule; dates may not overlap another rule of the same scope',
  request: { body: { required: true, content: jsonContent(RateRuleBodySchema) } },
  responses: { 201: { description: 'Created', content: jsonContent(RateRuleSchema) }, ...errorResponses(400, 409, 413, 415) },
})
const replaceRule = defineSecuredRoute(['admin'], {
  method: 'put',
  path: '/{id}',
  summary: 'Replace a rate rule',
  request: { params: UuidParamsSchema, body: { required: true, content: jsonContent(RateRuleBodySchema) } },
  responses: { 200: { description: 'Replaced', content: jsonContent(RateRuleSchema) }, ...errorResponses(400, 404, 409, 413, 415) },
})
const deleteRule = defineSecuredRoute(['admin'], {
  method: 'delete',
  path: '/{id}',
  summary: 'Delete a rate rule (previews computed later no longer use it)',
  request: { params: UuidParamsSchema },
  responses: { 204: { description: 'Deleted' }, ...errorResponses(400, 404) },
})

/** /rate-rules: hourly rates owned by this app; everyone reads, admins write. */
export const rateRulesRouter = createRouter()
  .openapi(listRules, async (c) => {
    const q = c.req.valid('query')
    const rows = await c.var.deps.db.rateRule.findMany({
      where: { dealId: q.dealId, customerId: q.customerId, category: q.category },
      orderBy: [{ dealId: 'asc' }, { customerId: 'asc' }, { category: 'asc' }, { validFrom: 'asc' }, { id: 'asc' }],
      skip: q.offset,
      take: q.limit + 1,
    })
    return c.json({ items: rows.slice(0, q.limit).map(toRateRuleDto), nextOffset: rows.length > q.limit ? q.offset + q.limit : null }, 200)
  })
  .openapi(getRule, async (c) => {
    const { id } = c.req.valid('param')
    const row = await c.var.deps.db.rateRule.findUnique({ where: { id } })
    if (!row) throw new ApiError('NOT_FOUND', `no rate rule ${id}`)
    return c.json(toRateRuleDto(row), 200)
  })
  .openapi(createRule, async (c) => {
    const row = await saveRateRule(c.var.deps.db, c.req.valid('json'))
    c.header('Location', `/rate-rules/${row.id}`)
    return c.json(toRateRuleDto(row), 201)
  })
  .openapi(replaceRule, async (c) => {
    const row = await saveRateRule(c.var.deps.db, c.req.valid('json'), c.req.valid('param').id)
    return c.json(toRateRuleDto(row), 200)
  })
  .openapi(deleteRule, async (c) => {
    const { id } = c.req.valid('param')
    const { count } = await c.var.deps.db.rateRule.deleteMany({ where: { id } })
    if (count === 0) throw new ApiError('NOT_FOUND', `no rate rule ${id}`)
    return c.body(null, 204)
  })

function toRateRuleDto(row: RateRuleRow) {
  return {
    id: row.id,
    dealId: row.dealId,
    customerId: row.customerId,
    category: row.category,
    scope: describeRuleScope(row),
    rate: row.rate.toString(),
    currency: row.currency,
    validFrom: toDateString(row.validFrom),
    validTo: row.validTo ? toDateString(row.validTo) : null,
    note: row.note,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  }
}
