import type { LineUnit } from '../billing/types.js'
import type { Seller } from '../db/settings.js'
import type { InvoiceLanguage, SourceCustomer } from '../sources/types.js'

/**
 * Everything the invoice template needs, as plain JSON data: decimals are strings exactly as the
 * billing core wrote them, dates are YYYY-MM-DD. The document is the render input: its SHA-256
 * (`hashRenderInput`) is stored with every PDF, and it carries the template version, so the same
 * document always names the same template and the same figures.
 */
export interface InvoiceDocument {
  /** The template this document is meant for, e.g. "invoice-v1". */
  templateVersion: string
  language: InvoiceLanguage
  /** The invoice number assigned at finalization, e.g. "INV-2026-000123". */
  number: string
  /** YYYY-MM-DD */
  issueDate: string
  /** YYYY-MM-DD: issue date plus the payment terms. */
  dueDate: string
  period: InvoiceDocumentPeriod
  seller: InvoiceSeller
  buyer: InvoiceBuyer
  contract: InvoiceContract
  /** ISO 4217 code. */
  currency: string
  lines: InvoiceDocumentLine[]
  subtotal: string
  /** Percent, e.g. "12". */
  vatRate: string
  vatAmount: string
  total: string
  paymentTerms: InvoicePaymentTerms
  /** Per-issue detail for the appendix; empty means no appendix. */
  appendix: InvoiceAppendixRow[]
}

export interface InvoiceDocumentPeriod {
  /** YYYY-MM-DD, inclusive. */
  from: string
  /** YYYY-MM-DD, exclusive, as in the preview; the PDF shows the day before. */
  to: string
  /** "2026-10" for a calendar month, otherwise "2026-10-03..2026-10-17". */
  label: string
}

/** The issuing company: the `seller` setting (its zod schema in db/settings.ts is the one definition). */
export type InvoiceSeller = Seller

/** The customer's legal and bank details, from CDM. Empty strings and null are left out of the PDF. */
export type InvoiceBuyer = Pick<
  SourceCustomer,
  'customerId' | 'name' | 'legalName' | 'country' | 'tin' | 'vatRegCode' | 'address' | 'bankName' | 'bankAccount' | 'mfo' | 'swift' | 'director' | 'accountant'
>

export interface InvoiceContract {
  dealId: string
  /** Contract number and date (YYYY-MM-DD) from the deal. */
  number: string
  date: string
  dealTitle: string
}

export interface InvoiceDocumentLine {
  /** 1-based position on the invoice. */
  position: number
  description: string
  /** Decimal string; negative only on cap lines. */
  quantity: string
  unit: LineUnit
  rate: string
  amount: string
}

export interface InvoicePaymentTerms {
  days: number
  /** YYYY-MM-DD */
  dueDate: string
}

/** One issue's work on one invoice line. */
export interface InvoiceAppendixRow {
  issueKey: string
  /** Null when the issue is missing from the synced Jira issues. */
  summary: string | null
  category: string
  /** Position of the invoice line the hours are billed on; null when the work was not priced. */
  linePosition: number | null
  rawHours: string
  billableHours: string
  /** Uncapped hours x rate; null for fee-based deals or unpriced work. */
  amount: string | null
}
