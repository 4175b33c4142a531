import { log } from '@temporalio/activity'
import type { ClickHouseClient } from '@clickhouse/client'
import type { InvoicePreview } from '../billing/types.js'
import type { GotenbergClient } from '../clients/gotenberg.js'
import type { InvoiceEventInput } from '../db/append-event.js'
import { appendEvent } from '../db/append-event.js'
import { finalizeInvoice, findFinalized, type FinalizedInvoice, type FinalizeInvoiceInput } from '../db/finalize-invoice.js'
import { computeBilledWork } from '../prefill/prefill-invoice.js'
import { isBilledElsewhereViolation } from '../db/billed-work.js'
import { recordTransition, type TransitionInput } from '../db/record-transition.js'
import { readSettings, sellerSchema } from '../db/settings.js'
import { findInvoicePdf, storeInvoicePdf, type StoredPdf } from '../db/store-invoice-pdf.js'
import type { Config } from '../lib/config.js'
import type { Database } from '../lib/database.js'
import { ERROR_TYPES } from '../lib/error-types.js'
import { PermanentError } from '../lib/permanent-error.js'
import { buildInvoiceDocument } from '../pdf/build-invoice-document.js'
import { renderInvoicePdf } from '../pdf/render-invoice-pdf.js'
import type { SourceCustomer, SourceDeal } from '../sources/types.js'
import { failPermanentErrors } from './to-activity-failure.js'

export interface InvoiceWorkflowSettings {
  makerChecker: boolean
  approvalReminderMs: number
  /** How often to poll a sent e-invoice in Didox. */
  didoxPollIntervalMs: number
  /** After delivery: how often PlanFact is asked about payments, and the reminder days. */
  paymentCheckMs?: number
  paymentReminderDays?: number[]
  /** Events one run's history may reach before it continues as new; absent: HISTORY_EVENTS_BOUND (tests lower it). */
  historyEventsBound?: number
}

/** What the workflow knows; the activity adds seller, number prefix, time zone and the billed work. */
export type FinalizeActivityInput = Omit<FinalizeInvoiceInput, 'seller' | 'numberPrefix' | 'timeZone' | 'billedWork'> & {
  /**
   * Answer a stale confirmation with StaleConfirmation (the workflow asks the accountant again).
   * Runs of the frozen v1 code do not set it and get a non-retryable failure instead.
   */
  staleAsResult?: boolean
}

/** The sources or the ledger changed since the confirmation: nothing was written. */
export interface StaleConfirmation {
  stale: true
  reason: string
}

export interface RenderPdfInput {
  invoiceId: string
  version: number
  event: InvoiceEventInput
}

/** Activities that write the invoice's PostgreSQL projection and render its PDF. */
export function createInvoiceActivities(deps: { db: Database; config: Config; gotenberg: GotenbergClient; clickhouse: ClickHouseClient }) {
  const { db } = deps
  return {
    /** The settings a workflow run follows (read once per run). */
    async loadInvoiceSettings(): Promise<InvoiceWorkflowSettings> {
      return failPermanentErrors(async () => {
        const settings = await readSettings(db)
        return {
          makerChecker: settings.makerChecker,
          approvalReminderMs: Math.round(settings.approvalReminderHours * 3_600_000),
          didoxPollIntervalMs: deps.config.didox.pollIntervalMs,
          paymentCheckMs: Math.round(settings.paymentCheckHours * 3_600_000),
          paymentReminderDays: settings.paymentReminderDays,
        }
      })
    },

    async recordEvent(event: InvoiceEventInput): Promise<void> {
      await failPermanentErrors(() => appendEvent(db, event))
    },

    async recordTransition(input: TransitionInput): Promise<void> {
      await failPermanentErrors(() => recordTransition(db, input))
    },

    /**
     * Invoice + line items + billed work + number + event in one transaction (idempotent per
     * round). The work is read again and must match the confirmed fingerprint; when it does not,
     * or another invoice billed a worklog first (the ledger's unique index), nothing is written.
     */
    async finalizeInvoice(input: FinalizeActivityInput): Promise<FinalizedInvoice | StaleConfirmation> {
      return failPermanentErrors(async () => {
        const { staleAsResult, ...rest } = input
        const stale = (reason: string): StaleConfirmation => {
          if (staleAsResult) return { stale: true, reason }
          throw new PermanentError(ERROR_TYPES.stalePreview, `${reason}: cancel this invoice and start it again`)
        }
        const done = await findFinalized(db, input.invoiceId, input.eventKey)
        if (done) return done
        const prefillDeps = { db, clickhouse: deps.clickhouse, timeZone: deps.config.companyTimeZone }
        const started = Date.now()
        const work = await computeBilledWork(prefillDeps, { dealId: input.preview.dealId, period: input.preview.period, invoiceId: input.invoiceId }, input.preview)
        if (work.stale) return stale('the source data or the billed-work ledger changed since this preview was computed')
        const settings = await readSettings(db)
        try {
          const result = await finalizeInvoice(db, {
            ...rest,
            billedWork: work.rows,
            seller: settings.seller,
            numberPrefix: settings.invoiceNumberPrefix,
            timeZone: deps.config.companyTimeZone,
          })
          log.info('invoice finalized', { invoiceId: result.invoiceId, number: result.number, worklogs: work.rows.length, ms: Date.now() - started })
          return result
        } catch (err) {
          if (!isBilledElsewhereViolation(err)) throw err
          return stale('another invoice billed some of these worklogs first')
        }
      })
    },

    /** Renders the stored invoice into PDF version `version` and stores it (once per version). */
    async renderInvoicePdf(input: RenderPdfInput): Promise<StoredPdf> {
      return failPermanentErrors(async () => {
        const already = await findInvoicePdf(db, input.invoiceId, input.version)
        if (already) return already
        const invoice = await db.invoice.findUnique({ where: { id: input.invoiceId } })
        if (!invoice?.number || !invoice.issueDate) {
          throw new PermanentError(ERROR_TYPES.invalidInput, `invoice ${input.invoiceId} is not finalized: nothing to render`)
        }
        const document = buildInvoiceDocument({
          preview: invoice.preview as unknown as InvoicePreview,
          customer: invoice.buyer as unknown as SourceCustomer,
          deal: invoice.deal as unknown as SourceDeal,
          seller: sellerSchema.parse(invoice.seller),
          number: invoice.number,
          issueDate: invoice.issueDate.toISOString().slice(0, 10),
        })
        const started = Date.now()
        const rendered = await renderInvoicePdf({ document, gotenberg: deps.gotenberg, traceId: `${input.invoiceId}:v${input.version}` })
        log.info('pdf rendered', { invoiceId: input.invoiceId, version: input.version, bytes: rendered.sizeBytes, ms: Date.now() - started })
        return storeInvoicePdf(db, { invoiceId: input.invoiceId, version: input.version, event: input.event, ...rendered })
      })
    },

    /** Reminds approvers of an invoice waiting for approval (recorded; email with issue 5). */
    async remindApprovers(input: { event: InvoiceEventInput }): Promise<void> {
      await appendEvent(db, input.event)
      log.info('approval reminder', { invoiceId: input.event.invoiceId })
    },
  }
}

export type InvoiceActivities = ReturnType<typeof createInvoiceActivities>
