import { setCurrentDetails, upsertSearchAttributes } from '@temporalio/workflow'
import type { CreditNoteFigures } from '../credit-notes/compute-credit-note.js'
import { CREDIT_NOTE_ACTION_SCHEMAS, type CreditNoteActionName } from '../credit-notes/credit-note-schemas.js'
import type { InvoiceEventInput } from '../db/append-event.js'
import { describeIssues, type InvoiceActionName } from './invoice-actions.js'
import { recordCreditNoteTransition } from './credit-note-activities.js'
import { CREDIT_NOTE_ACTIONS_BY_STATE, creditNoteState, type CreditNoteDelivery, type CreditNoteOutcome, type CreditNoteView, type StartCreditNoteInput } from './credit-note-contract.js'
import type { InvoiceState } from './invoice-contract.js'
import { InvoiceRun, type Problem, type TakenAction } from './invoice-run.js'
import { billingPeriodKey, customerIdKey, dealIdKey, invoiceNumberKey, invoiceStatusKey } from './search-attributes.js'

/**
 * A credit note's run: the invoice run's machinery (Updates checked three times, events written
 * in order, outcomes once the workflow acted, steps parked in needs_attention) with its own
 * actions, read model (the credit_notes row), events (`credit_note.*`, in the invoice's history)
 * and details for Temporal Web. `view.invoiceId` / `invoiceNumber` name the credited invoice.
 */
export class CreditNoteRun extends InvoiceRun {
  protected override readonly kind = 'credit note'
  readonly note: {
    creditNoteId: string
    kind: 'partial' | 'void'
    correction: 'error' | 'terms'
    reason: string
    number: string | null
    currency: string | null
    figures: CreditNoteFigures | null
    fingerprint: string | null
    delivery: CreditNoteDelivery | null
  }

  constructor(readonly start: StartCreditNoteInput) {
    super({ dealId: start.invoice.dealId, period: start.invoice.period, startedBy: start.requestedBy })
    this.view.invoiceId = start.invoice.invoiceId
    this.view.invoiceNumber = start.invoice.number
    this.view.customerId = start.invoice.customerId
    const { request } = start
    this.note = { creditNoteId: start.creditNoteId, kind: request.kind, correction: request.correction, reason: request.reason, number: null, currency: null, figures: null, fingerprint: null, delivery: null }
  }

  /** The credit note as the query and the read model show it. */
  details(): CreditNoteView {
    const { view, note } = this
    return {
      workflowId: view.workflowId,
      creditNoteId: note.creditNoteId,
      state: creditNoteState(view.state),
      kind: note.kind,
      correction: note.correction,
      reason: note.reason,
      invoice: this.start.invoice,
      number: note.number,
      currency: note.currency,
      figures: note.figures,
      fingerprint: note.fingerprint,
      pdfVersion: view.pdfVersion,
      delivery: note.delivery,
      requestedBy: this.start.requestedBy,
      confirmedBy: view.confirmedBy,
      approvedBy: view.approvedBy,
      attention: view.attention,
      dispatch: view.dispatch,
      cancelReason: view.cancelReason,
    }
  }

  /** The credit note's own schemas and states, then the workflow's rules. */
  override problemWith(action: InvoiceActionName, input: unknown): Problem | null {
    const schema = CREDIT_NOTE_ACTION_SCHEMAS[action as CreditNoteActionName]
    if (!schema) return { code: 'WRONG_STATE', message: `a credit note takes no "${action}"` }
    const parsed = schema.safeParse(input)
    if (!parsed.success) return { code: 'INVALID_INPUT', message: describeIssues(parsed.error, 'input').map((i) => `${i.field}: ${i.problem}`).join('; ') }
    if (!(CREDIT_NOTE_ACTIONS_BY_STATE[this.view.state] ?? []).includes(action as CreditNoteActionName)) {
      return { code: 'WRONG_STATE', message: `"${action}" cannot be taken while the credit note is ${creditNoteState(this.view.state)}` }
    }
    return this.check(action, parsed.data as never)
  }

  /** Its events go to the invoice's history, named `credit_note.<type>` and carrying the credit note's id. */
  override event(type: string, actor: string, payload: Record<string, unknown> = {}): InvoiceEventInput {
    const event = super.event(`credit_note.${type}`, actor, { creditNoteId: this.note.creditNoteId, number: this.note.number, ...payload })
    return { ...event, payload: { ...(event.payload as Record<string, unknown>), state: creditNoteState(this.view.state) } }
  }

  protected override async writeTransition(state: InvoiceState, event: InvoiceEventInput, extra: { approvedBy?: string }): Promise<void> {
    if (state === 'prefilling') return // the row is written with the draft
    await recordCreditNoteTransition({
      creditNoteId: this.note.creditNoteId,
      state: creditNoteState(state),
      at: new Date().toISOString(),
      ...(extra.approvedBy ? { approvedBy: extra.approvedBy } : {}),
      view: this.details(),
      event,
    })
  }

  protected override outcome(action: TakenAction): CreditNoteOutcome {
    const { view, note } = this
    return {
      ...super.outcome(action),
      fingerprint: note.fingerprint,
      total: note.figures?.total ?? null,
      currency: note.currency,
      creditNoteId: note.creditNoteId,
      creditNoteNumber: note.number,
      creditNoteState: creditNoteState(view.state),
    }
  }

  override publish(): void {
    const { view, note } = this
    upsertSearchAttributes([
      { key: invoiceStatusKey, value: creditNoteState(view.state) },
      { key: dealIdKey, value: view.dealId },
      { key: billingPeriodKey, value: view.period },
      ...(view.customerId ? [{ key: customerIdKey, value: view.customerId }] : []),
      ...(view.invoiceNumber ? [{ key: invoiceNumberKey, value: view.invoiceNumber }] : []),
    ])
    setCurrentDetails(
      [
        `**credit note ${creditNoteState(view.state)}**${note.number ? ` ${note.number}` : ''} to invoice ${view.invoiceNumber}`,
        `${note.kind === 'void' ? 'void' : 'partial'}: ${note.reason}`,
        ...(note.figures ? [`total ${note.figures.total} ${note.currency ?? ''}`] : []),
        ...(view.attention ? [`needs attention at ${view.attention.step}: ${view.attention.reason}`] : []),
      ].join('\n\n'),
    )
  }
}
