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

/** All of them, for registering with a server (tests start private servers with these). */
export const INVOICE_SEARCH_ATTRIBUTES = [invoiceStatusKey, customerIdKey, dealIdKey, billingPeriodKey, invoiceNumberKey]
