import { log } from '@temporalio/activity'
import type { ClickHouseClient } from '@clickhouse/client'
import type { S3Client } from '@aws-sdk/client-s3'
import type { DidoxClient, DidoxSigner } from '../clients/didox.js'
import type { EmailTransport } from '../clients/email.js'
import type { GotenbergClient } from '../clients/gotenberg.js'
import type { PlanFactClient } from '../clients/planfact.js'
import { Dec } from '../billing/decimal.js'
import type { CreditNoteLine } from '../credit-notes/compute-credit-note.js'
import { draftCreditNote, finalizeCreditNote, recordCreditNoteTransition, type DraftedCreditNote, type FinalizedCreditNote } from '../credit-notes/credit-note-store.js'
import { appendEvent, type InvoiceEventInput } from '../db/append-event.js'
import { readSettings } from '../db/settings.js'
import type { StoredPdf } from '../db/store-invoice-pdf.js'
import { correctDidoxInvoice, type DidoxCorrection } from '../dispatch/correct-didox.js'
import { bookCreditNoteInPlanFact } from '../dispatch/credit-planfact.js'
import { selectBillingRecipients, sendCreditNoteEmail, type ResendUncertainRequest } from '../dispatch/send-invoice-email.js'
import { buildCreditNotePdfKey, uploadInvoicePdfToR2 } from '../dispatch/upload-pdf-to-r2.js'
import type { CreditNote } from '../generated/prisma/client.js'
import type { Config } from '../lib/config.js'
import type { Database } from '../lib/database.js'
import { ERROR_TYPES } from '../lib/error-types.js'
import { PermanentError } from '../lib/permanent-error.js'
import { buildCreditNoteDocument } from '../pdf/build-credit-note-document.js'
import { renderCreditNotePdf } from '../pdf/render-credit-note-pdf.js'
import { readBalance } from '../payments/record-payments.js'
import { recordPlanFactPaymentsOf } from './payments.js'
import { readContacts } from '../sources/read-contacts.js'
import type { CreditNoteView, StartCreditNoteInput } from '../workflows/credit-note-contract.js'
import type { DispatchResult } from './dispatch.js'
import { loadDispatchContext, type DispatchContext } from './dispatch-context.js'
import { failPermanentErrors } from './to-activity-failure.js'

export interface CreditNoteDeps {
  config: Config
  db: Database
  clickhouse: ClickHouseClient
  gotenberg: GotenbergClient
  s3: S3Client
  email: EmailTransport
  planfact: PlanFactClient
  didox: DidoxClient
  didoxSigner: DidoxSigner | null
}

