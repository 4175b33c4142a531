import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common'

/**
 * Search attributes operators filter invoices by in Temporal Web. They are registered with the
 * server by scripts/services/temporal.sh (keep the two lists the same).
 */
export const invoiceStatusKey = defineSearchAttributeKey('InvoiceStatus', SearchAttributeType.KEYWORD)
export const customerIdKey = defineSearchAttributeKey('CustomerId', SearchAttributeType.KEYWORD)
export const dealIdKey = defineSearchAttributeKey('DealId', SearchAttributeType.KEYWORD)
export const billingPeriodKey = defineSearchAttributeKey('BillingPeriod', SearchAttributeType.KEYWORD)
export const invoiceNumberKey = defineSearchAttributeKey('InvoiceNumber', SearchAttributeType.KEYWORD)
/** unpaid | partially_paid | overdue | paid | void, once the invoice is delivered. */
export const paymentStatusKey = defineSearchAttributeKey('PaymentStatus', SearchAttributeType.KEYWORD)
/** The invoice's due date (midnight UTC), once delivered: `DueDate < "2026-12-01T00:00:00Z"`. */
export const dueDateKey = defineSearchAttributeKey('DueDate', SearchAttributeType.DATETIME)

/** All of them, for registering with a server (tests start private servers with these). */
export const INVOICE_SEARCH_ATTRIBUTES = [invoiceStatusKey, customerIdKey, dealIdKey, billingPeriodKey, invoiceNumberKey, paymentStatusKey, dueDateKey]

/** The type names the Temporal CLI and the operator API use for each. */
export function searchAttributeTypeName(key: (typeof INVOICE_SEARCH_ATTRIBUTES)[number]): 'Keyword' | 'Datetime' {
  return key.type === SearchAttributeType.DATETIME ? 'Datetime' : 'Keyword'
}
