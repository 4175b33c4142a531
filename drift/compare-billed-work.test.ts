import { describe, expect, it } from 'vitest'
import type { BillingWorklog } from '../sources/read-billing-worklogs.js'
import { billedPeriod, compareBilledWork, compareWorklog, type CompareContext } from './compare-billed-work.js'
import { priceDrift } from './price-drift.js'
import type { BilledWorklog } from './types.js'

const october = { from: '2026-10-01', to: '2026-11-01' }
const context: CompareContext = {
  deal: { projectKeys: ['ABC'], tempoAccounts: ['ACC-1'], billNonBillable: false },
  period: october,
  rounding: { minBillableMinutes: 15, roundingIncrementMinutes: 15 },
}
const LINE = 'time:Development:deal'

function billed(overrides: Partial<BilledWorklog> = {}): BilledWorklog {
  return { worklogId: '101', version: '1', issueId: '9001', issueKey: 'ABC-1', workDate: '2026-10-05', rawSeconds: 3600, billableMinutes: 60, lineKey: LINE, ...overrides }
}

function current(overrides: Partial<BillingWorklog> = {}): BillingWorklog {
  return { worklogId: '101', version: '2', issueId: '9001', issueKey: 'ABC-1', projectKey: 'ABC', accountKey: '', workDate: '2026-10-05', timeSpentSeconds: 3600, billableSeconds: 3600, ...overrides }
}

describe('compareWorklog', () => {
  it('reports nothing for a new version that changes nothing billing depends on', () => {
    expect(compareWorklog(billed(), current({ version: '7' }), context)).toBeNull()
  })

  it('keeps the ledger minutes for an unchanged duration, whatever the rounding now', () => {
    const coarser = { ...context, rounding: { minBillableMinutes: 60, roundingIncrementMinutes: 60 } }
    expect(compareWorklog(billed({ rawSeconds: 600, billableMinutes: 15 }), current({ timeSpentSeconds: 600, billableSeconds: 600 }), coarser)).toBeNull()
  })

  it('recomputes a changed duration with the rounding: 3600 s -> 4000 s bills 75 minutes, +15', () => {
    // ceil(4000 / 900) = 5 steps of 15 minutes.
    const change = compareWorklog(billed(), current({ timeSpentSeconds: 4000, billableSeconds: 4000 }), context)
    expect(change).toMatchObject({ kinds: ['duration'], minutesDelta: 15, current: { billableMinutes: 75 } })
  })

  it('reports nothing when a changed duration rounds to the same minutes (3600 s -> 3000 s is 60 either way)', () => {
    expect(compareWorklog(billed(), current({ timeSpentSeconds: 3000, billableSeconds: 3000 }), context)).toBeNull()
  })

  it('a deleted worklog loses all its minutes', () => {
    expect(compareWorklog(billed(), undefined, context)).toEqual({ worklogId: '101', kinds: ['deleted'], lineKey: LINE, billed: expect.objectContaining({ billableMinutes: 60 }), current: null, minutesDelta: -60 })
  })

  it('an issue change alone changes no minutes', () => {
    expect(compareWorklog(billed(), current({ issueId: '9002', issueKey: 'ABC-2' }), context)).toMatchObject({ kinds: ['issue'], minutesDelta: 0 })
  })

  it('an issue change with a new duration reports both', () => {
    expect(compareWorklog(billed(), current({ issueKey: 'ABC-9', timeSpentSeconds: 1800, billableSeconds: 1800 }), context)).toMatchObject({ kinds: ['issue', 'duration'], minutesDelta: -30 })
  })

  it('a worklog made non-billable leaves a deal that bills billable work only', () => {
    expect(compareWorklog(billed(), current({ billableSeconds: 0 }), context)).toMatchObject({ kinds: ['billable'], minutesDelta: -60, current: { billableMinutes: 0 } })
  })

  it('on a deal that bills everything a non-billable worklog stays, priced on its logged time', () => {
    const everything = { ...context, deal: { ...context.deal, billNonBillable: true } }
    expect(compareWorklog(billed(), current({ billableSeconds: 0 }), everything)).toBeNull()
    expect(compareWorklog(billed(), current({ billableSeconds: 0, timeSpentSeconds: 5400 }), everything)).toMatchObject({ kinds: ['duration'], minutesDelta: 30 })
  })

  it('a worklog moved to another month leaves the invoice', () => {
    expect(compareWorklog(billed(), current({ workDate: '2026-11-02' }), context)).toMatchObject({ kinds: ['work_date'], minutesDelta: -60 })
    expect(compareWorklog(billed(), current({ workDate: '2026-10-31' }), context)).toBeNull()
  })

  it('a worklog of late work is judged by the month it was billed for, not the invoice period', () => {
    const late = billed({ lineKey: `earlier:2026-09:${LINE}`, workDate: '2026-09-20' })
    expect(billedPeriod(late.lineKey, october)).toEqual({ from: '2026-09-01', to: '2026-10-01' })
    expect(compareWorklog(late, current({ workDate: '2026-09-28' }), context)).toBeNull()
    expect(compareWorklog(late, current({ workDate: '2026-10-01' }), context)).toMatchObject({ kinds: ['work_date'], minutesDelta: -60 })
  })

  it('a worklog moved to another project leaves the deal, unless its account is the deal\'s', () => {
    expect(compareWorklog(billed(), current({ projectKey: 'XYZ' }), context)).toMatchObject({ kinds: ['out_of_deal'], minutesDelta: -60 })
    expect(compareWorklog(billed(), current({ projectKey: 'XYZ', accountKey: 'ACC-1' }), context)).toBeNull()
  })

  it('a duration cut to nothing bills nothing', () => {
    expect(compareWorklog(billed(), current({ timeSpentSeconds: 0, billableSeconds: 0 }), { ...context, deal: { ...context.deal, billNonBillable: true } })).toMatchObject({
      kinds: ['duration'],
      minutesDelta: -60,
    })
  })
})

