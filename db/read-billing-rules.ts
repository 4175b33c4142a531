import type { BillingSettings, CategoryRule, RateRule } from '../billing/types.js'
import type { Database } from '../lib/database.js'
import { readSettings, type AppSettings } from './settings.js'

export interface BillingRules {
  settings: BillingSettings
  rateRules: RateRule[]
  categoryRules: CategoryRule[]
  /** The whole app settings, for what the billing core does not need (seller, terms). */
  app: AppSettings
}

/**
 * Everything the billing core needs from PostgreSQL for one deal: its settings, the active
 * category rules in order, and the rate rules that could apply to the deal or its customer.
 */
export async function readBillingRules(db: Database, scope: { dealId: string; customerId: string }): Promise<BillingRules> {
  const [app, rates, categories] = await Promise.all([
    readSettings(db),
    db.rateRule.findMany({
      where: {
        AND: [
          { OR: [{ dealId: null }, { dealId: scope.dealId }] },
          { OR: [{ customerId: null }, { customerId: scope.customerId }] },
        ],
      },
      orderBy: [{ validFrom: 'asc' }, { id: 'asc' }],
    }),
    db.categoryRule.findMany({ where: { active: true }, orderBy: { position: 'asc' } }),
  ])
  return {
    app,
    settings: {
      minBillableMinutes: app.minBillableMinutes,
      roundingIncrementMinutes: app.roundingIncrementMinutes,
      defaultVatRate: app.defaultVatRate,
      defaultCategory: app.defaultCategory,
    },
    rateRules: rates.map((r) => ({
      id: r.id,
      dealId: r.dealId,
      customerId: r.customerId,
      category: r.category,
      rate: r.rate.toString(),
      currency: r.currency,
      validFrom: toDateString(r.validFrom),
      validTo: r.validTo ? toDateString(r.validTo) : null,
    })),
    categoryRules: categories.map((c) => ({
      id: c.id,
      position: c.position,
      category: c.category,
      issueTypes: c.issueTypes,
      labels: c.labels,
      components: c.components,
      tempoAccounts: c.tempoAccounts,
      projectKeys: c.projectKeys,
    })),
  }
}

/** A DATE column as YYYY-MM-DD (Prisma returns it as midnight UTC). */
export function toDateString(date: Date): string {
  return date.toISOString().slice(0, 10)
}
