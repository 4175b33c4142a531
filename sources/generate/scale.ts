import type { ClickHouseClient } from '@clickhouse/client'
import { CONTACTS, CUSTOMERS, DEALS, ISSUES, WORKLOGS } from '../columns.js'
import { applySourceSchema } from '../schema.js'
import type { CatalogContact, CatalogCustomer, CatalogDeal } from './catalog.js'
import { createInsertQueue } from './insert-queue.js'
import type { IssueVersion } from './issues.js'
import { listDays } from './months.js'
import type { Author } from './people.js'
import { createRng, type Rng } from './prng.js'
import { toContactRow, toCustomerRow, toDealRow, toIssueRow, toWorklogRow, type SyncStamp } from './rows.js'
import { cumulativeDayWeights, drawDuration, pickIndex, pickTeam, TASHKENT_OFFSET_MS, WORKLOG_DESCRIPTIONS, type WorklogVersion } from './worklogs.js'

/**
 * Many deals for one month, for the month-end benchmark (bench/month-end.ts): `deals` deals with
 * their customers and contacts, one Jira project (or a Tempo account in a shared project) per
 * deal, and a realistic spread of worklog volumes: most deals small (tens of worklogs), some
 * medium (hundreds), a few large (10 000+). Mostly time and materials, some retainers and fixed
 * fees; USD, EUR and UZS; most customers take e-mail, some Uzbek ones Didox e-invoices (a UZS
 * deal of an e-invoicing customer with a TIN). Deterministic for a seed, independent of the
 * fixed catalog (catalog.ts; this does not change what generate-sources.ts writes). Rows are
 * built with the same row builders (rows.ts) and inserted in batches.
 */
export interface ScaleOptions {
  seed: number
  /** Number of deals (default 1000). */
  deals: number
  /** The month billed, YYYY-MM. */
  month: string
  batchSize?: number
  onProgress?: (progress: { phase: string; done: number; total: number; elapsedMs: number }) => void
}

export type VolumeClass = 'small' | 'medium' | 'large'

export interface ScaleDeal {
  dealId: string
  customerId: string
  dealType: CatalogDeal['dealType']
  currency: string
  delivery: 'email' | 'didox'
  volume: VolumeClass
  worklogs: number
}

export interface ScaleSummary {
  seed: number
  month: string
  customers: number
  contacts: number
  deals: ScaleDeal[]
  worklogs: number
  issues: number
  /** Counts per class, type, currency and delivery. */
  mix: Record<string, Record<string, number>>
  elapsedMs: number
}

/** Deal ids of the scale data: BD-00001, BD-00002, ... */
export const scaleDealId = (i: number): string => `BD-${String(i + 1).padStart(5, '0')}`
const SHARED_SUPPORT_PROJECT = 'BSUP'
const ISSUE_ID_BASE = 500_000_000
const ISSUES_PER_PROJECT_MAX = 400
const WORKLOG_ID_BASE = 900_000_000
const WORKLOG_ID_RANGE = 100_000

const MINUTE_MS = 60_000
const DAY_MS = 86_400_000
const TYPES = [['Story', 30], ['Task', 25], ['Bug', 20], ['Sub-task', 12], ['Epic', 3], ['Support', 6]] as const
const PRIORITIES = [['Highest', 3], ['High', 15], ['Medium', 60], ['Low', 17], ['Lowest', 5]] as const
const STATUSES = [['To Do', 20], ['In Progress', 25], ['In Review', 10], ['Done', 40], ['Closed', 5]] as const
const LABELS = ['backend', 'frontend', 'mobile', 'devops', 'urgent', 'client-request', 'tech-debt', 'security', 'data', 'ux'] as const
const COMPONENTS = ['API', 'Web', 'Mobile', 'Database', 'Infrastructure', 'Reports', 'Integrations'] as const
const VERBS = ['Add', 'Fix', 'Refactor', 'Investigate', 'Update', 'Migrate', 'Document', 'Optimize', 'Исправить', 'Добавить'] as const
const OBJECTS = ['invoice export', 'login flow', 'payment gateway callback', 'report filters', 'user roles', 'push notifications',
  'database indexes', 'CI pipeline', 'PDF layout', 'отчёт по складу', "to'lov holati", 'audit log', 'dashboard widgets'] as const
