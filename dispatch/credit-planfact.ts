import { Dec } from '../billing/decimal.js'
import { addDays } from '../pdf/date-only.js'
import { PlanFactRejectedError, PlanFactUnavailableError, type PlanFactClient, type PlanFactId, type PlanFactOperation } from '../clients/planfact.js'
import type { Database } from '../lib/database.js'
import { ERROR_TYPES } from '../lib/error-types.js'
import { PermanentError } from '../lib/permanent-error.js'
import { findReference, markReferenceDone, markReferencePending, readDetails, type ReferenceKey } from './external-reference.js'
import { MARKER_SEARCH_DAYS } from './sync-planfact.js'

/** What PlanFact needs to know about an approved credit note. */
export interface PlanFactCreditNote {
  creditNoteId: string
  number: string
  /** YYYY-MM-DD */
  issueDate: string
  /** Decimal string: the credited total. */
  total: string
  invoice: { invoiceId: string; number: string }
}

export interface CreditPlanFactResult {
  /** The operation that carries the correction: the refund, else the planned income changed. */
  externalId: string
  detail: string
}

/** The plan made before the first write, kept in the reference so every retry writes the same. */
interface CorrectionPlan {
  operationId: PlanFactId
  plannedBefore: string
  plannedAfter: string
  refund: string
  refundOperationId?: PlanFactId | null
  plannedDeleted?: boolean
}

/** Default title of the Outcome category refunds are booked in (PLANFACT_REFUND_CATEGORY_ID overrides). */
export const DEFAULT_REFUND_CATEGORY_TITLE = 'Refunds to customers'

/**
 * Books a credit note in PlanFact once in effect (external-apis.md, "Credit notes"): what is
 * still planned of the invoice's income is lowered by the credit (`PUT` with the lower value, or
 * deleted when nothing is left), and what exceeds it (money already paid) is booked as an outcome
 * operation, a refund, carrying the credit note's id as its marker. The plan is computed once
 * from the operation as PlanFact shows it and stored `pending` before any write, so a retry
 * repeats exactly the same writes (a PUT is idempotent; the refund is looked for by its marker
 * before it is created). Runs one at a time per business, like the invoice's booking (the
 * `planfact` task queue).
 */
export async function bookCreditNoteInPlanFact(input: {
  db: Database
  planfact: PlanFactClient
  creditNote: PlanFactCreditNote
  /** What the customer owed before this credit note (invoice less earlier credit notes and payments); default: what is planned. */
  owedBefore?: string
  refundCategoryId?: string | undefined
}): Promise<CreditPlanFactResult> {
  const { db, planfact, creditNote } = input
  const key: ReferenceKey = { invoiceId: creditNote.invoice.invoiceId, system: 'planfact', purpose: `credit-note:${creditNote.creditNoteId}` }
  const known = await findReference(db, key)
  if (known?.status === 'done' && known.externalId) return { externalId: known.externalId, detail: describe(readDetails(known) as unknown as CorrectionPlan, creditNote) }
  const booked = await findReference(db, { invoiceId: creditNote.invoice.invoiceId, system: 'planfact', purpose: 'operation' })
  if (booked?.status !== 'done' || !booked.externalId) {
    throw new PermanentError(ERROR_TYPES.planfactMisconfigured, `invoice ${creditNote.invoice.number} is not booked in PlanFact (its step was skipped): there is nothing to correct there; skip this step`)
  }
  const booking = readDetails(booked)

  let plan = known ? (readDetails(known) as unknown as CorrectionPlan) : null
  // A retry follows its stored plan: the planned income may be gone by then (deleted by the earlier
  // attempt whose answer was lost), so only a first attempt needs it to exist.
  const planned = await readPlanned(planfact, toId(booked.externalId!), { missingIsGone: Boolean(plan?.plannedAfter) })
  if (!plan?.plannedAfter) {
    plan = planCorrection(planned!, creditNote.total, input.owedBefore)
    await markReferencePending(db, key, { ...plan })
  } else if (planned && new Dec(plan.plannedAfter).lt(plan.plannedBefore) && (planned.isCommitted === true || ![plan.plannedBefore, plan.plannedAfter].includes(new Dec(String(planned.value ?? 0)).toFixed(2)))) {
    // Paid or split in PlanFact between the attempts: writing the old plan would undo that.
    throw new PermanentError(
      ERROR_TYPES.planfactRejected,
      `the planned income ${String(plan.operationId)} of invoice ${creditNote.invoice.number} changed in PlanFact since this correction was planned (${planned.isCommitted ? 'it is now paid' : `its value is ${String(planned.value)}, not ${plan.plannedBefore} or ${plan.plannedAfter}`}): book the credit note by hand, then skip this step`,
    )
  }
  if (new Dec(plan.plannedAfter).lt(plan.plannedBefore)) {
    if (new Dec(plan.plannedAfter).isZero()) {
      await deleteIfPresent(planfact, plan.operationId)
      plan.plannedDeleted = true
    } else {
      await planfact.updateIncomeOperation(plan.operationId, {
        operationDate: planned?.operationDate ?? creditNote.issueDate,
        accountId: planned?.accountId ?? (booking.accountId as PlanFactId),
        contrAgentId: planned?.contrAgentId ?? (booking.contrAgentId as PlanFactId),
        comment: planned?.comment ?? '',
        externalId: planned?.externalId ?? creditNote.invoice.invoiceId,
        isCommitted: false,
        items: [
          {
            calculationDate: planned?.operationDate ?? creditNote.issueDate,
            contrAgentId: planned?.parts[0]?.contrAgentId ?? (booking.contrAgentId as PlanFactId),
            operationCategoryId: planned?.parts[0]?.operationCategoryId ?? (booking.operationCategoryId as PlanFactId),
            projectId: planned?.parts[0]?.projectId ?? null,
            value: Number(plan.plannedAfter),
          },
        ],
      })
    }
  }
  if (new Dec(plan.refund).gt(0)) {
    plan.refundOperationId = await findOrCreateRefund({ planfact, creditNote, plan, accountId: (planned?.accountId ?? booking.accountId) as PlanFactId, contrAgentId: (planned?.contrAgentId ?? booking.contrAgentId) as PlanFactId, refundCategoryId: input.refundCategoryId })
  }
  const externalId = String(plan.refundOperationId ?? plan.operationId)
  await markReferenceDone(db, key, externalId, { ...plan })
  return { externalId, detail: describe(plan, creditNote) }
}

