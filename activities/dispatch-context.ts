import type { InvoicePreview } from '../billing/types.js'
import type { Seller } from '../db/settings.js'
import type { Database } from '../lib/database.js'
import { ERROR_TYPES } from '../lib/error-types.js'
import { PermanentError } from '../lib/permanent-error.js'
import type { SourceCustomer, SourceDeal } from '../sources/types.js'

/** What every dispatch step needs to know about an approved invoice, read from PostgreSQL. */
export interface DispatchContext {
  invoiceId: string
  number: string
  year: number
  issueDate: string
  dueDate: string | null
  currency: string
  subtotal: string
  vatRate: string
  vatAmount: string
  total: string
  periodLabel: string
  preview: InvoicePreview
  buyer: SourceCustomer
  seller: Seller
  deal: SourceDeal
  pdf: { version: number; bytes: Uint8Array; sha256: string }
}

/**
 * Loads the approved invoice and its current PDF version: the dispatch steps send exactly what
 * was approved, never a re-computed figure.
 */
export async function loadDispatchContext(db: Database, invoiceId: string): Promise<DispatchContext> {
  const invoice = await db.invoice.findUnique({ where: { id: invoiceId } })
  if (!invoice?.number || !invoice.issueDate || invoice.currentPdfVersion === null) {
    throw new PermanentError(ERROR_TYPES.invalidInput, `invoice ${invoiceId} has no number or PDF: it cannot be dispatched`)
  }
  const pdf = await db.invoicePdf.findUniqueOrThrow({
    where: { invoiceId_version: { invoiceId, version: invoice.currentPdfVersion } },
    select: { version: true, pdfData: true, sha256: true },
  })
  return {
    invoiceId,
    number: invoice.number,
    year: invoice.numberYear ?? invoice.issueDate.getUTCFullYear(),
    issueDate: invoice.issueDate.toISOString().slice(0, 10),
    dueDate: invoice.dueDate ? invoice.dueDate.toISOString().slice(0, 10) : null,
    currency: invoice.currency,
    subtotal: invoice.subtotal.toFixed(2),
    vatRate: invoice.vatRate.toString(),
    vatAmount: invoice.vatAmount.toFixed(2),
    total: invoice.total.toFixed(2),
    periodLabel: invoice.period,
    preview: invoice.preview as unknown as InvoicePreview,
    buyer: invoice.buyer as unknown as SourceCustomer,
    seller: invoice.seller as unknown as Seller,
    deal: invoice.deal as unknown as SourceDeal,
    pdf: { version: pdf.version, bytes: new Uint8Array(pdf.pdfData), sha256: pdf.sha256 },
  }
}
