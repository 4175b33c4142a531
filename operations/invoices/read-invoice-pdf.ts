import type { Database } from '../../lib/database.js'

export interface InvoicePdfFile {
  bytes: Uint8Array
  sha256: string
  version: number
  /** `<number>-v<version>.pdf`, safe to put in a Content-Disposition header. */
  fileName: string
}

/**
 * A stored PDF of the invoice created by this workflow run (invoice_pdfs): the requested
 * version or the current one. Null when the run has no invoice yet or no such version.
 */
export async function readInvoicePdf(db: Database, options: { runId: string; version?: number }): Promise<InvoicePdfFile | null> {
  const invoice = await db.invoice.findUnique({ where: { workflowRunId: options.runId }, select: { id: true, number: true, currentPdfVersion: true } })
  const version = options.version ?? invoice?.currentPdfVersion
  if (!invoice || version === null || version === undefined) return null
  const pdf = await db.invoicePdf.findUnique({ where: { invoiceId_version: { invoiceId: invoice.id, version } } })
  if (!pdf) return null
  const base = (invoice.number ?? invoice.id).replace(/[^A-Za-z0-9._-]/g, '_')
  return { bytes: pdf.pdfData, sha256: pdf.sha256, version, fileName: `${base}-v${version}.pdf` }
}
