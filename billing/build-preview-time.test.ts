import { describe, expect, it } from 'vitest'
import { buildPreview } from './build-preview.js'
import { summarizeWorklogs } from './summarize-worklogs.js'
import { makeCategoryRule, makeDeal, makeEntry, makeInput, makeIssue, makeRateRule, makeSettings, makeWorklog } from './test-builders.js'
import type { InvoicePreview } from './types.js'

function codes(findings: InvoicePreview['warnings']): string[] {
  return findings.map((finding) => finding.code)
}

function lineFigures(preview: InvoicePreview): [string, string, string, string][] {
  return preview.lines.map((line) => [line.lineId, line.quantity, line.rate, line.amount])
}

describe('buildPreview: minimum billable and rounding', () => {
  it('bills 1-minute worklogs at the minimum and rounds the minimum up to the increment', () => {
    const deal = makeDeal({ minBillableMinutes: 20 })
    // Effective rounding: min 20 (deal), increment 15 (settings). The reader aggregates with it.
    const entries = summarizeWorklogs(
      [
        makeWorklog({ worklogId: 'W1', timeSpentSeconds: 60, billableSeconds: 60 }),
        makeWorklog({ worklogId: 'W2', timeSpentSeconds: 60, billableSeconds: 60 }),
        makeWorklog({ worklogId: 'W3', timeSpentSeconds: 1000, billableSeconds: 1000 }),
      ],
      { minBillableMinutes: 20, roundingIncrementMinutes: 15 },
    )
    const preview = buildPreview(makeInput({ deal, entries }))
    // Each worklog bills 30 min (at least 20, a multiple of 15): 90 min = 1.50 h x 100 = 150.00.
    expect(lineFigures(preview)).toEqual([['time:Development:deal', '1.50', '100.00', '150.00']])
    // Raw 1120 s = 18.67 min; rounding alone gives 15 + 15 + 30 = 60 (+41.33); the minimum adds 30.
    expect(preview.lines[0]?.explanation).toContain('3 worklogs: 18.67 min raw, +41.33 min rounding up to 15-min steps, +30 min for the 20-min minimum per worklog = 90 billable min (1.50 h).')
    expect(preview.hours).toEqual({ raw: '0.3111', billable: '1.50', billed: '1.50' })
  })

  it('shows hours that are not whole quarters with 4 decimals and prices the exact minutes', () => {
    const deal = makeDeal({ minBillableMinutes: 10, roundingIncrementMinutes: 10, hourlyRate: '100' })
    const preview = buildPreview(makeInput({ deal, entries: [makeEntry({ minutes: 10 })] }))
    // 10 min = 0.1667 h; 10 x 100 / 60 = 16.666... -> 16.67.
    expect(lineFigures(preview)).toEqual([['time:Development:deal', '0.1667', '100.00', '16.67']])
  })
})

