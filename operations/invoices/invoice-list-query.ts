import { INVOICE_STATES, type InvoiceState } from '../../workflows/invoice-contract.js'
import { billingPeriodKey, customerIdKey, dealIdKey, invoiceNumberKey, invoiceStatusKey } from '../../workflows/search-attributes.js'

export interface InvoiceListFilters {
  state?: InvoiceState
  customerId?: string
  dealId?: string
  /** The period label as the workflow records it (`2026-10`, `2026-10-03..2026-10-17`). */
  period?: string
  number?: string
}

/** The workflow type every invoice runs as (started by name, see operations/start-invoice.ts). */
export const INVOICE_WORKFLOW_TYPE = 'invoiceWorkflow'

/**
 * A Temporal visibility query for invoices matching the filters, built from the search
 * attributes the workflow keeps up to date. Values are validated upstream and escaped here as
 * well, so a filter can never change the shape of the query.
 */
export function buildInvoiceListQuery(filters: InvoiceListFilters): string {
  if (filters.state !== undefined && !INVOICE_STATES.includes(filters.state)) throw new RangeError(`unknown state ${filters.state}`)
  const clauses = [`WorkflowType = ${quoteQueryValue(INVOICE_WORKFLOW_TYPE)}`]
  const pairs: [string, string | undefined][] = [
    [invoiceStatusKey.name, filters.state],
    [customerIdKey.name, filters.customerId],
    [dealIdKey.name, filters.dealId],
    [billingPeriodKey.name, filters.period],
    [invoiceNumberKey.name, filters.number],
  ]
  for (const [key, value] of pairs) if (value !== undefined) clauses.push(`${key} = ${quoteQueryValue(value)}`)
  return clauses.join(' AND ')
}

/**
 * A string literal for Temporal's SQL-like visibility language: single-quoted, with backslash
 * and quote escaped; control characters are refused since no id or label contains them.
 */
export function quoteQueryValue(value: string): string {
  if (/[\u0000-\u001f\u007f]/.test(value)) throw new RangeError('a visibility query value cannot contain control characters')
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`
}
