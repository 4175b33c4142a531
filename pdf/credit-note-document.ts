import type { InvoiceLanguage } from '../sources/types.js'
import type { InvoiceBuyer, InvoiceContract, InvoiceDocumentLine, InvoiceDocumentPeriod, InvoiceSeller } from './invoice-document.js'

/** `partial` credits part of the invoice; `void` cancels what is left of it in full. */
export type CreditNoteKind = 'partial' | 'void'

/**
 * Everything the credit note template needs, as plain JSON data, like `InvoiceDocument`:
 * decimals are strings as the billing core wrote them, dates are YYYY-MM-DD. Its SHA-256
 * (`hashRenderInput`) is stored with the PDF, and it carries the template version.
 */
export interface CreditNoteDocument {
  /** The template this document is meant for, e.g. "credit-note-v1". */
  templateVersion: string
  language: InvoiceLanguage
  /** The credit note number, e.g. "CN-2026-00001". */
  number: string
  /** YYYY-MM-DD */
  issueDate: string
  /** The delivered invoice this credit note corrects. */
  invoice: CreditNoteInvoiceReference
  /** Why the invoice is corrected, as the customer reads it. */
  reason: string
  kind: CreditNoteKind
  seller: InvoiceSeller
  buyer: InvoiceBuyer
  contract: InvoiceContract
  /** The corrected invoice's billing period. */
  period: InvoiceDocumentPeriod
  /** ISO 4217 code, the invoice's currency. */
  currency: string
  /** What is credited: positive quantities and amounts. */
  lines: InvoiceDocumentLine[]
  subtotal: string
  /** Percent, e.g. "12". */
  vatRate: string
  vatAmount: string
  /** The credited total, positive. */
  total: string
  /** What the invoice still amounts to after this and every earlier credit note; "0.00" after a void. */
  remainingAfter: string
}

export interface CreditNoteInvoiceReference {
  /** e.g. "INV-2026-000123" */
  number: string
  /** YYYY-MM-DD */
  issueDate: string
  /** The invoice's total as issued. */
  total: string
}