const TITLES = ['Platform development', 'Mobile app', 'Data pipeline', 'Support retainer', 'ERP integration', 'Web shop',
  'Reporting', 'DevOps and on-call', 'Analytics dashboards', 'Billing module', 'Field support', 'Migration project'] as const

const UZ_NAMES = ['Toshkent', 'Samarqand', 'Buxoro', 'Navoiy', "Farg'ona", 'Andijon', 'Namangan', 'Xorazm', 'Qarshi', 'Termiz', 'Jizzax', 'Nukus'] as const
const UZ_TRADES = ['Raqamli Yechimlar', 'Logistika Servis', 'Agro Invest', 'Tekstil Group', 'Energiya', 'Savdo Markazi', 'Qurilish', 'Moliya Servis', 'Farm', 'Telekom'] as const
const FOREIGN = [
  { country: 'DE', trade: 'Software GmbH', city: 'Hamburg, Germany', vat: 'DE', iban: 'DE89', prefix: '+49 40' },
  { country: 'US', trade: 'Analytics Inc.', city: 'Atlanta, GA, USA', vat: '', iban: '', prefix: '+1 404' },
  { country: 'GB', trade: 'Data Ltd', city: 'London, United Kingdom', vat: 'GB', iban: 'GB29', prefix: '+44 20' },
] as const
const FOREIGN_NAMES = ['Nordlicht', 'Blue Ridge', 'Thames', 'Harbor', 'Summit', 'Alder', 'Beacon', 'Cedar', 'Granite', 'Meridian'] as const

interface CustomerPlan {
  customer: CatalogCustomer
  contacts: CatalogContact[]
}

interface DealPlan {
  deal: CatalogDeal
  summary: ScaleDeal
  /** Project the worklogs go to, and the account they carry ('' = none). */
  projectKey: string
  accountKey: string
  issueCount: number
}

/** What `generateScaleSources` writes, without writing it (the plan is cheap: no worklogs). */
export function planScale(options: Pick<ScaleOptions, 'seed' | 'deals' | 'month'>): { customers: CustomerPlan[]; deals: DealPlan[] } {
  if (!Number.isInteger(options.deals) || options.deals < 1 || options.deals > 99_999) throw new Error(`deals must be 1 to 99999, got ${options.deals}`)
  const rng = createRng(options.seed, 'scale', 'plan')
  const customers: CustomerPlan[] = []
  const deals: DealPlan[] = []
  const contractBefore = Date.parse(`${options.month}-01T00:00:00Z`)
  let index = 0
  while (index < options.deals) {
    const c = makeCustomer(rng, customers.length)
    customers.push(c)
    // 1 to 4 deals per customer, most with one or two.
    const count = Math.min(options.deals - index, rng.weighted([[1, 45], [2, 30], [3, 15], [4, 10]]))
    for (let k = 0; k < count; k += 1, index += 1) deals.push(makeDeal(rng, index, c.customer, contractBefore))
  }
  return { customers, deals }
}

