import { createHash } from 'node:crypto'
import type { InvoicePreview } from '../billing/types.js'
import { appendEvent, type InvoiceEventInput } from '../db/append-event.js'
import { assignInvoiceNumber } from '../db/assign-invoice-number.js'
import { dateInZone } from '../db/finalize-invoice.js'
import { Prisma, type CreditNote } from '../generated/prisma/client.js'
import type { Database } from '../lib/database.js'
import { PermanentError } from '../lib/permanent-error.js'
import { writeCanonicalJson } from '../pdf/canonical-json.js'
import { DELIVERED_STATES, type InvoiceState } from '../workflows/invoice-contract.js'
import type { CreditNoteDelivery, CreditNoteView, StartCreditNoteInput } from '../workflows/credit-note-contract.js'
import { computeCreditNote, CreditNoteRefusal, type CreditLineLanguage, type CreditedInvoice, type CreditNoteFigures, type CreditNoteLine, type EarlierCreditNote } from './compute-credit-note.js'

/**
 * The credit_notes rows: the draft written when the workflow starts, the number at
 * finalization, each transition with its event. The database keeps them within the invoice
 * (trigger `credit_notes_within_invoice`) and fixed once numbered.
 */

export interface DraftedCreditNote {
  figures: CreditNoteFigures
  fingerprint: string
  currency: string
  delivery: CreditNoteDelivery
}

/** The invoice a credit note may correct, with what earlier credit notes took; refusals name why not. */
export async function readCreditableInvoice(db: Pick<Database, 'invoice' | 'creditNote' | 'externalReference'>, invoiceId: string, exceptCreditNoteId?: string) {
  const invoice = await db.invoice.findUnique({ where: { id: invoiceId } })
  if (!invoice?.number) throw new PermanentError('WRONG_STATE', `invoice ${invoiceId} is not finalized: there is nothing to credit`)
  if (invoice.voidedAt) throw new PermanentError('WRONG_STATE', `invoice ${invoice.number} is void: there is nothing left to credit`)
  if (!DELIVERED_STATES.includes(invoice.state as InvoiceState)) {
    throw new PermanentError('WRONG_STATE', `invoice ${invoice.number} is ${invoice.state}: credit notes correct delivered invoices (before delivery, reject or cancel it)`)
  }
  const voiding = await db.creditNote.findFirst({ where: { invoiceId, kind: 'void', state: { not: 'cancelled' }, ...(exceptCreditNoteId ? { id: { not: exceptCreditNoteId } } : {}) }, select: { workflowId: true } })
  if (voiding) throw new PermanentError('WRONG_STATE', `invoice ${invoice.number} is being voided (${voiding.workflowId}): no further credit note; cancel the void first`)
  const earlierRows = await db.creditNote.findMany({ where: { invoiceId, number: { not: null }, state: { not: 'cancelled' }, ...(exceptCreditNoteId ? { id: { not: exceptCreditNoteId } } : {}) }, orderBy: { seq: 'asc' } })
  const preview = invoice.preview as unknown as InvoicePreview
  const credited: CreditedInvoice = { number: invoice.number, lines: preview.lines, subtotal: invoice.subtotal.toFixed(2), vatRate: invoice.vatRate.toString(), vatAmount: invoice.vatAmount.toFixed(2), total: invoice.total.toFixed(2) }
  const earlier: EarlierCreditNote[] = earlierRows.map((c) => ({ lines: c.lines as unknown as CreditNoteLine[], subtotal: c.subtotal.toFixed(2), vatAmount: c.vatAmount.toFixed(2), total: c.total.toFixed(2) }))
  const esf = await db.externalReference.findUnique({ where: { invoiceId_system_purpose: { invoiceId, system: 'didox', purpose: 'esf' } } })
  const delivery: CreditNoteDelivery = esf?.status === 'done' ? 'didox' : 'email'
  return { invoice, credited, earlier, delivery }
}

