import { describe, expect, it } from 'vitest'
import { summarizeWorklogs } from './summarize-worklogs.js'
import { makeWorklog } from './test-builders.js'

const rounding = { minBillableMinutes: 15, roundingIncrementMinutes: 15 }

describe('summarizeWorklogs', () => {
  it('sums worklogs sharing issue, account, date and billable flag, applying the rule per worklog', () => {
    const entries = summarizeWorklogs(
      [
        makeWorklog({ worklogId: 'W1', timeSpentSeconds: 60, billableSeconds: 60 }),
        makeWorklog({ worklogId: 'W2', timeSpentSeconds: 1000, billableSeconds: 1000 }),
        makeWorklog({ worklogId: 'W3', timeSpentSeconds: 0, billableSeconds: 0 }),
      ],
      rounding,
    )
    // W1: 1 min -> 15 rounded, 15 billable; W2: 16.67 min -> 30, 30. W3 has no duration: skipped.
    // W3 is non-billable (billableSeconds 0), so it lands in its own entry.
    expect(entries).toEqual([
      {
        issueId: '10001',
        issueKey: 'ABC-1',
        projectKey: 'ABC',
        accountKey: '',
        workDate: '2026-10-05',
        billable: false,
        worklogCount: 0,
        rawSeconds: 0,
        roundedMinutes: 0,
        billableMinutes: 0,
        skippedCount: 1,
      },
      {
        issueId: '10001',
        issueKey: 'ABC-1',
        projectKey: 'ABC',
        accountKey: '',
        workDate: '2026-10-05',
        billable: true,
        worklogCount: 2,
        rawSeconds: 1060,
        roundedMinutes: 45,
        billableMinutes: 45,
        skippedCount: 0,
      },
    ])
  })

  it('keeps the minimum apart from rounding when min is not the increment', () => {
    const [entry] = summarizeWorklogs(
      [makeWorklog({ worklogId: 'W1', timeSpentSeconds: 60, billableSeconds: 60 }), makeWorklog({ worklogId: 'W2', timeSpentSeconds: 60, billableSeconds: 60 })],
      { minBillableMinutes: 20, roundingIncrementMinutes: 15 },
    )
    // Each 1-minute worklog: rounded 15, billable 30 (at least 20 and a multiple of 15).
    expect(entry).toMatchObject({ worklogCount: 2, rawSeconds: 120, roundedMinutes: 30, billableMinutes: 60 })
  })

  it('uses the logged time of non-billable worklogs and counts negative ones as skipped', () => {
    const entries = summarizeWorklogs(
      [
        makeWorklog({ worklogId: 'W1', timeSpentSeconds: 1800, billableSeconds: 0 }),
        makeWorklog({ worklogId: 'W2', timeSpentSeconds: -300, billableSeconds: 0 }),
      ],
      rounding,
    )
    expect(entries).toHaveLength(1)
    expect(entries[0]).toMatchObject({ billable: false, worklogCount: 1, rawSeconds: 1800, billableMinutes: 30, skippedCount: 1 })
  })

  it('separates dates, issues and accounts and returns them in canonical order', () => {
    const entries = summarizeWorklogs(
      [
        makeWorklog({ worklogId: 'W1', workDate: '2026-10-06', issueId: '2', issueKey: 'ABC-10' }),
        makeWorklog({ worklogId: 'W2', workDate: '2026-10-05', issueId: '3', issueKey: 'ABC-9', accountKey: 'SUP' }),
        makeWorklog({ worklogId: 'W3', workDate: '2026-10-05', issueId: '3', issueKey: 'ABC-9' }),
        makeWorklog({ worklogId: 'W4', workDate: '2026-10-05', issueId: '2', issueKey: 'ABC-10' }),
      ],
      rounding,
    )
    expect(entries.map((entry) => [entry.workDate, entry.issueKey, entry.accountKey])).toEqual([
      ['2026-10-05', 'ABC-9', ''],
      ['2026-10-05', 'ABC-9', 'SUP'],
      ['2026-10-05', 'ABC-10', ''],
      ['2026-10-06', 'ABC-10', ''],
    ])
  })

  it('refuses unusable rounding settings even when every worklog would be skipped', () => {
    expect(() => summarizeWorklogs([makeWorklog({ timeSpentSeconds: 0, billableSeconds: 0 })], { minBillableMinutes: 15, roundingIncrementMinutes: 0 })).toThrow(
      /roundingIncrementMinutes/,
    )
  })
})
