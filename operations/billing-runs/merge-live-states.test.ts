import { describe, expect, it } from 'vitest'
import { countBillingRun, type BillingRunDeal } from '../../workflows/billing-run-contract.js'
import { buildBillingRunListQuery } from './list-billing-runs.js'
import { latestRunById, mergeLiveStates, type ListedInvoiceRun } from './merge-live-states.js'
import { resolveBillingRunId } from './read-billing-run.js'

const deal = (dealId: string, start: BillingRunDeal['start'], state: BillingRunDeal['state'] = null): BillingRunDeal => ({
  dealId,
  invoiceId: `invoice:${dealId}:2026-10`,
  start,
  state,
  message: null,
})
const run = (dealId: string, state: string | null, startedAt: string | null, runId = `${dealId}-${startedAt}`): ListedInvoiceRun => ({
  id: `invoice:${dealId}:2026-10`,
  runId,
  state,
  startedAt,
})

describe('mergeLiveStates', () => {
  const cases: { name: string; deals: BillingRunDeal[]; runs: ListedInvoiceRun[]; states: (string | null)[] }[] = [
    { name: 'no runs listed: the states stay', deals: [deal('A', 'started', 'prefilling')], runs: [], states: ['prefilling'] },
    { name: 'a started invoice moved on', deals: [deal('A', 'started', 'prefilling')], runs: [run('A', 'awaiting_confirmation', '2026-11-01T00:00:00.000Z')], states: ['awaiting_confirmation'] },
    { name: 'an existing invoice gets its live state', deals: [deal('A', 'existing', null)], runs: [run('A', 'completed', '2026-10-20T00:00:00.000Z')], states: ['completed'] },
    {
      name: 'the latest run per id wins, whatever the listing order',
      deals: [deal('A', 'existing', 'cancelled'), deal('B', 'existing', 'cancelled')],
      runs: [
        run('A', 'cancelled', '2026-11-01T00:00:00.000Z'),
        run('A', 'awaiting_approval', '2026-11-02T00:00:00.000Z'),
        run('B', 'awaiting_approval', '2026-11-02T00:00:00.000Z'),
        run('B', 'cancelled', '2026-11-01T00:00:00.000Z'),
      ],
      states: ['awaiting_approval', 'awaiting_approval'],
    },
    { name: 'pending and failed deals are left alone', deals: [deal('A', 'pending'), deal('B', 'failed')], runs: [run('A', 'prefilling', '2026-11-01T00:00:00.000Z'), run('B', 'awaiting_confirmation', '2026-11-01T00:00:00.000Z')], states: [null, null] },
    { name: 'an unknown or missing state keeps the run\'s', deals: [deal('A', 'started', 'prefilling'), deal('B', 'started', 'prefilling')], runs: [run('A', 'bogus', '2026-11-01T00:00:00.000Z'), run('B', null, '2026-11-01T00:00:00.000Z')], states: ['prefilling', 'prefilling'] },
    { name: 'another period\'s or deal\'s invoice does not match', deals: [deal('A', 'started', 'prefilling')], runs: [{ id: 'invoice:A:2026-09', runId: 'x', state: 'completed', startedAt: '2026-11-01T00:00:00.000Z' }, run('AB', 'completed', '2026-11-01T00:00:00.000Z')], states: ['prefilling'] },
  ]
  it.each(cases)('$name', ({ deals, runs, states }) => {
    const before = JSON.stringify(deals)
    const merged = mergeLiveStates(deals, runs)
    expect(merged.map((d) => d.state)).toEqual(states)
    expect(merged.map((d) => [d.dealId, d.invoiceId, d.start, d.message])).toEqual(deals.map((d) => [d.dealId, d.invoiceId, d.start, d.message]))
    expect(JSON.stringify(deals)).toBe(before)
  })

  it('keeps the latest started run per id; one without a start time loses', () => {
    const latest = latestRunById([run('A', 'cancelled', null, 'r0'), run('A', 'cancelled', '2026-11-01T00:00:00.000Z', 'r1'), run('A', 'prefilling', '2026-11-03T00:00:00.000Z', 'r3'), run('A', 'cancelled', '2026-11-02T00:00:00.000Z', 'r2')])
    expect([...latest.values()].map((r) => r.runId)).toEqual(['r3'])
  })
})

describe('countBillingRun', () => {
  it.each([
    { deals: [], counts: { deals: 0, pending: 0, started: 0, existing: 0, failed: 0, byState: {} } },
    {
      deals: [deal('A', 'started', 'awaiting_confirmation'), deal('B', 'started', 'awaiting_confirmation'), deal('C', 'existing', 'completed'), deal('D', 'pending'), deal('E', 'failed')],
      counts: { deals: 5, pending: 1, started: 2, existing: 1, failed: 1, byState: { awaiting_confirmation: 2, completed: 1 } },
    },
  ])('counts $deals.length deals by start outcome and state', ({ deals, counts }) => {
    expect(countBillingRun(deals)).toEqual(counts)
  })

  it('counts the live states after a merge', () => {
    const merged = mergeLiveStates([deal('A', 'started', 'prefilling'), deal('B', 'started', 'prefilling')], [run('A', 'awaiting_confirmation', '2026-11-01T00:00:00.000Z')])
    expect(countBillingRun(merged).byState).toEqual({ awaiting_confirmation: 1, prefilling: 1 })
  })
})

describe('billing run ids and list queries', () => {
  it.each([
    ['billing-run:2026-10', 'billing-run:2026-10'],
    ['2026-10', 'billing-run:2026-10'],
    ['2026-10-01..2026-11-01', 'billing-run:2026-10'],
    ['2026-10-03..2026-10-17', 'billing-run:2026-10-03..2026-10-17'],
    ['invoice:APP-1001:2026-10', 'invoice:APP-1001:2026-10'],
    ['2026-13', '2026-13'],
  ])('%s names %s', (text, id) => {
    expect(resolveBillingRunId(text)).toBe(id)
  })

  it('builds the visibility query, quoting the period', () => {
    expect(buildBillingRunListQuery()).toBe("WorkflowType = 'billingRunWorkflow'")
    expect(buildBillingRunListQuery('2026-10')).toBe("WorkflowType = 'billingRunWorkflow' AND BillingPeriod = '2026-10'")
    expect(buildBillingRunListQuery("x' OR 'a'='a")).toBe("WorkflowType = 'billingRunWorkflow' AND BillingPeriod = 'x\\' OR \\'a\\'=\\'a'")
  })
})
