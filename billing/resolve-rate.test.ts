import { describe, expect, it } from 'vitest'
import { describeRuleScope, resolveRate } from './resolve-rate.js'
import { makeRateRule } from './test-builders.js'
import type { RateRule } from './types.js'

const deal = { dealId: 'D1', customerId: 'C1', hourlyRate: '100' }
const query = { deal, category: 'Development', workDate: '2026-10-10' }

/** One applicable rule per scope, plus more specific rules for someone else that must never apply. */
const byScope: RateRule[] = [
  makeRateRule({ id: 'global', rate: '10' }),
  makeRateRule({ id: 'category', category: 'Development', rate: '20' }),
  makeRateRule({ id: 'customer', customerId: 'C1', rate: '30' }),
  makeRateRule({ id: 'customer-category', customerId: 'C1', category: 'Development', rate: '40' }),
  makeRateRule({ id: 'deal', dealId: 'D1', rate: '50' }),
  makeRateRule({ id: 'deal-category', dealId: 'D1', category: 'Development', rate: '60' }),
]
const others: RateRule[] = [
  makeRateRule({ id: 'other-deal', dealId: 'D2', category: 'Development', rate: '999' }),
  makeRateRule({ id: 'other-customer', customerId: 'C2', category: 'Development', rate: '998' }),
  makeRateRule({ id: 'other-category', dealId: 'D1', category: 'Design', rate: '997' }),
  makeRateRule({ id: 'deal-of-other-customer', dealId: 'D1', customerId: 'C2', rate: '996' }),
]

describe('resolveRate: specificity', () => {
  it.each([
    { removed: 0, ruleId: 'deal-category', scope: 'deal+category' },
    { removed: 1, ruleId: 'deal', scope: 'deal' },
    { removed: 2, ruleId: 'customer-category', scope: 'customer+category' },
    { removed: 3, ruleId: 'customer', scope: 'customer' },
    { removed: 4, ruleId: 'category', scope: 'category' },
    { removed: 5, ruleId: 'global', scope: 'global' },
  ])('with the $removed most specific rules removed, rule $ruleId ($scope) wins', ({ removed, ruleId, scope }) => {
    const rules = [...others, ...byScope.slice(0, byScope.length - removed)].reverse()
    const resolution = resolveRate({ ...query, rules })
    expect(resolution).toEqual({ source: 'rule', rule: expect.objectContaining({ id: ruleId }), scope, conflictingRuleIds: [] })
  })

  it("falls back to the deal's own rate when no rule applies", () => {
    expect(resolveRate({ ...query, rules: others })).toEqual({ source: 'deal', rate: '100' })
  })

  it('finds no rate without a rule or a deal rate', () => {
    expect(resolveRate({ ...query, deal: { ...deal, hourlyRate: null }, rules: others })).toEqual({ source: 'none' })
  })

  it('treats a rule naming both deal and customer as deal-scoped', () => {
    expect(describeRuleScope({ dealId: 'D1', customerId: 'C1', category: null })).toBe('deal')
    expect(describeRuleScope({ dealId: 'D1', customerId: 'C1', category: 'X' })).toBe('deal+category')
  })
})

describe('resolveRate: effective dates', () => {
  const rules = [
    makeRateRule({ id: 'old', dealId: 'D1', rate: '50', validFrom: '2026-01-01', validTo: '2026-10-16' }),
    makeRateRule({ id: 'new', dealId: 'D1', rate: '60', validFrom: '2026-10-16', validTo: null }),
  ]

  it.each([
    { workDate: '2025-12-31', expected: 'deal rate' },
    { workDate: '2026-01-01', expected: 'old' },
    { workDate: '2026-10-15', expected: 'old' },
    { workDate: '2026-10-16', expected: 'new' },
    { workDate: '2027-03-01', expected: 'new' },
  ])('on $workDate the rate comes from $expected (validFrom inclusive, validTo exclusive)', ({ workDate, expected }) => {
    const resolution = resolveRate({ ...query, workDate, rules })
    if (expected === 'deal rate') expect(resolution.source).toBe('deal')
    else expect(resolution).toMatchObject({ source: 'rule', rule: { id: expected } })
  })

  it('prefers the later start date among rules of the same scope', () => {
    const overlapping = [
      makeRateRule({ id: 'a', dealId: 'D1', rate: '50', validFrom: '2026-10-01' }),
      makeRateRule({ id: 'b', dealId: 'D1', rate: '55', validFrom: '2026-09-01' }),
    ]
    expect(resolveRate({ ...query, rules: overlapping })).toMatchObject({ rule: { id: 'a' }, conflictingRuleIds: [] })
  })

  it('breaks a full tie by the smallest id, whatever the input order, and reports the conflict', () => {
    const tied = [
      makeRateRule({ id: 'r2', dealId: 'D1', rate: '55', validFrom: '2026-10-01' }),
      makeRateRule({ id: 'r1', dealId: 'D1', rate: '50', validFrom: '2026-10-01' }),
      makeRateRule({ id: 'r3', dealId: 'D1', rate: '57', validFrom: '2026-10-01' }),
    ]
    for (const rules of [tied, [...tied].reverse()]) {
      expect(resolveRate({ ...query, rules })).toMatchObject({ rule: { id: 'r1' }, conflictingRuleIds: ['r2', 'r3'] })
    }
  })
})