/** The credit note's figures for a request, or a PermanentError of its refusal code (the API answers it as 4xx). */
export function figuresFor(credited: CreditedInvoice, earlier: EarlierCreditNote[], request: StartCreditNoteInput['request'], language?: string): CreditNoteFigures {
  try {
    return computeCreditNote(credited, earlier, request, (['en', 'ru', 'uz'].includes(language ?? '') ? language : 'en') as CreditLineLanguage)
  } catch (error) {
    if (error instanceof CreditNoteRefusal) throw new PermanentError(error.code, `${error.field}: ${error.message}`)
    throw error
  }
}

/** Writes the draft once (a retry finds it) and answers its figures. */
export async function draftCreditNote(db: Database, input: StartCreditNoteInput & { workflowId: string }): Promise<DraftedCreditNote> {
  const existing = await db.creditNote.findUnique({ where: { id: input.creditNoteId } })
  if (existing) return fromRow(existing, (existing.view as { delivery?: CreditNoteDelivery }).delivery ?? 'email')
  const { invoice, credited, earlier, delivery } = await readCreditableInvoice(db, input.invoice.invoiceId)
  const figures = figuresFor(credited, earlier, input.request, invoice.language)
  try {
    const row = await db.creditNote.create({
      data: {
        id: input.creditNoteId,
        invoiceId: invoice.id,
        seq: input.seq,
        workflowId: input.workflowId,
        kind: figures.kind,
        correction: input.request.correction,
        reason: input.request.reason,
        state: 'drafting',
        currency: invoice.currency,
        lines: figures.lines as unknown as Prisma.InputJsonValue,
        subtotal: figures.subtotal,
        vatRate: figures.vatRate,
        vatAmount: figures.vatAmount,
        total: figures.total,
        requestedBy: input.requestedBy,
        view: { delivery, remainingAfter: figures.remainingAfter },
      },
    })
    return fromRow(row, delivery)
  } catch (error) {
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') {
      throw new PermanentError('WRONG_STATE', `invoice ${invoice.number} already has a void in progress, or credit note ${input.seq} exists: reload the invoice`)
    }
    throw error
  }
}

/** A stable fingerprint of what the accountant confirms: the figures as drafted. */
export function fingerprintOf(figures: CreditNoteFigures): string {
  return createHash('sha256').update(writeCanonicalJson(figures)).digest('hex').slice(0, 32)
}

function fromRow(row: CreditNote, delivery: CreditNoteDelivery): DraftedCreditNote {
  const figures: CreditNoteFigures = {
    kind: row.kind as 'partial' | 'void',
    lines: row.lines as unknown as CreditNoteLine[],
    subtotal: row.subtotal.toFixed(2),
    vatRate: row.vatRate.toString(),
    vatAmount: row.vatAmount.toFixed(2),
    total: row.total.toFixed(2),
    remainingAfter: String((row.view as { remainingAfter?: string }).remainingAfter ?? ''),
  }
  return { figures, fingerprint: fingerprintOf(figures), currency: row.currency, delivery }
}

export type FinalizedCreditNote = { number: string; issueDate: string } | { exceeds: string }

/**
 * Numbers the credit note in its own gapless yearly series, in one transaction with the event.
 * When earlier credit notes took what was left meanwhile, the database refuses it (the trigger)
 * and the transaction, number included, is rolled back: `exceeds` says why.
 */