describe('buildPreview: selection', () => {
  it('keeps work of the deal by project or by Tempo account, within [from, to)', () => {
    const deal = makeDeal({ projectKeys: ['ABC'], tempoAccounts: ['ACC1'] })
    const preview = buildPreview(
      makeInput({
        deal,
        issues: [],
        entries: [
          makeEntry({ issueKey: 'ABC-1', workDate: '2026-10-01', minutes: 60 }),
          makeEntry({ issueId: '2', issueKey: 'XYZ-1', projectKey: 'XYZ', accountKey: 'ACC1', workDate: '2026-10-31', minutes: 30 }),
          makeEntry({ issueId: '3', issueKey: 'XYZ-2', projectKey: 'XYZ', accountKey: 'OTHER', minutes: 600 }),
          makeEntry({ issueKey: 'ABC-1', workDate: '2026-11-01', minutes: 600 }),
          makeEntry({ issueKey: 'ABC-1', workDate: '2026-09-30', minutes: 600 }),
        ],
      }),
    )
    expect(preview.hours.billable).toBe('1.50')
    expect(preview.subtotal).toBe('150.00')
    expect(preview.warnings.find((w) => w.code === 'ENTRIES_OUT_OF_SCOPE')?.details).toEqual({ entries: 3, worklogs: 3 })
  })

  it("leaves Tempo's non-billable work out and says so", () => {
    const entries = [makeEntry({ minutes: 60 }), makeEntry({ billable: false, minutes: 120, issueKey: 'ABC-2', issueId: '2' })]
    const preview = buildPreview(makeInput({ entries }))
    expect(preview.subtotal).toBe('100.00')
    const warning = preview.warnings.find((w) => w.code === 'NON_BILLABLE_EXCLUDED')
    expect(warning?.details).toEqual({ worklogs: 1, hours: '2.00', issueKeys: ['ABC-2'] })
    expect(warning?.message).toContain('ABC-2')
  })

  it('bills non-billable work when the deal says so', () => {
    const entries = [makeEntry({ minutes: 60 }), makeEntry({ billable: false, minutes: 120, issueKey: 'ABC-2', issueId: '2' })]
    const preview = buildPreview(makeInput({ deal: makeDeal({ billNonBillable: true }), entries }))
    expect(preview.subtotal).toBe('300.00')
    expect(codes(preview.warnings)).not.toContain('NON_BILLABLE_EXCLUDED')
    expect(preview.lines[0]?.explanation).toContain('2 worklogs (1 of them non-billable in Tempo')
  })

  it('counts zero and negative worklogs in a warning and bills nothing for them', () => {
    const entries = [
      makeEntry({ minutes: 60, skippedCount: 2 }),
      makeEntry({ issueId: '2', issueKey: 'ABC-2', worklogCount: 0, rawSeconds: 0, roundedMinutes: 0, billableMinutes: 0, skippedCount: 1 }),
    ]
    const preview = buildPreview(makeInput({ entries }))
    expect(preview.subtotal).toBe('100.00')
    expect(preview.warnings.find((w) => w.code === 'SKIPPED_WORKLOGS')?.details).toEqual({ worklogs: 3, issueKeys: ['ABC-1', 'ABC-2'] })
  })

  it('warns when there is no billable work at all', () => {
    const preview = buildPreview(makeInput({ entries: [] }))
    expect(preview.lines).toEqual([])
    expect(preview.total).toBe('0.00')
    expect(codes(preview.warnings)).toContain('NO_BILLABLE_WORK')
  })
})

