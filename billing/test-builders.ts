import type { SourceCustomer, SourceDeal, SourceIssue, SourceWorklog } from '../sources/types.js'
import type { BillingSettings, CategoryRule, PrefillInput, RateRule, WorkEntry } from './types.js'

/**
 * Small builders for the billing tests: every field has a plain default and a test states only
 * what it is about. Not used by product code.
 */

export function makeDeal(overrides: Partial<SourceDeal> = {}): SourceDeal {
  return {
    dealId: 'D1',
    customerId: 'C1',
    title: 'Support contract',
    contractNumber: 'K-1',
    contractDate: '2026-01-15',
    dealType: 'time_and_materials',
    currency: 'USD',
    hourlyRate: '100',
    monthlyFee: null,
    includedHours: null,
    overageRate: null,
    hoursLimit: null,
    amountLimit: null,
    limitMode: 'cap',
    vatRate: null,
    minBillableMinutes: null,
    roundingIncrementMinutes: null,
    billNonBillable: false,
    projectKeys: ['ABC'],
    tempoAccounts: [],
    status: 'active',
    paymentTermsDays: 14,
    version: '1',
    ...overrides,
  }
}

export function makeCustomer(overrides: Partial<SourceCustomer> = {}): SourceCustomer {
  return {
    customerId: 'C1',
    name: 'Acme',
    legalName: 'Acme LLC',
    country: 'UZ',
    tin: '123456789',
    vatRegCode: '',
    address: 'Tashkent',
    bankName: 'Bank',
    bankAccount: '20208000000000000001',
    mfo: '00014',
    swift: 'BANKUZ22',
    director: 'A. Director',
    accountant: 'B. Accountant',
    language: 'en',
    eInvoicing: false,
    version: '1',
    ...overrides,
  }
}

export function makeIssue(overrides: Partial<SourceIssue> = {}): SourceIssue {
  return {
    issueId: '10001',
    issueKey: 'ABC-1',
    projectKey: 'ABC',
    issueType: 'Task',
    priority: 'Medium',
    status: 'Done',
    summary: 'Do the thing',
    labels: [],
    components: [],
    version: '1',
    ...overrides,
  }
}

/** An entry of `minutes` billable minutes from one worklog with exactly that raw duration. */
export function makeEntry(overrides: Partial<WorkEntry> & { minutes?: number } = {}): WorkEntry {
  const { minutes = 60, ...rest } = overrides
  return {
    issueId: '10001',
    issueKey: 'ABC-1',
    projectKey: 'ABC',
    accountKey: '',
    workDate: '2026-10-05',
    billable: true,
    worklogCount: 1,
    rawSeconds: minutes * 60,
    roundedMinutes: minutes,
    billableMinutes: minutes,
    skippedCount: 0,
    ...rest,
  }
}

export function makeWorklog(overrides: Partial<SourceWorklog> = {}): SourceWorklog {
  return {
    worklogId: 'W1',
    issueId: '10001',
    issueKey: 'ABC-1',
    projectKey: 'ABC',
    accountKey: '',
    authorAccountId: 'U1',
    authorName: 'Dev One',
    startedAt: '2026-10-05T05:00:00Z',
    workDate: '2026-10-05',
    timeSpentSeconds: 3600,
    billableSeconds: 3600,
    description: '',
    version: '1',
    ...overrides,
  }
}

export function makeRateRule(overrides: Partial<RateRule> & { id: string }): RateRule {
  return {
    dealId: null,
    customerId: null,
    category: null,
    rate: '50',
    currency: 'USD',
    validFrom: '2026-01-01',
    validTo: null,
    ...overrides,
  }
}

export function makeCategoryRule(overrides: Partial<CategoryRule> & { id: string; category: string }): CategoryRule {
  return {
    position: 1,
    issueTypes: [],
    labels: [],
    components: [],
    tempoAccounts: [],
    projectKeys: [],
    ...overrides,
  }
}

export function makeSettings(overrides: Partial<BillingSettings> = {}): BillingSettings {
  return { minBillableMinutes: 15, roundingIncrementMinutes: 15, defaultVatRate: '0', defaultCategory: 'Development', ...overrides }
}

export function makeInput(overrides: Partial<PrefillInput> = {}): PrefillInput {
  return {
    deal: makeDeal(),
    customer: makeCustomer(),
    issues: [makeIssue()],
    entries: [makeEntry()],
    period: { from: '2026-10-01', to: '2026-11-01' },
    rateRules: [],
    categoryRules: [],
    settings: makeSettings(),
    sourceFingerprint: 'fp-1',
    ...overrides,
  }
}
