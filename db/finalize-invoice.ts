import type { InvoicePreview } from '../billing/types.js'
import type { Database } from '../lib/database.js'
import type { SourceCustomer, SourceDeal } from '../sources/types.js'
import { appendEvent } from './append-event.js'
import { writeBilledWork, type BilledWorkRow } from './billed-work.js'
import { assignInvoiceNumber } from './assign-invoice-number.js'
import type { Seller } from './settings.js'

export interface FinalizeInvoiceInput {
  invoiceId: string
  workflowId: string
  workflowRunId: string
  /** The confirmed preview, edits applied. */
  preview: InvoicePreview
  buyer: SourceCustomer
  deal: SourceDeal
  seller: Seller
  numberPrefix: string
  confirmedBy: string
  /** ISO instant of the confirmation (workflow time). */
  confirmedAt: string
  /** Company time zone: the issue date is the confirmation's date there. */
  timeZone: string
  /** Key of the `finalized` event: one per confirmation round, so a retry is a no-op. */
  eventKey: string
  /** The ledger rows: every worklog the confirmed lines bill (replacing an earlier round's). */
  billedWork: readonly BilledWorkRow[]
}

export interface FinalizedInvoice {
  invoiceId: string
  number: string
  issueDate: string
  dueDate: string
}

/**
 * Writes the confirmed invoice, its line items, its billed-work ledger rows and the `finalized`
 * event in one transaction,
 * assigning the invoice number on the first confirmation (a re-confirmation after a reject
 * keeps it). Idempotent: when the event of this round exists, the stored result is returned.
 */
export async function finalizeInvoice(db: Database, input: FinalizeInvoiceInput): Promise<FinalizedInvoice> {
  // Large invoices write 100k ledger rows in this transaction (docs/billing.md, Speed).
  return db.$transaction(async (tx) => {
    const existing = await tx.invoice.findUnique({ where: { id: input.invoiceId } })
    const done = await tx.invoiceEvent.findUnique({ where: { idempotencyKey: input.eventKey } })
    if (existing?.number && done) {
      return { invoiceId: existing.id, number: existing.number, issueDate: toDate(existing.issueDate!), dueDate: toDate(existing.dueDate!) }
    }
    // The issue date is the first confirmation's, like the number: a number of 2026 confirmed
    // again on 2 January 2027 keeps 31 December 2026 (docs/decisions.md). Terms may have changed.
    const issueDate = existing?.number && existing.issueDate ? toDate(existing.issueDate) : dateInZone(input.confirmedAt, input.timeZone)
    const dueDate = addDays(issueDate, input.deal.paymentTermsDays)
    const numbering = existing?.number
      ? { number: existing.number, year: existing.numberYear!, seq: existing.numberSeq! }
      : await assignInvoiceNumber(tx, { year: Number(issueDate.slice(0, 4)), prefix: input.numberPrefix })
    const { preview } = input
    const figures = {
      state: 'finalizing',
      subtotal: preview.subtotal,
      vatRate: preview.vatRate,
      vatAmount: preview.vatAmount,
      total: preview.total,
      currency: preview.currency,
      language: input.buyer.language,
      preview: preview as object,
      sourceFingerprint: preview.sourceFingerprint,
      buyer: input.buyer as object,
      seller: input.seller as object,
      deal: input.deal as object,
      issueDate: new Date(`${issueDate}T00:00:00Z`),
      dueDate: new Date(`${dueDate}T00:00:00Z`),
      confirmedBy: input.confirmedBy,
      confirmedAt: new Date(input.confirmedAt),
      approvedBy: null,
      approvedAt: null,
      ledgerRecorded: true,
    }
    if (existing) {
      await tx.invoiceLineItem.deleteMany({ where: { invoiceId: input.invoiceId } })
      await tx.invoice.update({ where: { id: input.invoiceId }, data: figures })
    } else {
      await tx.invoice.create({
        data: {
          id: input.invoiceId,
          workflowId: input.workflowId,
          workflowRunId: input.workflowRunId,
          dealId: preview.dealId,
          customerId: preview.customerId,
          period: preview.period.label,
          periodFrom: new Date(`${preview.period.from}T00:00:00Z`),
          periodTo: new Date(`${preview.period.to}T00:00:00Z`),
          number: numbering.number,
          numberYear: numbering.year,
          numberSeq: numbering.seq,
          ...figures,
        },
      })
    }
    await tx.invoiceLineItem.createMany({
      data: preview.lines.map((line, index) => ({
        invoiceId: input.invoiceId,
        position: index + 1,
        lineKey: line.lineId,
        kind: line.kind,
        category: line.category,
        description: line.description,
        quantity: line.quantity,
        unit: line.unit,
        rate: line.rate,
        amount: line.amount,
        explanation: { text: line.explanation, rateRuleId: line.rateRuleId, appliesToLineId: line.appliesToLineId },
        manualReason: line.reason,
      })),
    })
    await writeBilledWork(tx, { invoiceId: input.invoiceId, dealId: preview.dealId }, input.billedWork)
    await appendEvent(tx, {
      workflowId: input.workflowId,
      workflowRunId: input.workflowRunId,
      invoiceId: input.invoiceId,
      type: 'finalized',
      actor: input.confirmedBy,
      payload: {
        number: numbering.number,
        total: preview.total,
        currency: preview.currency,
        lines: preview.lines.length,
        worklogs: input.billedWork.length,
        fingerprint: preview.sourceFingerprint,
      },
      idempotencyKey: input.eventKey,
    })
    return { invoiceId: input.invoiceId, number: numbering.number, issueDate, dueDate }
  }, { timeout: 30_000 })
}

/** The stored result of a round already finalized (its event exists), or null. */
export async function findFinalized(db: Database, invoiceId: string, eventKey: string): Promise<FinalizedInvoice | null> {
  const [existing, done] = await Promise.all([db.invoice.findUnique({ where: { id: invoiceId } }), db.invoiceEvent.findUnique({ where: { idempotencyKey: eventKey } })])
  if (!existing?.number || !done) return null
  return { invoiceId: existing.id, number: existing.number, issueDate: toDate(existing.issueDate!), dueDate: toDate(existing.dueDate!) }
}

/** The calendar date of an instant in a time zone, YYYY-MM-DD. */
export function dateInZone(instant: string, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(instant))
}

function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10)
}

function toDate(value: Date): string {
  return value.toISOString().slice(0, 10)
}