describe('buildPreview: rates', () => {
  const scopes = [
    makeRateRule({ id: 'global', rate: '10' }),
    makeRateRule({ id: 'category', category: 'Development', rate: '20' }),
    makeRateRule({ id: 'customer', customerId: 'C1', rate: '30' }),
    makeRateRule({ id: 'customer-category', customerId: 'C1', category: 'Development', rate: '40' }),
    makeRateRule({ id: 'deal', dealId: 'D1', rate: '50' }),
    makeRateRule({ id: 'deal-category', dealId: 'D1', category: 'Development', rate: '60' }),
  ]

  it.each([
    { kept: 6, lineId: 'time:Development:rule-deal-category', amount: '120.00', scope: 'deal+category' },
    { kept: 5, lineId: 'time:Development:rule-deal', amount: '100.00', scope: 'deal' },
    { kept: 4, lineId: 'time:Development:rule-customer-category', amount: '80.00', scope: 'customer+category' },
    { kept: 3, lineId: 'time:Development:rule-customer', amount: '60.00', scope: 'customer' },
    { kept: 2, lineId: 'time:Development:rule-category', amount: '40.00', scope: 'category' },
    { kept: 1, lineId: 'time:Development:rule-global', amount: '20.00', scope: 'global' },
  ])('with $kept rules the $scope rule prices 2 h at $amount', ({ kept, lineId, amount, scope }) => {
    const preview = buildPreview(makeInput({ rateRules: scopes.slice(0, kept), entries: [makeEntry({ minutes: 120 })] }))
    expect(preview.lines).toHaveLength(1)
    expect(preview.lines[0]).toMatchObject({ lineId, amount, rateRuleId: lineId.replace('time:Development:rule-', '') })
    expect(preview.lines[0]?.explanation).toContain(`(scope ${scope}, valid from 2026-01-01, open-ended)`)
  })

  it("uses the deal's rate when no rule applies and says so", () => {
    const preview = buildPreview(makeInput({ rateRules: [makeRateRule({ id: 'x', dealId: 'D9', rate: '1' })], entries: [makeEntry({ minutes: 120 })] }))
    expect(lineFigures(preview)).toEqual([['time:Development:deal', '2.00', '100.00', '200.00']])
    expect(preview.lines[0]?.explanation).toContain("the deal's hourly rate")
  })

  it('splits a category into two lines when the rate changes mid-month', () => {
    const rateRules = [
      makeRateRule({ id: 'old', dealId: 'D1', rate: '50', validTo: '2026-10-16' }),
      makeRateRule({ id: 'new', dealId: 'D1', rate: '60', validFrom: '2026-10-16' }),
    ]
    const entries = [makeEntry({ workDate: '2026-10-16', minutes: 60 }), makeEntry({ workDate: '2026-10-15', minutes: 120 })]
    const preview = buildPreview(makeInput({ rateRules, entries }))
    expect(lineFigures(preview)).toEqual([
      ['time:Development:rule-old', '2.00', '50.00', '100.00'],
      ['time:Development:rule-new', '1.00', '60.00', '60.00'],
    ])
    expect(preview.lines.map((line) => line.description)).toEqual([
      'Development (2026-10-15 to 2026-10-15 at 50.00 USD/h)',
      'Development (2026-10-16 to 2026-10-16 at 60.00 USD/h)',
    ])
    expect(preview.subtotal).toBe('160.00')
    expect(preview.issueDetails.map((detail) => [detail.lineId, detail.billableHours, detail.amount])).toEqual([
      ['time:Development:rule-new', '1.00', '60.00'],
      ['time:Development:rule-old', '2.00', '100.00'],
    ])
  })

  it('blocks with NO_RATE naming the category when neither a rule nor the deal has a rate', () => {
    const preview = buildPreview(makeInput({ deal: makeDeal({ hourlyRate: null }), entries: [makeEntry({ minutes: 90 })] }))
    expect(preview.errors).toEqual([
      {
        code: 'NO_RATE',
        message: expect.stringContaining('"Development"'),
        details: { category: 'Development', hours: '1.50', issueKeys: ['ABC-1'], firstDate: '2026-10-05', lastDate: '2026-10-05' },
      },
    ])
    expect(preview.lines).toEqual([])
    expect(preview.issueDetails[0]).toMatchObject({ lineId: null, amount: null, billableHours: '1.50' })
  })

  it('blocks with RATE_CURRENCY_MISMATCH when the winning rule is in another currency', () => {
    const rateRules = [makeRateRule({ id: 'eur', dealId: 'D1', rate: '40', currency: 'EUR' }), makeRateRule({ id: 'usd', rate: '30' })]
    const preview = buildPreview(makeInput({ rateRules }))
    expect(codes(preview.errors)).toEqual(['RATE_CURRENCY_MISMATCH'])
    expect(preview.errors[0]?.message).toContain('Rate rule eur is in EUR but the deal bills in USD')
    expect(preview.lines).toEqual([])
  })

  it('ignores a rule in another currency that does not win', () => {
    const rateRules = [makeRateRule({ id: 'eur', rate: '40', currency: 'EUR' }), makeRateRule({ id: 'usd', dealId: 'D1', rate: '30' })]
    const preview = buildPreview(makeInput({ rateRules }))
    expect(preview.errors).toEqual([])
    expect(preview.subtotal).toBe('30.00')
  })

  it('blocks on a malformed rule that could apply, not on one of another deal', () => {
    const rateRules = [
      makeRateRule({ id: 'bad', dealId: 'D1', rate: '1,5' }),
      makeRateRule({ id: 'fine-grained', customerId: 'C1', rate: '1.00001' }),
      makeRateRule({ id: 'backwards', rate: '10', validFrom: '2026-10-10', validTo: '2026-10-01' }),
      makeRateRule({ id: 'elsewhere', dealId: 'D2', rate: 'abc' }),
    ]
    const preview = buildPreview(makeInput({ rateRules }))
    expect(preview.errors.map((error) => [error.code, error.details?.ruleId])).toEqual([
      ['INVALID_RATE_RULE', 'backwards'],
      ['INVALID_RATE_RULE', 'bad'],
      ['INVALID_RATE_RULE', 'fine-grained'],
    ])
  })

  it('warns about two rules of the same scope and start date', () => {
    const rateRules = [makeRateRule({ id: 'r2', dealId: 'D1', rate: '60' }), makeRateRule({ id: 'r1', dealId: 'D1', rate: '50' })]
    const preview = buildPreview(makeInput({ rateRules }))
    expect(preview.subtotal).toBe('50.00')
    expect(preview.warnings.find((w) => w.code === 'RATE_RULE_CONFLICT')?.details).toEqual({ category: 'Development', ruleIds: ['r1', 'r2'], usedRuleId: 'r1' })
  })
})