export async function finalizeCreditNote(
  db: Database,
  input: { creditNoteId: string; confirmedBy: string; confirmedAt: string; event: InvoiceEventInput; prefix: string; timeZone: string },
): Promise<FinalizedCreditNote> {
  try {
    return await db.$transaction(async (tx) => {
      const row = await tx.creditNote.findUniqueOrThrow({ where: { id: input.creditNoteId } })
      if (row.number) return { number: row.number, issueDate: row.issueDate!.toISOString().slice(0, 10) }
      if (row.kind === 'void') {
        const refusal = await checkVoidIsTheRest(tx, row)
        if (refusal) return { exceeds: refusal }
      }
      const issueDate = dateInZone(input.confirmedAt, input.timeZone)
      const numbering = await assignInvoiceNumber(tx, { year: Number(issueDate.slice(0, 4)), prefix: input.prefix, series: 'credit_note' })
      await tx.creditNote.update({
        where: { id: input.creditNoteId },
        data: {
          number: numbering.number,
          numberYear: numbering.year,
          numberSeq: numbering.seq,
          issueDate: new Date(`${issueDate}T00:00:00Z`),
          confirmedBy: input.confirmedBy,
          confirmedAt: new Date(input.confirmedAt),
          state: 'finalizing',
        },
      })
      await appendEvent(tx, { ...input.event, payload: { ...(input.event.payload as Record<string, unknown>), number: numbering.number } })
      return { number: numbering.number, issueDate }
    })
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error)
    if (/credit_notes_within_invoice|exceeds what is left/.test(message)) return { exceeds: 'other credit notes of the invoice took what was left of it meanwhile' }
    throw error
  }
}

/**
 * A void credits exactly what is left: every other credit note of the invoice must have taken
 * effect (approved) or be cancelled, and the void's total must be the rest. So what it credits
 * cannot change before its approval (an approved credit note is never cancelled).
 */
async function checkVoidIsTheRest(tx: Prisma.TransactionClient, row: CreditNote): Promise<string | null> {
  const [invoice] = await tx.$queryRaw<{ total: Prisma.Decimal }[]>`SELECT total FROM invoices WHERE id = ${row.invoiceId}::uuid FOR UPDATE`
  const others = await tx.creditNote.findMany({ where: { invoiceId: row.invoiceId, id: { not: row.id }, state: { not: 'cancelled' } } })
  const open = others.filter((c) => c.approvedAt === null)
  if (open.length > 0) return `credit notes ${open.map((c) => c.number ?? c.workflowId).join(', ')} of the invoice are not approved yet: approve or cancel them, then void again`
  const rest = others.reduce((left, c) => left.minus(c.total), new Prisma.Decimal(invoice!.total))
  if (!rest.eq(row.total)) return `what is left of the invoice is ${rest.toFixed(2)}, not the ${row.total.toFixed(2)} this void was drafted with: cancel it and void again`
  return null
}

/**
 * A credit note's transition: its row (state, view, approval) and the event in one transaction.
 * The approval of a void marks the invoice void in the same transaction, which releases its
 * billed worklogs (the ledger's trigger).
 */
export async function recordCreditNoteTransition(
  db: Database,
  input: { creditNoteId: string; state: string; at: string; approvedBy?: string; view: CreditNoteView; event: InvoiceEventInput },
): Promise<void> {
  await db.$transaction(async (tx) => {
    const row = await tx.creditNote.update({
      where: { id: input.creditNoteId },
      data: {
        state: input.state,
        view: { ...(input.view as unknown as Record<string, Prisma.InputJsonValue>), delivery: input.view.delivery, remainingAfter: input.view.figures?.remainingAfter ?? null } as Prisma.InputJsonValue,
        currentPdfVersion: input.view.pdfVersion,
        ...(input.approvedBy ? { approvedBy: input.approvedBy, approvedAt: new Date(input.at) } : {}),
      },
    })
    if (input.approvedBy && row.kind === 'void') {
      await tx.invoice.updateMany({
        where: { id: row.invoiceId, voidedAt: null },
        data: { voidedAt: new Date(input.at), voidReason: `${row.number ?? 'credit note'}: ${row.reason}`, state: 'void', paymentStatus: 'void' },
      })
      // A run that has ended (paid, or delivered before payments were followed) cannot say so itself.
      await tx.invoiceRun.updateMany({ where: { invoiceId: row.invoiceId, closedAt: { not: null }, state: { in: ['paid', 'completed'] } }, data: { state: 'void', nextActor: null } })
    }
    await appendEvent(tx, input.event)
  })
}