/** The credit note workflow's activities: its rows and PDF, and its effects, each once. */
export function createCreditNoteActivities(deps: CreditNoteDeps) {
  const { db } = deps

  /** The credit note, its invoice as dispatched and its current PDF. */
  async function load(creditNoteId: string): Promise<{ note: CreditNote & { number: string; issueDate: Date }; invoice: DispatchContext; pdf: { version: number; bytes: Uint8Array; sha256: string } }> {
    const note = await db.creditNote.findUniqueOrThrow({ where: { id: creditNoteId } })
    if (!note.number || !note.issueDate || note.currentPdfVersion === null) {
      throw new PermanentError(ERROR_TYPES.invalidInput, `credit note ${creditNoteId} has no number or PDF: it cannot be dispatched`)
    }
    const pdf = await db.creditNotePdf.findUniqueOrThrow({ where: { creditNoteId_version: { creditNoteId, version: note.currentPdfVersion } } })
    return { note: note as CreditNote & { number: string; issueDate: Date }, invoice: await loadDispatchContext(db, note.invoiceId), pdf: { version: pdf.version, bytes: new Uint8Array(pdf.pdfData), sha256: pdf.sha256 } }
  }

  return {
    /** Writes the draft (once) from the invoice and its earlier credit notes; refuses what cannot be credited. */
    async createCreditNoteDraft(input: StartCreditNoteInput & { workflowId: string }): Promise<DraftedCreditNote> {
      return failPermanentErrors(async () => {
        const drafted = await draftCreditNote(db, input)
        log.info('credit note drafted', { invoiceId: input.invoice.invoiceId, creditNoteId: input.creditNoteId, total: drafted.figures.total })
        return drafted
      })
    },

    /** Numbers it in its own series; `exceeds` when other credit notes took what was left. */
    async finalizeCreditNote(input: { creditNoteId: string; confirmedBy: string; confirmedAt: string; event: InvoiceEventInput }): Promise<FinalizedCreditNote> {
      return failPermanentErrors(async () => {
        const settings = await readSettings(db)
        const result = await finalizeCreditNote(db, { ...input, prefix: settings.creditNoteNumberPrefix, timeZone: deps.config.companyTimeZone })
        log.info('credit note finalized', { creditNoteId: input.creditNoteId, ...result })
        return result
      })
    },

    async recordCreditNoteTransition(input: { creditNoteId: string; state: string; at: string; approvedBy?: string; view: CreditNoteView; event: InvoiceEventInput }): Promise<void> {
      await failPermanentErrors(() => recordCreditNoteTransition(db, input))
    },

    /** Renders PDF version `version` in the customer's language and stores it (once per version). */
    async renderCreditNotePdf(input: { creditNoteId: string; version: number; event: InvoiceEventInput }): Promise<StoredPdf> {
      return failPermanentErrors(async () => {
        const select = { version: true, sha256: true, sizeBytes: true, templateVersion: true, inputHash: true } as const
        const already = await db.creditNotePdf.findUnique({ where: { creditNoteId_version: { creditNoteId: input.creditNoteId, version: input.version } }, select })
        if (already) return already
        const note = await db.creditNote.findUniqueOrThrow({ where: { id: input.creditNoteId } })
        if (!note.number || !note.issueDate) throw new PermanentError(ERROR_TYPES.invalidInput, `credit note ${input.creditNoteId} is not numbered: nothing to render`)
        const invoice = await loadDispatchContext(db, note.invoiceId)
        const document = buildCreditNoteDocument({
          creditNote: {
            number: note.number,
            issueDate: note.issueDate.toISOString().slice(0, 10),
            reason: note.reason,
            kind: note.kind as 'partial' | 'void',
            lines: (note.lines as unknown as CreditNoteLine[]).map(({ description, quantity, unit, rate, amount }) => ({ description, quantity, unit, rate, amount })),
            subtotal: note.subtotal.toFixed(2),
            vatRate: note.vatRate.toString(),
            vatAmount: note.vatAmount.toFixed(2),
            total: note.total.toFixed(2),
            remainingAfter: String((note.view as { remainingAfter?: string }).remainingAfter ?? '0.00'),
          },
          invoice,
          customer: invoice.buyer,
          deal: invoice.deal,
          seller: invoice.seller,
        })
        const rendered = await renderCreditNotePdf({ document, gotenberg: deps.gotenberg, traceId: `${input.creditNoteId}:v${input.version}` })
        return db.$transaction(async (tx) => {
          await tx.creditNotePdf.create({ data: { creditNoteId: input.creditNoteId, version: input.version, pdfData: Buffer.from(rendered.pdf), sha256: rendered.sha256, sizeBytes: rendered.sizeBytes, templateVersion: rendered.templateVersion, inputHash: rendered.inputHash } })
          await tx.creditNote.update({ where: { id: input.creditNoteId }, data: { currentPdfVersion: input.version } })
          await appendEvent(tx, input.event)
          return { version: input.version, sha256: rendered.sha256, sizeBytes: rendered.sizeBytes, templateVersion: rendered.templateVersion, inputHash: rendered.inputHash }
        })
      })
    },

    /** Lowers the planned income and/or books the refund in PlanFact (dispatch/credit-planfact.ts). */
    async bookCreditNoteInPlanFact(input: { creditNoteId: string }): Promise<DispatchResult> {
      return failPermanentErrors(async () => {
        const { note, invoice } = await load(input.creditNoteId)
        // What the customer owed before this credit note, with the payments PlanFact shows now
        // (the invoice's own check may be hours behind); the balance counts the note once approved.
        const row = await db.invoice.findUniqueOrThrow({ where: { id: invoice.invoiceId }, select: { id: true, currency: true, issueDate: true } })
        await recordPlanFactPaymentsOf(db, deps.planfact, row)
        const balance = await readBalance(db, invoice.invoiceId)
        const owedBefore = new Dec(balance.total).minus(new Dec(balance.credited).minus(note.approvedAt ? note.total.toString() : '0')).minus(balance.paid)
        const booked = await bookCreditNoteInPlanFact({
          db,
          planfact: deps.planfact,
          owedBefore: owedBefore.toFixed(2),
          creditNote: { creditNoteId: note.id, number: note.number, issueDate: note.issueDate.toISOString().slice(0, 10), total: note.total.toFixed(2), invoice: { invoiceId: invoice.invoiceId, number: invoice.number } },
          refundCategoryId: deps.config.planfact.refundCategoryId,
        })
        log.info('credit note booked in PlanFact', { invoiceId: invoice.invoiceId, creditNoteId: note.id, externalId: booked.externalId })
        return booked
      })
    },

    /** Stores the credit note's PDF beside the invoice's in R2 (conditional write, like the invoice's). */
    async uploadCreditNotePdfToR2(input: { creditNoteId: string }): Promise<DispatchResult> {
      return failPermanentErrors(async () => {
        const { note, invoice, pdf } = await load(input.creditNoteId)
        const uploaded = await uploadInvoicePdfToR2({
          db,
          s3: deps.s3,
          bucket: deps.config.s3.bucket,
          invoice: { invoiceId: invoice.invoiceId, number: invoice.number, year: invoice.year, pdfVersion: pdf.version },
          pdf: pdf.bytes,
          sha256: pdf.sha256,
          document: {
            key: buildCreditNotePdfKey(invoice, { number: note.number, pdfVersion: pdf.version }),
            purpose: `credit-note:${note.id}:pdf:v${pdf.version}`,
            metadata: { 'credit-note-id': note.id, 'credit-note-number': encodeURIComponent(note.number) },
          },
        })
        log.info('credit note pdf stored in R2', { invoiceId: invoice.invoiceId, creditNoteId: note.id, key: uploaded.key, alreadyStored: uploaded.alreadyStored })
        return { externalId: uploaded.key, detail: `etag ${uploaded.etag}` }
      })
    },

    /** E-mails the credit note to the invoice's billing contacts, once per PDF version. */
    async sendCreditNoteEmail(input: { creditNoteId: string; resendUncertain?: ResendUncertainRequest }): Promise<DispatchResult> {
      return failPermanentErrors(async () => {
        const { note, invoice, pdf } = await load(input.creditNoteId)
        const contacts = await readContacts(deps.clickhouse, invoice.buyer.customerId)
        const balance = await readBalance(db, invoice.invoiceId)
        const sent = await sendCreditNoteEmail({
          db,
          transport: deps.email,
          from: deps.config.smtp.from,
          invoiceId: invoice.invoiceId,
          number: invoice.number,
          sellerName: invoice.seller.name,
          customer: { customerId: invoice.buyer.customerId, name: invoice.buyer.name },
          language: invoice.buyer.language,
          recipients: selectBillingRecipients(contacts),
          pdf: pdf.bytes,
          creditNoteId: note.id,
          cnNumber: note.number,
          pdfVersion: pdf.version,
          total: note.total.toFixed(2),
          currency: note.currency,
          reason: note.reason,
          dueAfter: balance.due,
          ...(input.resendUncertain ? { resendUncertain: input.resendUncertain } : {}),
        })
        log.info('credit note e-mailed', { invoiceId: invoice.invoiceId, creditNoteId: note.id, messageId: sent.messageId, alreadySent: sent.alreadySent })
        return { externalId: sent.messageId, detail: `to ${sent.accepted.join(', ')}` }
      })
    },

    /** Cancels the invoice's ESF, or sends a corrected or additional one (dispatch/correct-didox.ts). */
    async correctDidoxInvoice(input: { creditNoteId: string }): Promise<DispatchResult & { mode: DidoxCorrection['mode'] }> {
      return failPermanentErrors(async () => {
        const { note, invoice } = await load(input.creditNoteId)
        // The credit notes that took effect (approved; this one is): later ones may still be cancelled.
        const numbered = await db.creditNote.findMany({ where: { invoiceId: invoice.invoiceId, approvedAt: { not: null }, state: { not: 'cancelled' } } })
        const corrected = await correctDidoxInvoice({
          db,
          didox: deps.didox,
          creditNote: {
            creditNoteId: note.id,
            number: note.number,
            issueDate: note.issueDate.toISOString().slice(0, 10),
            kind: note.kind as 'partial' | 'void',
            correction: note.correction as 'error' | 'terms',
            lines: note.lines as unknown as CreditNoteLine[],
            subtotal: note.subtotal.toFixed(2),
            vatAmount: note.vatAmount.toFixed(2),
          },
          invoice: {
            invoiceId: invoice.invoiceId,
            number: invoice.number,
            issueDate: invoice.issueDate,
            currency: invoice.currency,
            contractNumber: invoice.deal.contractNumber,
            contractDate: invoice.deal.contractDate,
            vatRate: invoice.vatRate,
            subtotal: invoice.subtotal,
            vatAmount: invoice.vatAmount,
            lines: invoice.preview.lines,
            previewLines: invoice.preview.lines,
            creditNotes: numbered.map((c) => ({ lines: c.lines as unknown as CreditNoteLine[], subtotal: c.subtotal.toFixed(2), vatAmount: c.vatAmount.toFixed(2) })),
          },
          buyer: invoice.buyer,
          seller: invoice.seller,
          catalog: deps.config.didox.catalog,
          signer: deps.didoxSigner,
        })
        log.info('credit note in Didox', { invoiceId: invoice.invoiceId, creditNoteId: note.id, mode: corrected.mode, documentId: corrected.documentId })
        return { externalId: corrected.documentId, detail: corrected.detail, mode: corrected.mode }
      })
    },
  }
}

export type CreditNoteActivities = ReturnType<typeof createCreditNoteActivities>