describe('buildPreview: categories', () => {
  const categoryRules = [
    makeCategoryRule({ id: 'bugs', position: 1, category: 'Bugs', issueTypes: ['Bug'] }),
    makeCategoryRule({ id: 'support', position: 2, category: 'Support', tempoAccounts: ['SUP'] }),
  ]
  const rateRules = [makeRateRule({ id: 'bugs-rate', category: 'Bugs', rate: '80' })]

  it('makes one line per category, priced by its own rules', () => {
    const issues = [makeIssue({ issueId: '1', issueKey: 'ABC-1', issueType: 'Bug' }), makeIssue({ issueId: '2', issueKey: 'ABC-2', issueType: 'Story' })]
    const entries = [makeEntry({ issueId: '1', issueKey: 'ABC-1', minutes: 60 }), makeEntry({ issueId: '2', issueKey: 'ABC-2', minutes: 30 })]
    const preview = buildPreview(makeInput({ issues, entries, categoryRules, rateRules }))
    expect(lineFigures(preview)).toEqual([
      ['time:Bugs:rule-bugs-rate', '1.00', '80.00', '80.00'],
      ['time:Development:deal', '0.50', '100.00', '50.00'],
    ])
    expect(preview.warnings.filter((w) => w.code === 'CATEGORY_DEFAULTED').map((w) => w.details?.issueKey)).toEqual(['ABC-2'])
  })

  it('bills work on an issue missing from Jira, placed by its account, and warns', () => {
    const entries = [makeEntry({ issueId: '77', issueKey: 'ABC-77', accountKey: 'SUP', minutes: 60 }), makeEntry({ issueId: '78', issueKey: 'ABC-78', minutes: 60 })]
    const preview = buildPreview(makeInput({ issues: [], entries, categoryRules }))
    expect(lineFigures(preview)).toEqual([
      ['time:Development:deal', '1.00', '100.00', '100.00'],
      ['time:Support:deal', '1.00', '100.00', '100.00'],
    ])
    expect(preview.warnings.filter((w) => w.code === 'ISSUE_NOT_FOUND').map((w) => w.details?.issueKey)).toEqual(['ABC-77', 'ABC-78'])
    expect(preview.warnings.find((w) => w.code === 'CATEGORY_DEFAULTED')?.message).toContain('ABC-78 matched no category rule')
    expect(preview.issueDetails.map((detail) => [detail.issueKey, detail.summary, detail.category])).toEqual([
      ['ABC-77', null, 'Support'],
      ['ABC-78', null, 'Development'],
    ])
  })
})