function makeCustomer(rng: Rng, i: number): CustomerPlan {
  const n = i + 1
  const id = `BCUST-${String(n).padStart(5, '0')}`
  const domain = `bench-customer-${n}.example`
  const kind = rng.weighted([['uz-einvoicing', 30], ['uz-email', 35], ['foreign', 35]] as const)
  let customer: CatalogCustomer
  if (kind === 'foreign') {
    const f = rng.pick(FOREIGN)
    const name = `${rng.pick(FOREIGN_NAMES)} ${n}`
    customer = {
      customerId: id, name, legalName: `${name} ${f.trade}`, country: f.country, tin: null,
      vatRegCode: f.vat === '' ? '' : `${f.vat}${String(300_000_000 + n)}`, address: `${n} Main Street, ${f.city}`,
      bankName: 'Merchant Bank', bankAccount: f.iban === '' ? String(4_000_000_000 + n) : `${f.iban}${String(10_000_000_000 + n)}`, mfo: '',
      swift: 'MRCHXX22', director: 'Alex Morgan', accountant: 'Sam Taylor', language: 'en', eInvoicing: false,
    }
  } else {
    const name = `${rng.pick(UZ_NAMES)} ${rng.pick(UZ_TRADES)} ${n}`
    const tin = String(300_000_000 + n)
    customer = {
      customerId: id, name, legalName: `"${name}" MChJ`, country: 'UZ', tin, vatRegCode: `3260${tin}`,
      address: `Toshkent sh., Amir Temur ko'chasi, ${n}-uy`, bankName: 'ATB "Sharq Biznes Bank"',
      bankAccount: `2020800090${String(n).padStart(10, '0')}`, mfo: '01122', swift: 'SHBKUZ22',
      director: 'Karimov Aziz', accountant: 'Yusupova Dilnoza', language: rng.weighted([['ru', 60], ['uz', 30], ['en', 10]] as const),
      eInvoicing: kind === 'uz-einvoicing',
    }
  }
  const contactCount = rng.int(1, 3)
  const contacts: CatalogContact[] = Array.from({ length: contactCount }, (_, k) => ({
    contactId: `BCONT-${String(n).padStart(5, '0')}-${k + 1}`,
    customerId: id,
    name: `Contact ${k + 1} of ${customer.name}`,
    email: `${['accounting', 'finance', 'pm'][k]}@${domain}`,
    phone: `+998 71 200 ${String(1000 + k)}`,
    // The first receives invoices; a second one sometimes does too.
    isBilling: k === 0 || (k === 1 && rng.chance(0.3)),
  }))
  return { customer, contacts }
}

function makeDeal(rng: Rng, index: number, customer: CatalogCustomer, contractBefore: number): DealPlan {
  const dealId = scaleDealId(index)
  const uz = customer.country === 'UZ'
  const dealType = rng.weighted([['time_and_materials', 80], ['retainer', 12], ['fixed_monthly', 8]] as const)
  // Didox needs UZS of an e-invoicing customer: most of those customers' deals are in UZS.
  const currency = uz ? rng.weighted(customer.eInvoicing ? ([['UZS', 75], ['USD', 25]] as const) : ([['UZS', 50], ['USD', 50]] as const)) : rng.weighted([['USD', 60], ['EUR', 40]] as const)
  const volume = rng.weighted([['small', 75], ['medium', 23], ['large', 2]] as const)
  const worklogs = volume === 'small' ? rng.int(10, 80) : volume === 'medium' ? rng.int(100, 900) : rng.int(10_000, 15_000)
  const rate = (usd: number): string => (currency === 'UZS' ? String(Math.round((usd * 12_600) / 10_000) * 10_000) : String(usd)) + '.0000'
  const fee = (usd: number): string => (currency === 'UZS' ? String(Math.round((usd * 12_600) / 1_000_000) * 1_000_000) : String(usd)) + '.00'
  const accountOnly = rng.chance(0.1)
  const n = index + 1
  const projectKey = accountOnly ? SHARED_SUPPORT_PROJECT : `BP${n}`
  const accountKey = accountOnly ? `BSUP-${n}` : rng.chance(0.3) ? `BACC-${n}` : ''
  const hourly = rng.int(25, 80)
  const terms: Partial<CatalogDeal> =
    dealType === 'time_and_materials'
      ? { hourlyRate: rate(hourly), ...(rng.chance(0.05) ? { hoursLimit: '160.00', limitMode: 'warn' as const } : {}) }
      : dealType === 'retainer'
        ? { monthlyFee: fee(hourly * 80), includedHours: '80.00', overageRate: rate(hourly) }
        : { monthlyFee: fee(rng.int(20, 200) * 100) }
  const contractDate = new Date(contractBefore - rng.int(30, 700) * DAY_MS).toISOString().slice(0, 10)
  const deal: CatalogDeal = {
    dealId,
    customerId: customer.customerId,
    title: `${rng.pick(TITLES)} ${n}`,
    contractNumber: `BENCH-${n}`,
    contractDate,
    dealType,
    currency,
    hourlyRate: null,
    monthlyFee: null,
    includedHours: null,
    overageRate: null,
    hoursLimit: null,
    amountLimit: null,
    limitMode: 'cap',
    vatRate: uz ? '12.00' : '0.00',
    minBillableMinutes: null,
    roundingIncrementMinutes: null,
    billNonBillable: false,
    projectKeys: accountOnly ? [] : [projectKey],
    tempoAccounts: accountKey === '' ? [] : [accountKey],
    status: 'active',
    paymentTermsDays: rng.pick([10, 15, 30]),
    ...terms,
  }
  const delivery = customer.eInvoicing && customer.tin !== null && currency === 'UZS' ? 'didox' : 'email'
  const issueCount = Math.min(ISSUES_PER_PROJECT_MAX, Math.max(10, Math.ceil(worklogs / 10)))
  return { deal, summary: { dealId, customerId: customer.customerId, dealType, currency, delivery, volume, worklogs }, projectKey, accountKey, issueCount }
}

