import type { RateRule } from '../../billing/types.js'
import type { RateRule as RateRuleRow } from '../../generated/prisma/client.js'
import type { Database } from '../../lib/database.js'
import { ApiError } from '../errors.js'

/** A rate rule as the API takes it: the billing core's rule without its id, plus a note. */
export interface RateRuleInput extends Omit<RateRule, 'id'> {
  note: string | null
}

/**
 * Creates a rate rule (no `id`) or replaces one, refusing one whose dates overlap another rule
 * of exactly the same scope (deal, customer, category): two rules for the same work on the same
 * day would make the price depend on tie-breaking. The check and the write run in one
 * transaction under an advisory lock on the scope, so two admins cannot slip past each other.
 */
export async function saveRateRule(db: Database, input: RateRuleInput, id?: string): Promise<RateRuleRow> {
  const scopeKey = `rate_rules:${input.dealId ?? ''}|${input.customerId ?? ''}|${input.category ?? ''}`
  return db.$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${scopeKey}))`
    if (id !== undefined && (await tx.rateRule.count({ where: { id } })) === 0) throw new ApiError('NOT_FOUND', `no rate rule ${id}`)
    const overlapping = await tx.rateRule.findFirst({
      where: {
        ...(id !== undefined ? { id: { not: id } } : {}),
        dealId: input.dealId,
        customerId: input.customerId,
        category: input.category,
        ...(input.validTo !== null ? { validFrom: { lt: toDate(input.validTo) } } : {}),
        OR: [{ validTo: null }, { validTo: { gt: toDate(input.validFrom) } }],
      },
      orderBy: { validFrom: 'asc' },
    })
    if (overlapping) {
      const until = overlapping.validTo ? overlapping.validTo.toISOString().slice(0, 10) : 'open-ended'
      throw new ApiError('RATE_RULE_OVERLAP', `rate rule ${overlapping.id} of the same scope is valid ${overlapping.validFrom.toISOString().slice(0, 10)}..${until}, overlapping these dates`, {
        conflictingRuleId: overlapping.id,
      })
    }
    const data = {
      dealId: input.dealId,
      customerId: input.customerId,
      category: input.category,
      rate: input.rate,
      currency: input.currency,
      validFrom: toDate(input.validFrom),
      validTo: input.validTo === null ? null : toDate(input.validTo),
      note: input.note,
    }
    return id === undefined ? tx.rateRule.create({ data }) : tx.rateRule.update({ where: { id }, data })
  })
}

/** A DATE column value: midnight UTC of the calendar date, as Prisma reads it back. */
function toDate(day: string): Date {
  return new Date(`${day}T00:00:00Z`)
}
