import type { Database } from '../lib/database.js'
import { appendEvent, type InvoiceEventInput } from './append-event.js'

export interface StoredPdf {
  version: number
  sha256: string
  sizeBytes: number
  templateVersion: string
  inputHash: string
}

/** The stored PDF of an invoice version, or null when it has not been rendered yet. */
export async function findInvoicePdf(db: Database, invoiceId: string, version: number): Promise<StoredPdf | null> {
  return db.invoicePdf.findUnique({
    where: { invoiceId_version: { invoiceId, version } },
    select: { version: true, sha256: true, sizeBytes: true, templateVersion: true, inputHash: true },
  })
}

/**
 * Stores a rendered PDF as a new, immutable version (the seed's pdf_data), points the invoice
 * at it and appends the event, in one transaction. A version already stored is kept as it is
 * (a retried render never replaces bytes that may have been seen).
 */
export async function storeInvoicePdf(
  db: Database,
  input: StoredPdf & { invoiceId: string; pdf: Uint8Array; event: InvoiceEventInput },
): Promise<StoredPdf> {
  return db.$transaction(async (tx) => {
    const existing = await tx.invoicePdf.findUnique({ where: { invoiceId_version: { invoiceId: input.invoiceId, version: input.version } } })
    if (!existing) {
      await tx.invoicePdf.create({
        data: {
          invoiceId: input.invoiceId,
          version: input.version,
          pdfData: Buffer.from(input.pdf),
          sha256: input.sha256,
          sizeBytes: input.sizeBytes,
          templateVersion: input.templateVersion,
          inputHash: input.inputHash,
        },
      })
    }
    await tx.invoice.update({ where: { id: input.invoiceId }, data: { currentPdfVersion: input.version } })
    await appendEvent(tx, input.event)
    const stored = existing ?? input
    return { version: stored.version, sha256: stored.sha256, sizeBytes: stored.sizeBytes, templateVersion: stored.templateVersion, inputHash: stored.inputHash }
  })
}