/** Creates the source tables if needed and fills them (expected empty) with the scale data. */
export async function generateScaleSources(client: ClickHouseClient, options: ScaleOptions): Promise<ScaleSummary> {
  const startedAt = performance.now()
  const { customers, deals } = planScale(options)
  const total = deals.reduce((sum, d) => sum + d.summary.worklogs, 0)
  const report = (phase: string, done: number, all: number) => options.onProgress?.({ phase, done, total: all, elapsedMs: performance.now() - startedAt })
  await applySourceSchema(client)
  const queue = createInsertQueue(client, options.batchSize ?? 50_000, () => {})
  const syncMs = Date.parse(`${options.month}-01T00:00:00Z`) - 10 * DAY_MS
  const stamp = (i: number): SyncStamp => ({ version: syncMs + i, deleted: false, syncedAtMs: syncMs + i })
  customers.forEach((c, i) => {
    queue.add(CUSTOMERS.table, 1, toCustomerRow(c.customer, stamp(i)))
    c.contacts.forEach((contact, k) => queue.add(CONTACTS.table, 1, toContactRow(contact, stamp(i * 10 + k))))
  })
  deals.forEach((d, i) => queue.add(DEALS.table, 1, toDealRow(d.deal, stamp(i))))
  await queue.flushFull()

  // Issues: one range of ids per project (the shared support project has the last range).
  const projects = new Map<string, number>()
  for (const d of deals) projects.set(d.projectKey, Math.max(projects.get(d.projectKey) ?? 0, d.issueCount))
  const projectIndex = new Map([...projects.keys()].map((key, i) => [key, i]))
  let issues = 0
  for (const [projectKey, count] of projects) {
    const rng = createRng(options.seed, 'scale', 'issues', projectKey)
    for (let n = 1; n <= count; n += 1) {
      issues += 1
      if (queue.add(ISSUES.table, 1, toIssueRow(makeIssue(rng, projectKey, issueIdOf(projectIndex.get(projectKey)!, n), n, syncMs + n * 1000)))) await queue.flushFull()
    }
  }

  const days = listDays(options.month)
  const dayWeights = cumulativeDayWeights(days)
  let generated = 0
  let lastReport = 0
  for (const [i, d] of deals.entries()) {
    const rng = createRng(options.seed, 'scale', 'worklogs', d.deal.dealId)
    const team = pickTeam(rng, 2)
    const index = projectIndex.get(d.projectKey)!
    for (let k = 0; k < d.summary.worklogs; k += 1) {
      const first = makeWorklog(rng, d, team, days, dayWeights, WORKLOG_ID_BASE + i * WORKLOG_ID_RANGE + k + 1, index)
      generated += 1
      if (queue.add(WORKLOGS.table, 1, toWorklogRow(first))) await queue.flushFull()
      // A few are corrected or deleted by a later sync, as in generate-sources.ts.
      const roll = rng.next()
      const laterMs = first.syncedAtMs + rng.int(3_600, 3 * 86_400) * 1000
      if (roll < 0.01) queue.add(WORKLOGS.table, 2, toWorklogRow({ ...first, deleted: true, version: laterMs, syncedAtMs: laterMs, pass: 2 }))
      else if (roll < 0.03) {
        const seconds = drawDuration(rng)
        queue.add(WORKLOGS.table, 2, toWorklogRow({ ...first, timeSpentSeconds: seconds, billableSeconds: first.billableSeconds === 0 ? 0 : seconds, description: `${first.description} (corrected)`, version: laterMs, syncedAtMs: laterMs, pass: 2 }))
      }
      if (generated - lastReport >= 20_000) {
        lastReport = generated
        report('worklogs', generated, total)
      }
    }
  }
  await queue.flushAll()
  report('worklogs', generated, total)

  const mix: Record<string, Record<string, number>> = { volume: {}, dealType: {}, currency: {}, delivery: {} }
  for (const { summary: s } of deals) {
    for (const [key, value] of [['volume', s.volume], ['dealType', s.dealType], ['currency', s.currency], ['delivery', s.delivery]] as const) {
      mix[key]![value] = (mix[key]![value] ?? 0) + 1
    }
  }
  return {
    seed: options.seed,
    month: options.month,
    customers: customers.length,
    contacts: customers.reduce((sum, c) => sum + c.contacts.length, 0),
    deals: deals.map((d) => d.summary),
    worklogs: generated,
    issues,
    mix,
    elapsedMs: performance.now() - startedAt,
  }
}

