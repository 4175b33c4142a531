import type { Client } from '@temporalio/client'
import { readPendingSignalRequests } from '../../db/signal-requests.js'
import type { Database } from '../../lib/database.js'
import { SIGNALS_BY_STATE, type InvoiceSignalName, type InvoiceView } from '../../workflows/invoice-contract.js'
import { loadInvoiceState } from './load-invoice-state.js'

export interface PdfVersionInfo {
  version: number
  sha256: string
  sizeBytes: number
  templateVersion: string
  createdAt: string
}

export interface ExternalReferenceInfo {
  system: string
  purpose: string
  status: string
  externalId: string | null
  pdfVersion: number | null
  details: unknown
  updatedAt: string
}

export interface PendingSignalInfo {
  id: string
  signal: string
  actor: string
  requestedAt: string
  attempts: number
  lastError: string | null
}

export interface InvoiceTotals {
  currency: string
  subtotal: string
  vatRate: string
  vatAmount: string
  total: string
}

export interface InvoiceDetails extends InvoiceView {
  /** The workflow id: the invoice's id in the API. */
  id: string
  runId: string
  workflowStatus: string
  source: 'workflow' | 'database'
  notice: string | null
  /** Signals the current state takes (SIGNALS_BY_STATE), for clients deciding which buttons to show. */
  allowedSignals: InvoiceSignalName[]
  totals: InvoiceTotals | null
  warnings: unknown[]
  errors: unknown[]
  pdfs: PdfVersionInfo[]
  externalReferences: ExternalReferenceInfo[]
  /** Signals accepted (respond-async) and not yet handed to Temporal, oldest first. */
  pendingSignals: PendingSignalInfo[]
  startedAt: string
  closedAt: string | null
}

/**
 * Everything a person looking at one invoice needs: the workflow's view (state, preview,
 * refusals), its PDF versions and what external systems know it as. Null for an unknown id.
 */
export async function readInvoice(options: { client: Client; db: Database; workflowId: string; timeoutMs: number }): Promise<InvoiceDetails | null> {
  const [loaded, pendingSignals] = await Promise.all([loadInvoiceState(options), readPendingSignalRequests(options.db, options.workflowId)])
  if (!loaded) return null
  const { description, view } = loaded
  const [pdfs, references] = view.invoiceId
    ? await Promise.all([
        options.db.invoicePdf.findMany({
          where: { invoiceId: view.invoiceId },
          select: { version: true, sha256: true, sizeBytes: true, templateVersion: true, createdAt: true },
          orderBy: { version: 'asc' },
        }),
        options.db.externalReference.findMany({ where: { invoiceId: view.invoiceId }, orderBy: [{ system: 'asc' }, { purpose: 'asc' }] }),
      ])
    : [[], []]
  const running = description.status.name === 'RUNNING'
  const preview = view.preview
  return {
    ...view,
    id: description.workflowId,
    runId: description.runId,
    workflowStatus: description.status.name,
    source: loaded.source,
    notice: loaded.notice,
    allowedSignals: running ? [...SIGNALS_BY_STATE[view.state]] : [],
    totals: preview
      ? { currency: preview.currency, subtotal: preview.subtotal, vatRate: preview.vatRate, vatAmount: preview.vatAmount, total: preview.total }
      : null,
    warnings: preview?.warnings ?? [],
    errors: preview?.errors ?? [],
    pdfs: pdfs.map((p) => ({ ...p, createdAt: p.createdAt.toISOString() })),
    externalReferences: references.map((r) => ({
      system: r.system,
      purpose: r.purpose,
      status: r.status,
      externalId: r.externalId,
      pdfVersion: r.pdfVersion,
      details: r.details,
      updatedAt: r.updatedAt.toISOString(),
    })),
    pendingSignals: pendingSignals.map((s) => ({ id: s.id, signal: s.signal, actor: s.actor, requestedAt: s.requestedAt.toISOString(), attempts: s.attempts, lastError: s.lastError })),
    startedAt: description.startTime.toISOString(),
    closedAt: description.closeTime?.toISOString() ?? null,
  }
}