describe('buildPreview: money', () => {
  it('rounds a line half-up at .005 (0.50 h x 10.01 = 5.005 -> 5.01)', () => {
    const preview = buildPreview(makeInput({ deal: makeDeal({ hourlyRate: '10.01' }), entries: [makeEntry({ minutes: 30 })] }))
    expect(preview.lines[0]?.amount).toBe('5.01')
  })

  it('computes in decimal: 30 min x 0.71 = 0.355 -> 0.36 (binary floating point gives 0.35499... -> 0.35)', () => {
    const preview = buildPreview(makeInput({ deal: makeDeal({ hourlyRate: '0.71' }), entries: [makeEntry({ minutes: 30 })] }))
    expect(preview.lines[0]).toMatchObject({ rate: '0.71', amount: '0.36' })
  })

  it('rounds VAT half-up at .005 (6.70 x 15 % = 1.005 -> 1.01)', () => {
    const preview = buildPreview(makeInput({ deal: makeDeal({ hourlyRate: '6.70', vatRate: '15' }), entries: [makeEntry({ minutes: 60 })] }))
    expect([preview.subtotal, preview.vatAmount, preview.total]).toEqual(['6.70', '1.01', '7.71'])
  })

  it.each([
    { dealVat: '0', settingsVat: '15', vatRate: '0', vatAmount: '0.00', total: '1000.00' },
    { dealVat: '12', settingsVat: '15', vatRate: '12', vatAmount: '120.00', total: '1120.00' },
    { dealVat: null, settingsVat: '15', vatRate: '15', vatAmount: '150.00', total: '1150.00' },
    { dealVat: '12.5', settingsVat: '0', vatRate: '12.5', vatAmount: '125.00', total: '1125.00' },
  ])('VAT: deal $dealVat, settings $settingsVat -> $vatAmount', ({ dealVat, settingsVat, vatRate, vatAmount, total }) => {
    const preview = buildPreview(
      makeInput({ deal: makeDeal({ vatRate: dealVat }), settings: makeSettings({ defaultVatRate: settingsVat }), entries: [makeEntry({ minutes: 600 })] }),
    )
    expect([preview.subtotal, preview.vatRate, preview.vatAmount, preview.total]).toEqual(['1000.00', vatRate, vatAmount, total])
  })

  it('applies VAT once to the subtotal, not per line', () => {
    // Two lines of 0.05 each: VAT 10 % per line would round 0.005 up twice (0.02); on 0.10 it is 0.01.
    const categoryRules = [makeCategoryRule({ id: 'b', category: 'B', projectKeys: ['B'] })]
    const deal = makeDeal({ projectKeys: ['ABC', 'B'], hourlyRate: '0.20', vatRate: '10' })
    const entries = [makeEntry({ minutes: 15 }), makeEntry({ issueId: '2', issueKey: 'B-1', projectKey: 'B', minutes: 15 })]
    const preview = buildPreview(makeInput({ deal, entries, categoryRules }))
    expect(preview.lines.map((line) => line.amount)).toEqual(['0.05', '0.05'])
    expect([preview.subtotal, preview.vatAmount, preview.total]).toEqual(['0.10', '0.01', '0.11'])
  })

  it('keeps UZS amounts above a billion exact', () => {
    const deal = makeDeal({ currency: 'UZS', hourlyRate: '98765432.10', vatRate: '15' })
    const preview = buildPreview(makeInput({ deal, entries: [makeEntry({ minutes: 750 })] }))
    // 12.5 h x 98 765 432.10 = 1 234 567 901.25; VAT 15 % = 185 185 185.1875 -> .19.
    expect([preview.lines[0]?.amount, preview.subtotal, preview.vatAmount, preview.total]).toEqual([
      '1234567901.25',
      '1234567901.25',
      '185185185.19',
      '1419753086.44',
    ])
  })

  it('blocks an unknown currency', () => {
    const preview = buildPreview(makeInput({ deal: makeDeal({ currency: 'XYZ' }) }))
    expect(codes(preview.errors)).toEqual(['UNKNOWN_CURRENCY'])
  })

  it('blocks a malformed hourly rate, and the work it leaves unpriced', () => {
    const preview = buildPreview(makeInput({ deal: makeDeal({ hourlyRate: '-5' }) }))
    expect(preview.errors.map((error) => [error.code, error.details?.field ?? error.details?.category])).toEqual([
      ['INVALID_DEAL_VALUE', 'hourlyRate'],
      ['NO_RATE', 'Development'],
    ])
    expect(preview.errors[1]?.message).toContain("the deal's hourly rate is malformed")
  })

  it.each([
    { deal: { vatRate: '120' }, field: 'vatRate' },
    { deal: { vatRate: '12.345' }, field: 'vatRate' },
    { deal: { hoursLimit: 'ten' }, field: 'hoursLimit' },
    { deal: { amountLimit: '1e3' }, field: 'amountLimit' },
  ])('blocks a malformed deal figure: $field', ({ deal, field }) => {
    const preview = buildPreview(makeInput({ deal: makeDeal(deal) }))
    expect(preview.errors.map((error) => [error.code, error.details?.field])).toEqual([['INVALID_DEAL_VALUE', field]])
  })

  it('blocks unusable settings and an invalid period', () => {
    const preview = buildPreview(
      makeInput({ settings: makeSettings({ roundingIncrementMinutes: 0, defaultVatRate: 'x' }), period: { from: '2026-10-01', to: '2026-10-01' } }),
    )
    expect(preview.errors.map((error) => [error.code, error.details?.field ?? null])).toEqual([
      ['INVALID_PERIOD', null],
      ['INVALID_SETTINGS', 'defaultVatRate'],
      ['INVALID_SETTINGS', 'rounding'],
    ])
  })

  it('passes the source fingerprint through and labels the period', () => {
    const month = buildPreview(makeInput({ sourceFingerprint: 'rows=12;v=99' }))
    expect(month.sourceFingerprint).toBe('rows=12;v=99')
    expect(month.period).toEqual({ from: '2026-10-01', to: '2026-11-01', label: '2026-10' })
    const range = buildPreview(makeInput({ period: { from: '2026-10-03', to: '2026-10-17' } }))
    expect(range.period.label).toBe('2026-10-03..2026-10-17')
  })
})