describe('priceDrift', () => {
  const lines = [
    { lineKey: LINE, kind: 'time', rate: '50.0100' },
    { lineKey: 'fee:monthly', kind: 'fee', rate: '1500.0000' },
  ]

  it('prices each worklog at its line rate and each line once, rounded half away from zero', () => {
    const rows = [
      billed({ worklogId: '1', rawSeconds: 7200, billableMinutes: 120 }),
      billed({ worklogId: '2', rawSeconds: 3600, billableMinutes: 60 }),
      billed({ worklogId: '3', rawSeconds: 1800, billableMinutes: 30 }),
      billed({ worklogId: '4', rawSeconds: 900, billableMinutes: 15 }),
    ]
    const now = new Map([
      ['1', current({ worklogId: '1', timeSpentSeconds: 5000, billableSeconds: 5000 })], // 90 min: -30
      ['3', current({ worklogId: '3', timeSpentSeconds: 2400, billableSeconds: 2400 })], // 45 min: +15
      ['4', current({ worklogId: '4', timeSpentSeconds: 900, billableSeconds: 900 })],
    ])
    const priced = priceDrift({ comparisons: compareBilledWork(rows, now, context), billedMinutesByLine: new Map([[LINE, 225]]), lines, currency: 'USD' })
    // -30 x 50.01 / 60 = -25.005 -> -25.01; -60 -> -50.01; +15 -> 12.5025 -> 12.50.
    expect(priced.changes.map((c) => [c.worklogId, c.kinds, c.minutesDelta, c.rate, c.amountDelta])).toEqual([
      ['1', ['duration'], -30, '50.01', '-25.01'],
      ['2', ['deleted'], -60, '50.01', '-50.01'],
      ['3', ['duration'], 15, '50.01', '12.50'],
    ])
    // The line: 225 min = 187.5375 -> 187.54; 150 min = 125.025 -> 125.03; change -62.51 (the worklogs sum to -62.52).
    expect(priced.lines).toEqual([{ lineKey: LINE, kind: 'time', rate: '50.01', billedMinutes: 225, minutesDelta: -75, worklogs: 3, amountDelta: '-62.51' }])
    expect(priced.totals).toEqual({ worklogs: 3, byKind: { duration: 2, issue: 0, billable: 0, work_date: 0, out_of_deal: 0, deleted: 1 }, minutesDelta: -75, amountDelta: '-62.51' })
  })

  it('gives fee lines no rate and no amount: the fee does not depend on the hours', () => {
    const rows = [billed({ lineKey: 'fee:monthly' })]
    const priced = priceDrift({ comparisons: compareBilledWork(rows, new Map(), context), billedMinutesByLine: new Map([['fee:monthly', 60]]), lines, currency: 'UZS' })
    expect(priced.changes[0]).toMatchObject({ minutesDelta: -60, rate: null, amountDelta: null })
    expect(priced.lines[0]).toMatchObject({ kind: 'fee', rate: null, amountDelta: null })
    expect(priced.totals.amountDelta).toBe('0.00')
  })
})
