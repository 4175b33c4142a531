import type { InvoicePreview } from '../billing/types.js'
import type { InvoiceLanguage, SourceCustomer, SourceDeal } from '../sources/types.js'
import { addDays, parseIsoDate } from './date-only.js'
import type { InvoiceAppendixRow, InvoiceBuyer, InvoiceContract, InvoiceDocument, InvoiceDocumentLine, InvoiceSeller } from './invoice-document.js'
import { InvoiceDocumentError } from './invoice-document-error.js'
import { INVOICE_TEMPLATE_VERSION } from './template-version.js'

export interface BuildInvoiceDocumentInput {
  /** The confirmed preview (after edits): its figures are printed as they are. */
  preview: InvoicePreview
  customer: SourceCustomer
  deal: SourceDeal
  /** The `seller` setting. */
  seller: InvoiceSeller
  /** The invoice number assigned at finalization. */
  number: string
  /** YYYY-MM-DD */
  issueDate: string
  /** Defaults to the customer's language. */
  language?: InvoiceLanguage
  /** Defaults to the current template; only the current one can be rendered. */
  templateVersion?: string
}

/**
 * Collects what the PDF shows from the confirmed preview, the deal, the customer and the seller
 * setting, as plain data. Refuses inputs that do not belong together (another deal's preview, a
 * preview with blocking errors) so an inconsistent invoice is never rendered. Warnings are
 * deliberately left out: they are for the accountant, not the customer.
 */
export function buildInvoiceDocument(input: BuildInvoiceDocumentInput): InvoiceDocument {
  const { preview, customer, deal, seller, number, issueDate } = input
  checkConsistency(input)
  const dueDate = addDays(issueDate, deal.paymentTermsDays)
  const positions = new Map(preview.lines.map((line, index) => [line.lineId, index + 1]))

  const lines: InvoiceDocumentLine[] = preview.lines.map((line, index) => ({
    position: index + 1,
    description: line.description,
    quantity: line.quantity,
    unit: line.unit,
    rate: line.rate,
    amount: line.amount,
  }))
  const appendix: InvoiceAppendixRow[] = preview.issueDetails.map((detail) => ({
    issueKey: detail.issueKey,
    summary: detail.summary,
    category: detail.category,
    linePosition: detail.lineId === null ? null : (positions.get(detail.lineId) ?? null),
    rawHours: detail.rawHours,
    billableHours: detail.billableHours,
    amount: detail.amount,
  }))

  return {
    templateVersion: input.templateVersion ?? INVOICE_TEMPLATE_VERSION,
    language: input.language ?? customer.language,
    number,
    issueDate,
    dueDate,
    period: { from: preview.period.from, to: preview.period.to, label: preview.period.label },
    seller: copySeller(seller),
    buyer: copyBuyer(customer),
    contract: copyContract(deal),
    currency: preview.currency,
    lines,
    subtotal: preview.subtotal,
    vatRate: preview.vatRate,
    vatAmount: preview.vatAmount,
    total: preview.total,
    paymentTerms: { days: deal.paymentTermsDays, dueDate },
    appendix,
  }
}

/** The seller setting as the documents print it: the named fields only, nothing the setting may gain later. */
export function copySeller(seller: InvoiceSeller): InvoiceSeller {
  return {
    name: seller.name,
    legalName: seller.legalName,
    tin: seller.tin,
    vatRegCode: seller.vatRegCode,
    address: seller.address,
    bankName: seller.bankName,
    bankAccount: seller.bankAccount,
    mfo: seller.mfo,
    swift: seller.swift,
    director: seller.director,
    accountant: seller.accountant,
    email: seller.email,
    phone: seller.phone,
  }
}

/** The customer's details the documents print (not its language, e-invoicing flag or version). */
export function copyBuyer(customer: SourceCustomer): InvoiceBuyer {
  return {
    customerId: customer.customerId,
    name: customer.name,
    legalName: customer.legalName,
    country: customer.country,
    tin: customer.tin,
    vatRegCode: customer.vatRegCode,
    address: customer.address,
    bankName: customer.bankName,
    bankAccount: customer.bankAccount,
    mfo: customer.mfo,
    swift: customer.swift,
    director: customer.director,
    accountant: customer.accountant,
  }
}

/** The contract reference of the deal. */
export function copyContract(deal: SourceDeal): InvoiceContract {
  return { dealId: deal.dealId, number: deal.contractNumber, date: deal.contractDate, dealTitle: deal.title }
}

function checkConsistency({ preview, customer, deal, number, issueDate }: BuildInvoiceDocumentInput): void {
  const problems: string[] = []
  if (preview.errors.length > 0) problems.push(`the preview has blocking errors (${preview.errors.map((e) => e.code).join(', ')})`)
  if (preview.dealId !== deal.dealId) problems.push(`the preview is for deal ${preview.dealId}, not ${deal.dealId}`)
  if (preview.customerId !== customer.customerId) problems.push(`the preview is for customer ${preview.customerId}, not ${customer.customerId}`)
  if (deal.customerId !== customer.customerId) problems.push(`deal ${deal.dealId} belongs to customer ${deal.customerId}, not ${customer.customerId}`)
  if (preview.currency !== deal.currency) problems.push(`the preview is in ${preview.currency}, the deal in ${deal.currency}`)
  if (number.trim() === '') problems.push('the invoice number is empty')
  if (parseIsoDate(issueDate) === null) problems.push(`the issue date "${issueDate}" is not a YYYY-MM-DD date`)
  if (!Number.isInteger(deal.paymentTermsDays) || deal.paymentTermsDays < 0) {
    problems.push(`the payment terms (${deal.paymentTermsDays} days) are not a whole number of days`)
  }
  if (problems.length > 0) throw new InvoiceDocumentError(`Cannot build the invoice document: ${problems.join('; ')}`)
}
