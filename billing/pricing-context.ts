import type { SourceDeal } from '../sources/types.js'
import type { Dec } from './decimal.js'
import { roundMoney } from './currency.js'
import type { PreviewPeriod, RoundingSettings } from './types.js'

/** What every pricing step needs to know about the invoice being built. */
export interface PricingContext {
  deal: SourceDeal
  currency: string
  minorUnit: number
  rounding: RoundingSettings
  period: PreviewPeriod
}

/**
 * Money for minutes at an hourly rate. Multiplies before dividing so an exact result stays
 * exact (10 min at 0.03/h is exactly 0.005 and rounds up), then rounds once.
 */
export function priceMinutes(minutes: Dec, hourlyRate: Dec, minorUnit: number): Dec {
  return roundMoney(minutes.times(hourlyRate).div(60), minorUnit)
}
