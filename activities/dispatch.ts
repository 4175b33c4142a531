import { log } from '@temporalio/activity'
import type { ClickHouseClient } from '@clickhouse/client'
import type { S3Client } from '@aws-sdk/client-s3'
import type { EmailTransport } from '../clients/email.js'
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
