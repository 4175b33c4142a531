import { log } from '@temporalio/activity'
import type { ClickHouseClient } from '@clickhouse/client'
import type { S3Client } from '@aws-sdk/client-s3'
import type { DidoxClient, DidoxSigner } from '../clients/didox.js'
import type { EmailTransport } from '../clients/email.js'
import type { PlanFactClient } from '../clients/planfact.js'
import { createDidoxDraft, readDidoxStatus } from '../dispatch/deliver-didox.js'
import { syncInvoiceToPlanFact } from '../dispatch/sync-planfact.js'
import { selectBillingRecipients, sendInvoiceEmail, type ResendUncertainRequest } from '../dispatch/send-invoice-email.js'
import { uploadInvoicePdfToR2 } from '../dispatch/upload-pdf-to-r2.js'
import type { Config } from '../lib/config.js'
import type { Database } from '../lib/database.js'
import { readContacts } from '../sources/read-contacts.js'
import { loadDispatchContext } from './dispatch-context.js'
import { failPermanentErrors } from './to-activity-failure.js'

export interface DispatchDeps {
  config: Config
  db: Database
  clickhouse: ClickHouseClient
  s3: S3Client
  email: EmailTransport
  planfact: PlanFactClient
  didox: DidoxClient
  didoxSigner: DidoxSigner | null
}

export interface DispatchResult {
  /** What the external system calls the invoice (operation id, object key, message id...). */
  externalId: string
  detail: string
}

/** After approval: storage and delivery steps, each idempotent through its external reference. */
export function createDispatchActivities(deps: DispatchDeps) {
  const { db } = deps
  return {
    /** Books the invoice in PlanFact as an unpaid income operation (found again, never created twice). */
    async syncPlanFact(input: { invoiceId: string }): Promise<DispatchResult> {
      return failPermanentErrors(async () => {
        const invoice = await loadDispatchContext(db, input.invoiceId)
        const synced = await syncInvoiceToPlanFact({
          db,
          planfact: deps.planfact,
          invoice: {
            invoiceId: invoice.invoiceId,
            number: invoice.number,
            issueDate: invoice.issueDate,
            currency: invoice.currency,
            total: invoice.total,
            customerId: invoice.buyer.customerId,
            buyer: { name: invoice.buyer.name, legalName: invoice.buyer.legalName, tin: invoice.buyer.tin },
            periodLabel: invoice.periodLabel,
          },
          incomeCategoryId: deps.config.planfact.incomeCategoryId,
          projectId: deps.config.planfact.projectId,
        })
        log.info('invoice booked in PlanFact', { invoiceId: input.invoiceId, operationId: synced.operationId, created: synced.created })
        return { externalId: String(synced.operationId), detail: `counterparty ${synced.contrAgentId}, account ${synced.accountId}` }
      })
    },

    /** Creates the e-invoice (ESF) draft in Didox and signs it when a signer is configured. */
    async createDidoxDraft(input: { invoiceId: string }): Promise<DispatchResult & { signed: boolean }> {
      return failPermanentErrors(async () => {
        const invoice = await loadDispatchContext(db, input.invoiceId)
        const draft = await createDidoxDraft({
          db,
          didox: deps.didox,
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
          },
          buyer: invoice.buyer,
          seller: invoice.seller,
          catalog: deps.config.didox.catalog,
          signer: deps.didoxSigner,
        })
        log.info('e-invoice draft in Didox', { invoiceId: input.invoiceId, documentId: draft.documentId, signed: draft.signed })
        return { externalId: draft.documentId, detail: draft.signed ? 'signed and sent' : 'draft: to be signed in Didox', signed: draft.signed }
      })
    },

    /** The e-invoice's status in Didox (the workflow polls it on a timer). */
    async readDidoxStatus(input: { documentId: string }): Promise<{ code: number; meaning: string; comment?: string | null }> {
      return failPermanentErrors(() => readDidoxStatus({ didox: deps.didox, documentId: input.documentId }))
    },

    /** Copies the approved PDF to R2 (conditional write; a retry never replaces other bytes). */
    async uploadPdfToR2(input: { invoiceId: string }): Promise<DispatchResult> {
      return failPermanentErrors(async () => {
        const invoice = await loadDispatchContext(db, input.invoiceId)
        const uploaded = await uploadInvoicePdfToR2({
          db,
          s3: deps.s3,
          bucket: deps.config.s3.bucket,
          invoice: { invoiceId: invoice.invoiceId, number: invoice.number, year: invoice.year, pdfVersion: invoice.pdf.version },
          pdf: invoice.pdf.bytes,
          sha256: invoice.pdf.sha256,
        })
        log.info('pdf stored in R2', { invoiceId: input.invoiceId, key: uploaded.key, alreadyStored: uploaded.alreadyStored })
        return { externalId: uploaded.key, detail: `etag ${uploaded.etag}` }
      })
    },

    /** E-mails the PDF to the customer's billing contacts, once per PDF version. */
    async sendInvoiceEmail(input: { invoiceId: string; resendUncertain?: ResendUncertainRequest }): Promise<DispatchResult> {
      return failPermanentErrors(async () => {
        const invoice = await loadDispatchContext(db, input.invoiceId)
        const contacts = await readContacts(deps.clickhouse, invoice.buyer.customerId)
        const sent = await sendInvoiceEmail({
          db,
          transport: deps.email,
          from: deps.config.smtp.from,
          invoice: {
            invoiceId: invoice.invoiceId,
            number: invoice.number,
            pdfVersion: invoice.pdf.version,
            total: invoice.total,
            currency: invoice.currency,
            dueDate: invoice.dueDate,
            periodLabel: invoice.periodLabel,
            sellerName: invoice.seller.name,
          },
          customer: { customerId: invoice.buyer.customerId, name: invoice.buyer.name },
          language: invoice.buyer.language,
          recipients: selectBillingRecipients(contacts),
          pdf: invoice.pdf.bytes,
          resendUncertain: input.resendUncertain,
        })
        log.info('invoice e-mailed', { invoiceId: input.invoiceId, messageId: sent.messageId, accepted: sent.accepted.length, alreadySent: sent.alreadySent })
        return { externalId: sent.messageId, detail: `to ${sent.accepted.join(', ')}` }
      })
    },
  }
}

export type DispatchActivities = ReturnType<typeof createDispatchActivities>
