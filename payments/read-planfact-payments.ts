import { Dec } from '../billing/decimal.js'
import { addDays } from '../pdf/date-only.js'
import { PlanFactRejectedError, type PlanFactClient, type PlanFactId, type PlanFactOperation } from '../clients/planfact.js'

/** A payment PlanFact shows for an invoice: an actual income of ours. */
export interface PlanFactPayment {
  operationId: string
  /** Decimal string, 2 decimals. */
  amount: string
  /** YYYY-MM-DD */
  paidOn: string
}

export interface PlanFactBooking {
  invoiceId: string
  /** The planned income the invoice was booked as (null when it was deleted by a void). */
  operationId: string | null
  accountId: PlanFactId
  /** YYYY-MM-DD: the invoice's issue date; payments are searched from a month before it. */
  issueDate: string
  /** YYYY-MM-DD: the search ends a day after it. */
  today: string
}

/** Days before the issue date the search for payments starts (a payment booked early). */
const SEARCH_DAYS_BEFORE = 31

/**
 * The payments PlanFact shows for an invoice, two ways (external-apis.md, "Payments"): the
 * planned income itself turned actual (its operation date is the payment date), and separate
 * actual incomes that carry our marker (a partial payment that split the planned one, or a bank
 * payment a person linked to it). Each operation counts once, by its id.
 */
export async function readPlanFactPayments(planfact: PlanFactClient, booking: PlanFactBooking): Promise<PlanFactPayment[]> {
  const payments = new Map<string, PlanFactPayment>()
  if (booking.operationId !== null) {
    const planned = await readPlanned(planfact, booking.operationId)
    if (planned?.isCommitted && planned.operationDate) payments.set(String(planned.operationId), toPayment(planned))
  }
  const actual = await planfact.searchOperations({
    operationDateStart: addDays(booking.issueDate, -SEARCH_DAYS_BEFORE),
    operationDateEnd: addDays(booking.today, 1),
    searchString: booking.invoiceId,
    accountIds: [booking.accountId],
    isCommitted: true,
  })
  for (const operation of actual) {
    const ours = operation.externalId === booking.invoiceId || (operation.comment ?? '').includes(booking.invoiceId)
    if (!ours || operation.isCommitted !== true || operation.operationType === 'Outcome' || !operation.operationDate) continue
    payments.set(String(operation.operationId), toPayment(operation))
  }
  return [...payments.values()].filter((p) => new Dec(p.amount).gt(0)).sort((a, b) => a.paidOn.localeCompare(b.paidOn) || a.operationId.localeCompare(b.operationId))
}

/** The planned income, or null when it is gone (a person deleted it in PlanFact). */
async function readPlanned(planfact: PlanFactClient, operationId: string): Promise<PlanFactOperation | null> {
  try {
    return await planfact.getOperation(/^\d+$/.test(operationId) ? Number(operationId) : operationId)
  } catch (error) {
    if (error instanceof PlanFactRejectedError && error.status === 404) return null
    throw error
  }
}

function toPayment(operation: PlanFactOperation): PlanFactPayment {
  const value = operation.value ?? operation.parts.reduce((sum, p) => sum + p.value, 0)
  return { operationId: String(operation.operationId), amount: new Dec(String(value)).toFixed(2), paidOn: operation.operationDate!.slice(0, 10) }
}
