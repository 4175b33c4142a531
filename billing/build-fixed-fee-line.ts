import { formatMoney, formatRate } from './currency.js'
import type { Dec } from './decimal.js'
import { explainWorkFigures } from './explain-work.js'
import type { PricingContext } from './pricing-context.js'
import type { PreviewLine } from './types.js'
import type { WorkFigures } from './work-figures.js'

export const FIXED_FEE_LINE_ID = 'fee:monthly'

/** One line for a fixed monthly fee; the hours are stated for information and change nothing. */
export function buildFixedFeeLine(options: { fee: Dec; figures: WorkFigures; context: PricingContext }): PreviewLine {
  const { fee, figures, context } = options
  const rate = formatRate(fee, context.minorUnit)
  const amount = formatMoney(fee, context.minorUnit)
  return {
    lineId: FIXED_FEE_LINE_ID,
    kind: 'fee',
    category: null,
    description: `Fixed monthly fee, ${context.period.label}`,
    quantity: '1.00',
    unit: 'month',
    rate,
    amount,
    explanation:
      `Fixed monthly fee ${amount} ${context.deal.currency} for ${context.period.label}. For information only, the hours do not change the fee: ` +
      explainWorkFigures(figures, context.rounding),
    rateRuleId: null,
    appliesToLineId: null,
    reason: null,
  }
}

