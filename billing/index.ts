/**
 * The billing core: worklogs to an invoice preview, with no I/O. Everything else in the app
 * imports billing through this module.
 */
export { buildPreview } from './build-preview.js'
export { applyEdits } from './apply-edits.js'
export { summarizeWorklogs } from './summarize-worklogs.js'
export {
  computeBillableMinutes,
  computeRawSeconds,
  computeRoundedMinutes,
  describeRoundingProblem,
  isBillableWorklog,
  resolveRounding,
} from './worklog-minutes.js'
export { describeRuleScope, resolveRate, type RateResolution } from './resolve-rate.js'
export { categorizeEntry, matchesCategoryRule, sortCategoryRules, type CategoryMatch } from './categorize-entry.js'
export { belongsToDeal } from './select-entries.js'
export { buildMonthPeriod, describePeriodProblem, isCalendarMonth, labelPeriod } from './period.js'
export { CURRENCY_MINOR_UNITS, getMinorUnit } from './currency.js'
export { ERROR_CODES, WARNING_CODES, type ErrorCode, type WarningCode } from './finding-codes.js'
export { BillingEditError, EDIT_ERROR_CODES, isBillingEditError, type EditErrorCode } from './billing-edit-error.js'
export { AMOUNT_CAP_LINE_ID } from './apply-amount-limit.js'
export { FIXED_FEE_LINE_ID } from './build-fixed-fee-line.js'
export { OVERAGE_CAP_LINE_ID, OVERAGE_LINE_ID, RETAINER_FEE_LINE_ID } from './build-retainer-lines.js'
export { buildTimeLineId } from './price-time-entries.js'
export type {
  BillingPeriod,
  BillingSettings,
  CategoryRule,
  Finding,
  FindingDetailValue,
  InvoicePreview,
  IssueDetail,
  LineKind,
  LineUnit,
  ManualLineInput,
  PrefillInput,
  PreviewEdits,
  PreviewHours,
  PreviewLimits,
  PreviewLine,
  PreviewPeriod,
  RateRule,
  RateScope,
  RoundingSettings,
  WorkEntry,
} from './types.js'