const issueIdOf = (projectIndex: number, n: number): number => ISSUE_ID_BASE + projectIndex * 1_000 + n

function makeIssue(rng: Rng, projectKey: string, issueId: number, n: number, syncedAtMs: number): IssueVersion {
  const labels = LABELS.filter(() => rng.chance(0.12))
  const components = COMPONENTS.filter(() => rng.chance(0.15))
  return {
    issueId,
    issueKey: `${projectKey}-${n}`,
    projectKey,
    issueType: rng.weighted(TYPES),
    priority: rng.weighted(PRIORITIES),
    status: rng.weighted(STATUSES),
    summary: `${rng.pick(VERBS)} ${rng.pick(OBJECTS)}`,
    labels,
    components,
    version: syncedAtMs,
    deleted: false,
    syncedAtMs,
    pass: 1,
  }
}

function makeWorklog(rng: Rng, d: DealPlan, team: readonly Author[], days: readonly string[], dayWeights: Float64Array, worklogId: number, projectIndex: number): WorklogVersion {
  const n = 1 + Math.floor(d.issueCount * rng.next() ** 1.6)
  const author = rng.pick(team)
  const day = days[pickIndex(dayWeights, rng.next())]!
  // Office hours in Tashkent mostly, some evenings; never past midnight (the month stays whole).
  const localMinute = rng.chance(0.92) ? rng.int(8 * 12, 18 * 12) * 5 : rng.int(19 * 12, 23 * 12) * 5
  const startedAtMs = Date.parse(`${day}T00:00:00Z`) + localMinute * MINUTE_MS - TASHKENT_OFFSET_MS
  const timeSpentSeconds = drawDuration(rng)
  const kind = rng.next()
  const billableSeconds = kind < 0.04 ? 0 : kind < 0.05 ? Math.round(timeSpentSeconds / 2) : timeSpentSeconds
  const syncedAtMs = startedAtMs + timeSpentSeconds * 1000 + rng.int(1, 30) * MINUTE_MS
  // An account-only deal's work is told apart by its account; other deals' work carries theirs sometimes.
  const accountKey = d.deal.projectKeys.length === 0 ? d.accountKey : d.accountKey !== '' && rng.chance(0.5) ? d.accountKey : ''
  return {
    worklogId,
    issueId: issueIdOf(projectIndex, n),
    issueKey: `${d.projectKey}-${n}`,
    projectKey: d.projectKey,
    accountKey,
    authorAccountId: author.accountId,
    authorName: author.name,
    startedAtMs,
    timeSpentSeconds,
    billableSeconds,
    description: rng.pick(WORKLOG_DESCRIPTIONS),
    version: syncedAtMs,
    deleted: false,
    syncedAtMs,
    pass: 1,
  }
}
