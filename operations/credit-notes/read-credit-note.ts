import type { CreditNoteLine } from '../../credit-notes/compute-credit-note.js'
import type { CreditNote } from '../../generated/prisma/client.js'
import type { Database } from '../../lib/database.js'
import { CREDIT_NOTE_ACTIONS_BY_STATE, type CreditNoteState, type CreditNoteView } from '../../workflows/credit-note-contract.js'
import type { InvoiceState } from '../../workflows/invoice-contract.js'

/** A credit note as the API shows it, from PostgreSQL (its row follows every transition). */
export interface CreditNoteDetails {
  id: string
  creditNoteId: string
  invoice: { id: string; invoiceId: string; number: string | null }
  seq: number
  number: string | null
  kind: string
  correction: string
  reason: string
  state: CreditNoteState
  currency: string
  lines: CreditNoteLine[]
  subtotal: string
  vatRate: string
  vatAmount: string
  total: string
  remainingAfter: string | null
  issueDate: string | null
  pdfVersion: number | null
  /** What the accountant confirms (the draft's figures): send it with `confirm`. */
  fingerprint: string | null
  delivery: string | null
  requestedBy: string
  confirmedBy: string | null
  approvedBy: string | null
  attention: CreditNoteView['attention']
  dispatch: CreditNoteView['dispatch']
  allowedActions: string[]
  pdfs: { version: number; sha256: string; sizeBytes: number; templateVersion: string; createdAt: string }[]
  externalReferences: { system: string; purpose: string; status: string; externalId: string | null; details: unknown; updatedAt: string }[]
  createdAt: string
  href: string
}

export function creditNoteHref(workflowId: string): string {
  return `/credit-notes/${encodeURIComponent(workflowId)}`
}

/** One credit note by its id in the API (its workflow id), or null. */
export async function readCreditNote(db: Database, workflowId: string): Promise<CreditNoteDetails | null> {
  const row = await db.creditNote.findUnique({ where: { workflowId }, include: { pdfs: { orderBy: { version: 'asc' } }, invoice: { select: { number: true, workflowId: true } } } })
  if (!row) return null
  const refs = await db.externalReference.findMany({ where: { invoiceId: row.invoiceId, purpose: { contains: `credit-note:${row.id}` } }, orderBy: { createdAt: 'asc' } })
  return {
    ...summarize(row, row.invoice),
    pdfs: row.pdfs.map((p) => ({ version: p.version, sha256: p.sha256, sizeBytes: p.sizeBytes, templateVersion: p.templateVersion, createdAt: p.createdAt.toISOString() })),
    externalReferences: refs.map((r) => ({ system: r.system, purpose: r.purpose, status: r.status, externalId: r.externalId, details: r.details, updatedAt: r.updatedAt.toISOString() })),
  }
}

/** The credit notes of an invoice (by its uuid), oldest first. */
export async function listCreditNotes(db: Database, invoiceId: string): Promise<Omit<CreditNoteDetails, 'pdfs' | 'externalReferences'>[]> {
  const rows = await db.creditNote.findMany({ where: { invoiceId }, orderBy: { seq: 'asc' }, include: { invoice: { select: { number: true, workflowId: true } } } })
  return rows.map((row) => summarize(row, row.invoice))
}

/** The stored PDF of a credit note version (the current one by default). */
export async function readCreditNotePdf(db: Database, workflowId: string, version?: number): Promise<{ version: number; sha256: string; bytes: Uint8Array; fileName: string } | null> {
  const row = await db.creditNote.findUnique({ where: { workflowId }, select: { id: true, number: true, currentPdfVersion: true } })
  const wanted = version ?? row?.currentPdfVersion
  if (!row || !wanted) return null
  const pdf = await db.creditNotePdf.findUnique({ where: { creditNoteId_version: { creditNoteId: row.id, version: wanted } } })
  if (!pdf) return null
  return { version: pdf.version, sha256: pdf.sha256, bytes: new Uint8Array(pdf.pdfData), fileName: `${row.number ?? 'credit-note'}-v${pdf.version}.pdf` }
}

function summarize(row: CreditNote, invoice: { number: string | null; workflowId: string }): Omit<CreditNoteDetails, 'pdfs' | 'externalReferences'> {
  const view = row.view as Partial<CreditNoteView> & { remainingAfter?: string | null; delivery?: string | null }
  const workflowState = (row.state === 'drafting' ? 'prefilling' : row.state) as InvoiceState
  return {
    id: row.workflowId,
    creditNoteId: row.id,
    invoice: { id: invoice.workflowId, invoiceId: row.invoiceId, number: invoice.number },
    seq: row.seq,
    number: row.number,
    kind: row.kind,
    correction: row.correction,
    reason: row.reason,
    state: row.state as CreditNoteState,
    currency: row.currency,
    lines: row.lines as unknown as CreditNoteLine[],
    subtotal: row.subtotal.toFixed(2),
    vatRate: row.vatRate.toString(),
    vatAmount: row.vatAmount.toFixed(2),
    total: row.total.toFixed(2),
    remainingAfter: view.remainingAfter ?? view.figures?.remainingAfter ?? null,
    issueDate: row.issueDate ? row.issueDate.toISOString().slice(0, 10) : null,
    pdfVersion: row.currentPdfVersion,
    fingerprint: view.fingerprint ?? null,
    delivery: view.delivery ?? null,
    requestedBy: row.requestedBy,
    confirmedBy: row.confirmedBy,
    approvedBy: row.approvedBy,
    attention: view.attention ?? null,
    dispatch: view.dispatch ?? {},
    allowedActions: [...(CREDIT_NOTE_ACTIONS_BY_STATE[workflowState] ?? [])],
    createdAt: row.createdAt.toISOString(),
    href: creditNoteHref(row.workflowId),
  }
}
