import { Decimal } from 'decimal.js'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { SourceWorklog } from '../sources/types.js'
import { buildPreview } from './build-preview.js'
import { summarizeWorklogs } from './summarize-worklogs.js'
import { makeCategoryRule, makeDeal, makeInput, makeIssue, makeRateRule, makeSettings, makeWorklog } from './test-builders.js'
import type { PrefillInput, RoundingSettings } from './types.js'
import { computeBillableMinutes, computeRoundedMinutes } from './worklog-minutes.js'

/** A decimal string with 2 decimals built from integer cents, so no float is involved. */
const money = (maxCents: number) => fc.integer({ min: 0, max: maxCents }).map((cents) => `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`)

const rounding = fc.record({ minBillableMinutes: fc.integer({ min: 0, max: 60 }), roundingIncrementMinutes: fc.integer({ min: 1, max: 30 }) })

const issues = [
  makeIssue({ issueId: '1', issueKey: 'ABC-1', issueType: 'Bug' }),
  makeIssue({ issueId: '2', issueKey: 'ABC-2', labels: ['ux'] }),
  makeIssue({ issueId: '3', issueKey: 'XYZ-1', projectKey: 'XYZ', components: ['iOS'] }),
  makeIssue({ issueId: '4', issueKey: 'ABC-10' }),
]
const unsynced = { issueId: '5', issueKey: 'ABC-99', projectKey: 'ABC' }
const dates = ['2026-09-30', '2026-10-01', '2026-10-02', '2026-10-15', '2026-10-16', '2026-10-17', '2026-10-31', '2026-11-01']

const worklog = fc
  .record({
    issue: fc.constantFrom(...issues.map(({ issueId, issueKey, projectKey }) => ({ issueId, issueKey, projectKey })), unsynced),
    accountKey: fc.constantFrom('', 'SUP', 'OTHER'),
    workDate: fc.constantFrom(...dates),
    timeSpentSeconds: fc.integer({ min: -600, max: 6 * 3600 }),
    billable: fc.boolean(),
  })
  .map(({ issue, accountKey, workDate, timeSpentSeconds, billable }): SourceWorklog =>
    makeWorklog({ ...issue, accountKey, workDate, timeSpentSeconds, billableSeconds: billable ? Math.max(0, timeSpentSeconds) : 0 }),
  )

const rateRules = fc.subarray([
  makeRateRule({ id: 'global', rate: '40' }),
  makeRateRule({ id: 'bugs', category: 'Bugs', rate: '55.55' }),
  makeRateRule({ id: 'customer', customerId: 'C1', rate: '61.10', validTo: '2026-10-16' }),
  makeRateRule({ id: 'deal-new', dealId: 'D1', rate: '70.01', validFrom: '2026-10-16' }),
  makeRateRule({ id: 'deal-design', dealId: 'D1', category: 'Design', rate: '80.005' }),
  makeRateRule({ id: 'deal-design-2', dealId: 'D1', category: 'Design', rate: '81' }),
])

const categoryRules = fc.subarray([
  makeCategoryRule({ id: 'bugs', position: 1, category: 'Bugs', issueTypes: ['Bug'] }),
  makeCategoryRule({ id: 'design', position: 2, category: 'Design', labels: ['ux'] }),
  makeCategoryRule({ id: 'support', position: 3, category: 'Support', tempoAccounts: ['SUP'] }),
  makeCategoryRule({ id: 'mobile', position: 3, category: 'Mobile', components: ['iOS'] }),
])

const deal = fc
  .record({
    dealType: fc.constantFrom('time_and_materials' as const, 'time_and_materials' as const, 'fixed_monthly' as const, 'retainer' as const),
    hourlyRate: fc.option(money(50_000), { nil: null }),
    monthlyFee: money(1_000_000),
    includedHours: fc.integer({ min: 0, max: 40 }).map(String),
    overageRate: money(20_000),
    hoursLimit: fc.option(fc.integer({ min: 0, max: 200 }).map((quarters) => new Decimal(quarters).div(4).toString()), { nil: null }),
    amountLimit: fc.option(money(500_000), { nil: null }),
    limitMode: fc.constantFrom('cap' as const, 'warn' as const),
    vatRate: fc.constantFrom('0', '12', '15', null),
    billNonBillable: fc.boolean(),
    currency: fc.constantFrom('USD', 'UZS'),
  })
  .map((fields) => makeDeal({ ...fields, projectKeys: ['ABC'], tempoAccounts: ['SUP'] }))

const prefillInput = fc.record({ deal, rounding, worklogs: fc.array(worklog, { maxLength: 25 }), rateRules, categoryRules }).map(
  ({ deal, rounding, worklogs, rateRules, categoryRules }): PrefillInput =>
    makeInput({
      deal,
      issues,
      entries: summarizeWorklogs(worklogs, rounding),
      rateRules,
      categoryRules,
      settings: makeSettings({ ...rounding, defaultVatRate: '12' }),
    }),
)