/**
 * Lower what is still planned first; what the credit takes beyond what the customer still owes
 * (`owedBefore`: the invoice less earlier credit notes and payments) goes back as a refund.
 */
export function planCorrection(planned: Pick<PlanFactOperation, 'operationId' | 'isCommitted' | 'value'>, credit: string, owedBefore?: string): CorrectionPlan {
  const plannedBefore = planned.isCommitted ? new Dec(0) : new Dec(String(planned.value ?? 0))
  const owed = owedBefore === undefined ? plannedBefore : Dec.max(0, new Dec(owedBefore))
  const lowered = Dec.min(plannedBefore, owed, new Dec(credit))
  return {
    operationId: planned.operationId,
    plannedBefore: plannedBefore.toFixed(2),
    plannedAfter: plannedBefore.minus(lowered).toFixed(2),
    refund: new Dec(credit).minus(lowered).toFixed(2),
  }
}

async function findOrCreateRefund(options: { planfact: PlanFactClient; creditNote: PlanFactCreditNote; plan: CorrectionPlan; accountId: PlanFactId; contrAgentId: PlanFactId; refundCategoryId?: string | undefined }): Promise<PlanFactId> {
  const { planfact, creditNote } = options
  const shift = (days: number) => addDays(creditNote.issueDate, days)
  const marked = async () =>
    (await planfact.searchOperations({ operationDateStart: shift(-MARKER_SEARCH_DAYS), operationDateEnd: shift(MARKER_SEARCH_DAYS), searchString: creditNote.creditNoteId, accountIds: [options.accountId] })).filter(
      (o) => o.externalId === creditNote.creditNoteId || (o.comment ?? '').includes(creditNote.creditNoteId),
    )
  const earlier = await marked()
  if (earlier.length > 0) return earlier[0]!.operationId
  const operationCategoryId = await resolveRefundCategory(planfact, options.refundCategoryId)
  const created = await planfact.createOutcomeOperation({
    operationDate: creditNote.issueDate,
    accountId: options.accountId,
    contrAgentId: options.contrAgentId,
    comment: `Credit note ${creditNote.number} to invoice ${creditNote.invoice.number}: refund [credit note ${creditNote.creditNoteId}]`,
    externalId: creditNote.creditNoteId,
    items: [{ calculationDate: creditNote.issueDate, contrAgentId: options.contrAgentId, operationCategoryId, projectId: null, value: Number(options.plan.refund) }],
  })
  if (created !== null) return created
  const after = await marked()
  if (after.length === 0) throw new PlanFactUnavailableError(`PlanFact accepted the refund of credit note ${creditNote.number} with an empty answer and does not list it yet`, 200)
  return after[0]!.operationId
}

async function resolveRefundCategory(planfact: PlanFactClient, configured: string | undefined): Promise<PlanFactId> {
  if (configured) return toId(configured)
  const categories = await planfact.listOperationCategories({ type: 'Outcome' })
  const refunds = categories.find((c) => c.title.trim().toLowerCase() === DEFAULT_REFUND_CATEGORY_TITLE.toLowerCase())
  if (!refunds) {
    throw new PermanentError(ERROR_TYPES.planfactMisconfigured, `PlanFact has no Outcome category titled "${DEFAULT_REFUND_CATEGORY_TITLE}": add it or set PLANFACT_REFUND_CATEGORY_ID, then retry`)
  }
  return refunds.operationCategoryId
}

/** The booked income as PlanFact shows it; null when it is gone and `missingIsGone` allows that. */
async function readPlanned(planfact: PlanFactClient, operationId: PlanFactId, options: { missingIsGone: boolean }): Promise<PlanFactOperation | null> {
  try {
    return await planfact.getOperation(operationId)
  } catch (error) {
    if (options.missingIsGone && error instanceof PlanFactRejectedError && error.status === 404) return null
    throw error
  }
}

async function deleteIfPresent(planfact: PlanFactClient, operationId: PlanFactId): Promise<void> {
  try {
    await planfact.deleteOperation(operationId)
  } catch (error) {
    // Deleted by an earlier attempt whose answer was lost.
    if (error instanceof PlanFactRejectedError && error.status === 404) return
    throw error
  }
}

function describe(plan: CorrectionPlan, creditNote: PlanFactCreditNote): string {
  const parts = [
    new Dec(plan.plannedAfter).lt(plan.plannedBefore)
      ? plan.plannedDeleted || new Dec(plan.plannedAfter).isZero()
        ? `planned income ${String(plan.operationId)} of ${plan.plannedBefore} deleted`
        : `planned income ${String(plan.operationId)} lowered from ${plan.plannedBefore} to ${plan.plannedAfter}`
      : null,
    new Dec(plan.refund).gt(0) ? `refund ${plan.refund} booked as outcome ${String(plan.refundOperationId ?? '?')}` : null,
  ].filter(Boolean)
  return `${creditNote.number}: ${parts.join('; ')}`
}

function toId(value: string): PlanFactId {
  return /^\d+$/.test(value) ? Number(value) : value
}
