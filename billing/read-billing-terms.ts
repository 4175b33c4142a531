import type { SourceDeal } from '../sources/types.js'
import { Dec, MAX_RATE_DECIMALS, parseNonNegativeDecimal } from './decimal.js'
import { ERROR_CODES } from './finding-codes.js'
import type { BillingSettings, Finding, RoundingSettings } from './types.js'
import { describeRoundingProblem, resolveRounding } from './worklog-minutes.js'

/** The deal's figures parsed to decimals, with the settings' defaults applied. */
export interface BillingTerms {
  hourlyRate: Dec | null
  monthlyFee: Dec | null
  includedHours: Dec | null
  overageRate: Dec | null
  hoursLimit: Dec | null
  amountLimit: Dec | null
  vatRate: Dec
  rounding: RoundingSettings
  defaultCategory: string
}

type DealFigure = 'hourlyRate' | 'monthlyFee' | 'includedHours' | 'overageRate' | 'hoursLimit' | 'amountLimit'

const MISSING_CODES: Partial<Record<DealFigure, string>> = {
  monthlyFee: ERROR_CODES.MISSING_MONTHLY_FEE,
  includedHours: ERROR_CODES.MISSING_INCLUDED_HOURS,
  overageRate: ERROR_CODES.MISSING_OVERAGE_RATE,
}

const REQUIRED_BY_TYPE: Readonly<Record<SourceDeal['dealType'], readonly DealFigure[]>> = {
  time_and_materials: [],
  fixed_monthly: ['monthlyFee'],
  retainer: ['monthlyFee', 'includedHours', 'overageRate'],
}

const USED_BY_TYPE: Readonly<Record<SourceDeal['dealType'], readonly DealFigure[]>> = {
  time_and_materials: ['hourlyRate', 'hoursLimit', 'amountLimit'],
  fixed_monthly: ['monthlyFee', 'hoursLimit', 'amountLimit'],
  retainer: ['monthlyFee', 'includedHours', 'overageRate', 'hoursLimit', 'amountLimit'],
}

/**
 * Reads and checks the deal figures this deal type uses, plus VAT and rounding. A figure the
 * deal type does not use is not checked, so a stale field on a deal cannot block its invoice.
 */
export function readBillingTerms(deal: SourceDeal, settings: BillingSettings): { terms: BillingTerms; errors: Finding[] } {
  const errors: Finding[] = []
  const figures: Record<DealFigure, Dec | null> = {
    hourlyRate: null,
    monthlyFee: null,
    includedHours: null,
    overageRate: null,
    hoursLimit: null,
    amountLimit: null,
  }
  for (const field of USED_BY_TYPE[deal.dealType]) {
    const raw = deal[field]
    if (raw === null) {
      const code = MISSING_CODES[field]
      if (code !== undefined && REQUIRED_BY_TYPE[deal.dealType].includes(field)) {
        errors.push({
          code,
          message: `Deal ${deal.dealId} (${deal.dealType}) has no ${field}; it is required to bill this deal type.`,
          details: { dealId: deal.dealId, field },
        })
      }
      continue
    }
    const parsed = parseNonNegativeDecimal(raw)
    if (parsed === null) errors.push(invalidDealValue(deal, field, raw, `a non-negative decimal with at most ${MAX_RATE_DECIMALS} decimals`))
    figures[field] = parsed
  }

  let vatRate = new Dec(0)
  if (deal.vatRate !== null) {
    const parsed = parsePercent(deal.vatRate)
    if (parsed === null) errors.push(invalidDealValue(deal, 'vatRate', deal.vatRate, 'a percentage from 0 to 100 with at most 2 decimals'))
    vatRate = parsed ?? vatRate
  } else {
    const parsed = parsePercent(settings.defaultVatRate)
    if (parsed === null) errors.push(invalidSetting('defaultVatRate', `must be a percentage from 0 to 100 with at most 2 decimals, got "${settings.defaultVatRate}"`))
    vatRate = parsed ?? vatRate
  }

  const rounding = resolveRounding(deal, settings)
  const roundingProblem = describeRoundingProblem(rounding)
  if (roundingProblem !== null) {
    const source = deal.minBillableMinutes !== null || deal.roundingIncrementMinutes !== null ? `deal ${deal.dealId} or settings` : 'settings'
    errors.push(invalidSetting('rounding', `${roundingProblem} (from ${source})`))
  }
  if (settings.defaultCategory.trim() === '') errors.push(invalidSetting('defaultCategory', 'must not be empty'))

  return { terms: { ...figures, vatRate, rounding, defaultCategory: settings.defaultCategory }, errors }
}

/** VAT is stored as DECIMAL(5,2): 0 to 100 with at most 2 decimals. */
function parsePercent(value: string): Dec | null {
  const parsed = parseNonNegativeDecimal(value, 2)
  return parsed !== null && parsed.lte(100) ? parsed : null
}

function invalidDealValue(deal: SourceDeal, field: string, value: string, expected: string): Finding {
  return {
    code: ERROR_CODES.INVALID_DEAL_VALUE,
    message: `Deal ${deal.dealId} has ${field} "${value}"; it must be ${expected}.`,
    details: { dealId: deal.dealId, field, value },
  }
}

function invalidSetting(field: string, problem: string): Finding {
  return { code: ERROR_CODES.INVALID_SETTINGS, message: `Billing setting ${field} ${problem}.`, details: { field } }
}