function sum(values: string[]): Decimal {
  return values.reduce((total, value) => total.plus(value), new Decimal(0))
}

describe('billing properties', () => {
  it('billable minutes are at least the raw minutes and the minimum, in whole increments, and no more than needed', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10 * 24 * 3600 }), rounding, (raw: number, settings: RoundingSettings) => {
        const billable = computeBillableMinutes(raw, settings)
        const rounded = computeRoundedMinutes(raw, settings)
        const inc = settings.roundingIncrementMinutes
        expect(billable * 60).toBeGreaterThanOrEqual(raw)
        expect(billable).toBeGreaterThanOrEqual(settings.minBillableMinutes)
        expect(billable % inc).toBe(0)
        expect(rounded).toBeLessThanOrEqual(billable)
        // One increment less would fall below the raw time or the minimum.
        expect((billable - inc) * 60 < raw || billable - inc < settings.minBillableMinutes).toBe(true)
      }),
    )
  })

  it('subtotal is the sum of the lines, VAT is applied once, total is subtotal plus VAT', () => {
    fc.assert(
      fc.property(prefillInput, (input) => {
        const preview = buildPreview(input)
        const subtotal = sum(preview.lines.map((line) => line.amount))
        expect(preview.subtotal).toBe(subtotal.toFixed(2))
        expect(preview.uncappedSubtotal).toBe(sum(preview.lines.filter((line) => line.kind !== 'cap').map((line) => line.amount)).toFixed(2))
        const vat = subtotal.times(preview.vatRate).div(100).toDecimalPlaces(2, Decimal.ROUND_HALF_UP)
        expect(preview.vatAmount).toBe(vat.toFixed(2))
        expect(preview.total).toBe(subtotal.plus(vat).toFixed(2))
        for (const line of preview.lines) expect(line.amount).toMatch(/^-?\d+\.\d{2}$/)
      }),
    )
  })

  it('a cap is never exceeded', () => {
    fc.assert(
      fc.property(
        prefillInput.filter((input) => input.deal.limitMode === 'cap'),
        (input) => {
          const preview = buildPreview(input)
          if (input.deal.amountLimit !== null) expect(new Decimal(preview.subtotal).lte(input.deal.amountLimit)).toBe(true)
          const limit = input.deal.hoursLimit
          if (limit === null || preview.errors.length > 0) return
          const billable = new Decimal(preview.hours.billable)
          if (input.deal.dealType === 'time_and_materials') {
            // Limits are whole quarters, so rounding the shown hours to 4 decimals cannot cross them.
            const billed = new Decimal(preview.hours.billed)
            expect(billed.lte(limit)).toBe(true)
            expect(billed.eq(Decimal.min(billable, limit))).toBe(true)
          }
          if (input.deal.dealType === 'retainer') {
            const overage = sum(preview.lines.filter((line) => line.lineId === 'overage:retainer' || line.lineId === 'cap:hours:overage:retainer').map((line) => line.quantity))
            const allowed = Decimal.max(0, new Decimal(limit).minus(input.deal.includedHours ?? '0'))
            expect(overage.lte(allowed)).toBe(true)
          }
        },
      ),
    )
  })

  it('gives the same JSON for the same input', () => {
    fc.assert(
      fc.property(prefillInput, (input) => {
        expect(JSON.stringify(buildPreview(structuredClone(input)))).toBe(JSON.stringify(buildPreview(input)))
      }),
    )
  })

  it('gives the same JSON whatever the order of entries, rules and issues', () => {
    const permuted = prefillInput.chain((input) =>
      fc
        .record({
          entries: fc.shuffledSubarray(input.entries, { minLength: input.entries.length, maxLength: input.entries.length }),
          rateRules: fc.shuffledSubarray(input.rateRules, { minLength: input.rateRules.length, maxLength: input.rateRules.length }),
          categoryRules: fc.shuffledSubarray(input.categoryRules, { minLength: input.categoryRules.length, maxLength: input.categoryRules.length }),
          issues: fc.shuffledSubarray(input.issues, { minLength: input.issues.length, maxLength: input.issues.length }),
        })
        .map((shuffled) => [input, { ...input, ...shuffled }] as const),
    )
    fc.assert(
      fc.property(permuted, ([original, shuffled]) => {
        expect(JSON.stringify(buildPreview(shuffled))).toBe(JSON.stringify(buildPreview(original)))
      }),
    )
  })

  it('summarizes worklogs to the same entries whatever their order', () => {
    const permuted = fc
      .tuple(fc.array(worklog, { maxLength: 30 }), rounding)
      .chain(([worklogs, settings]) =>
        fc.shuffledSubarray(worklogs, { minLength: worklogs.length, maxLength: worklogs.length }).map((shuffled) => [worklogs, shuffled, settings] as const),
      )
    fc.assert(
      fc.property(permuted, ([worklogs, shuffled, settings]) => {
        expect(summarizeWorklogs(shuffled, settings)).toEqual(summarizeWorklogs(worklogs, settings))
      }),
    )
  })
})
