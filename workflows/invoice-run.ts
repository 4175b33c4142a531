import { ApplicationFailure, CancellationScope, condition, currentUpdateInfo, log, proxySinks, setCurrentDetails, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow'
import type { InvoiceEventInput } from '../db/append-event.js'
import type { RunViewInput } from '../db/record-transition.js'
import type { ActionInput, InvoiceActionName } from './invoice-actions.js'
import { parseActionInput } from './invoice-actions.js'
import { recordEvent, recordTransition } from './invoice-activities.js'
import {
  ACTIONS_BY_STATE,
  NEXT_ACTOR_BY_STATE,
  type ActionOutcome,
  type InvoiceState,
  type InvoiceView,
  type RefusalCode,
  type StartInvoiceInput,
} from './invoice-contract.js'
import type { AuditSinks } from './audit-sinks.js'
import { billingPeriodKey, customerIdKey, dealIdKey, dueDateKey, invoiceNumberKey, invoiceStatusKey, paymentStatusKey } from './search-attributes.js'

/** An action the workflow accepted (its Update passed the validator), until it has an outcome. */
export interface TakenAction<A extends InvoiceActionName = InvoiceActionName> {
  name: A
  input: ActionInput<A>
  updateId: string
  previousState: InvoiceState
  settled: { outcome: ActionOutcome } | { refusal: Problem } | null
}

export interface Problem {
  code: RefusalCode
  message: string
}

/** Thrown out of any step or wait when a person's cancel is taken; the workflow ends cancelled. */
export class InvoiceCancelled extends Error {
  constructor(readonly action: TakenAction<'cancel'>) {
    super('cancelled')
    this.name = 'InvoiceCancelled'
  }
}

/** States where the workflow waits for a person or an external system: an action's outcome is known there. */
const RESTING_STATES: readonly InvoiceState[] = [
  'awaiting_confirmation',
  'awaiting_approval',
  'dispatching',
  'needs_attention',
  'awaiting_payment',
  'partially_paid',
  'overdue',
  'paid',
  'void',
  'completed',
  'cancelled',
]

/** Whether an action taken before reaching `state` has its outcome there. */
export function isResting(state: InvoiceState): boolean {
  return RESTING_STATES.includes(state)
}

const { audit } = proxySinks<AuditSinks>()

/**
 * The state of one invoice run: the view the query shows (and the read model stores), the
 * actions people took, and the events waiting to be written. Every action goes through `check`
 * three times: in its Update's validator (a refusal writes nothing to history), when the main
 * loop takes it (the state may have moved on since: what the person saw is checked then), and
 * when the state changes under a waiting action.
 */
export class InvoiceRun {
  readonly view: InvoiceView
  private readonly inbox: TakenAction[] = []
  private inProgress: TakenAction[] = []
  private readonly outbox: InvoiceEventInput[] = []
  private eventSeq = 0
  private writing = false
  private previewWritten: unknown = null
  protected check: (action: InvoiceActionName, input: never) => Problem | null = () => null

  constructor(readonly input: StartInvoiceInput) {
    this.view = {
      workflowId: workflowInfo().workflowId,
      state: 'prefilling',
      dealId: input.dealId,
      customerId: null,
      period: input.period,
      preview: null,
      invoiceId: null,
      invoiceNumber: null,
      pdfVersion: null,
      startedBy: input.startedBy,
      confirmedBy: null,
      approvedBy: null,
      attention: null,
      dispatch: {},
      cancelReason: null,
    }
  }

  get state(): InvoiceState {
    return this.view.state
  }

  /** A continued run takes the view its previous run handed over (continue-as-new.ts). */
  restore(view: InvoiceView): void {
    Object.assign(this.view, view)
    this.previewWritten = this.view.preview
  }

  /** Someone's action waits to be taken. */
  get hasWaitingActions(): boolean {
    return this.inbox.length > 0
  }

  /** Nothing in flight: no action waiting or in progress, every event written. */
  get quiet(): boolean {
    return this.inbox.length === 0 && this.inProgress.length === 0 && this.outbox.length === 0 && !this.writing
  }

  /**
   * The first write of a continued run: the read-model and invoice rows move from the previous
   * run to this one (lists, PDFs and handles follow the current run), with an event that says so.
   */
  async continuedFrom(previousRunId: string, runsBefore: number): Promise<void> {
    this.publish()
    await this.writeTransition(this.view.state, this.event('continued_as_new', 'system', { previousRunId, runsBefore }), { continuedFromRunId: previousRunId }, true)
  }

  /** The workflow's own rules per action (fingerprint, PDF version, maker-checker, ...). */
  setChecks(check: <A extends InvoiceActionName>(action: A, input: ActionInput<A>) => Problem | null): void {
    this.check = check as never
  }

  /** Why an action cannot be taken now, or null: its schema, the state, then the workflow's rules. */
  problemWith(action: InvoiceActionName, input: unknown): Problem | null {
    const parsed = parseActionInput(action, input)
    if (!parsed.ok) return { code: 'INVALID_INPUT', message: parsed.issues.map((i) => `${i.field}: ${i.problem}`).join('; ') }
    if (!ACTIONS_BY_STATE[this.view.state].includes(action)) {
      return { code: 'WRONG_STATE', message: `"${action}" cannot be taken while the invoice is ${this.view.state}` }
    }
    return this.check(action, parsed.value as never)
  }

  /** An Update's validator: throws the refusal (nothing reaches history) and audits it. */
  validate(action: InvoiceActionName, input: unknown): void {
    const problem = this.problemWith(action, input)
    if (!problem) return
    const actor = typeof (input as { actor?: unknown })?.actor === 'string' ? String((input as { actor: string }).actor).slice(0, 200) : 'unknown'
    const info = workflowInfo()
    audit.refused({
      workflowId: info.workflowId,
      workflowRunId: info.runId,
      invoiceId: this.view.invoiceId,
      updateId: currentUpdateInfo()?.id ?? '',
      action,
      actor,
      code: problem.code,
      message: problem.message,
      state: this.view.state,
    })
    throw refusalFailure(action, problem, this.view.state)
  }

  /** An Update's handler: queues the action and returns its outcome once the workflow has acted. */
  async accept<A extends InvoiceActionName>(name: A, input: ActionInput<A>): Promise<ActionOutcome> {
    const action: TakenAction<A> = { name, input, updateId: currentUpdateInfo()?.id ?? '', previousState: this.view.state, settled: null }
    this.inbox.push(action as TakenAction)
    await condition(() => action.settled !== null)
    const settled = action.settled!
    if ('refusal' in settled) throw refusalFailure(name, settled.refusal, this.view.state)
    return settled.outcome
  }

  /**
   * The next action among `allowed`, or null after `timeoutMs` or once `wake` says so. An action
   * the state can no longer take, or whose view is out of date (checked again here), is refused.
   */
  async next(allowed: readonly InvoiceActionName[], timeoutMs?: number, wake?: () => boolean): Promise<TakenAction | null> {
    const ready = () => this.inbox.length > 0 || (wake?.() ?? false)
    for (;;) {
      if (timeoutMs === undefined) await condition(ready)
      else if (!(await condition(ready, timeoutMs))) return null
      // Woken (a credit note changed what is due): the caller looks again.
      if (this.inbox.length === 0) return null
      const action = this.inbox.shift()!
      const problem = allowed.includes(action.name) ? this.problemWith(action.name, action.input) : { code: 'WRONG_STATE' as const, message: `"${action.name}" cannot be taken while the invoice is ${this.view.state}` }
      if (problem) {
        this.refuse(action, problem)
        continue
      }
      if (action.name === 'cancel') throw new InvoiceCancelled(action as TakenAction<'cancel'>)
      this.inProgress.push(action)
      return action
    }
  }

  /** Between the steps of a state that runs work (prefilling, finalizing): a waiting cancel ends the run. */
  takeCancel(): void {
    const index = this.inbox.findIndex((a) => a.name === 'cancel')
    if (index < 0) return
    const [cancel] = this.inbox.splice(index, 1)
    const problem = this.problemWith('cancel', cancel!.input)
    if (problem) this.refuse(cancel!, problem)
    else throw new InvoiceCancelled(cancel as TakenAction<'cancel'>)
  }

  /** Whether a cancel is waiting (a running prefill is abandoned for it). */
  get cancelWaiting(): boolean {
    return this.inbox.some((a) => a.name === 'cancel')
  }

  /** Refuses an accepted action when the workflow acts on it: its Update fails with the code, and the refusal is recorded. */
  refuse(action: TakenAction, problem: Problem): void {
    action.settled = { refusal: problem }
    this.inProgress = this.inProgress.filter((a) => a !== action)
    this.queueEvent('action_refused', action.input.actor, { action: action.name, code: problem.code, message: problem.message, updateId: action.updateId })
    log.warn('action refused', { action: action.name, code: problem.code, message: problem.message, invoiceId: this.view.invoiceId ?? undefined })
  }

  /** Refuses every action in progress (a confirmation that turned out stale when finalized). */
  refuseInProgress(problem: Problem): void {
    for (const action of [...this.inProgress]) this.refuse(action, problem)
  }

  /** A cancel taken: counted as in progress, so the move to cancelled answers it. */
  startCancel(action: TakenAction<'cancel'>): void {
    this.inProgress.push(action)
  }

  /** An event for this run, keyed `<workflowId>:<runId>:<seq>:<type>`. */
  event(type: string, actor: string, payload: Record<string, unknown> = {}): InvoiceEventInput {
    const info = workflowInfo()
    this.eventSeq += 1
    return {
      workflowId: info.workflowId,
      workflowRunId: info.runId,
      invoiceId: this.view.invoiceId,
      type,
      actor,
      payload: { state: this.view.state, ...payload },
      idempotencyKey: `${info.workflowId}:${info.runId}:${this.eventSeq}:${type}`,
    }
  }

  /** Queues an event; the writer loop appends it. */
  queueEvent(type: string, actor: string, payload: Record<string, unknown> = {}): InvoiceEventInput {
    const event = this.event(type, actor, payload)
    this.outbox.push(event)
    return event
  }

  /**
   * Writes queued events one by one, in order, for the whole run; not cancellable, so a
   * cancellation request to the workflow does not interrupt it. An event PostgreSQL refuses for
   * good (a value it cannot store) is logged and dropped rather than failing the run.
   */
  writeEventsForever(): void {
    void CancellationScope.nonCancellable(async () => {
      for (;;) {
        await condition(() => this.outbox.length > 0)
        this.writing = true
        const event = this.outbox[0]!
        try {
          await recordEvent(event)
        } catch (err) {
          log.error('event not recorded: PostgreSQL refused it', { type: event.type, invoiceId: this.view.invoiceId ?? undefined, error: err instanceof Error ? ((err as { cause?: { message?: string } }).cause?.message ?? err.message) : String(err) })
        }
        this.outbox.shift()
        this.writing = false
      }
    })
  }

  /** Before the run ends: actions nobody will take are refused, events written, handlers done. */
  async finish(): Promise<void> {
    for (const action of this.inbox.splice(0)) this.refuse(action, { code: 'WRONG_STATE', message: `the invoice is ${this.view.state}` })
    await condition(() => this.outbox.length === 0 && !this.writing)
  }

  /**
   * Moves to `state`: the transition event and the read-model row in one local activity, the
   * search attributes and details for Temporal Web; in a resting state the actions in progress
   * get their outcome, and waiting actions the new state cannot take are refused.
   */
  async moveTo(
    state: InvoiceState,
    actor: string,
    extra: { approvedBy?: string; voidReason?: string; payload?: Record<string, unknown>; settle?: boolean } = {},
  ): Promise<void> {
    const from = this.view.state
    this.view.state = state
    this.publish()
    const { payload, settle = true, ...rest } = extra
    const preview = this.view.preview
    const previewChanged = preview !== this.previewWritten
    await this.writeTransition(state, this.event(`state_${state}`, actor, { from, ...payload }), rest, previewChanged)
    this.previewWritten = preview
    log.info(`${this.kind} state`, { from, to: state, invoiceId: this.view.invoiceId ?? undefined, invoiceNumber: this.view.invoiceNumber ?? undefined })
    // Finalizing takes only a cancel: anything else waiting is refused now, not after the PDF.
    if (!RESTING_STATES.includes(state) && state !== 'finalizing') return
    if (settle && RESTING_STATES.includes(state)) this.settle()
    for (const action of [...this.inbox]) {
      const problem = this.problemWith(action.name, action.input)
      if (problem) {
        this.inbox.splice(this.inbox.indexOf(action), 1)
        this.refuse(action, problem)
      }
    }
  }

  /**
   * Records an event that changes what people see without a new state (a dispatch result), with
   * the read-model row, in one local activity: the page shows it now, not at the next transition.
   * Awaited in the workflow's order, so it never overwrites a newer transition's row.
   */
  async recordWithView(type: string, actor: string, payload: Record<string, unknown>): Promise<void> {
    await this.writeTransition(this.view.state, this.event(type, actor, payload), {}, false)
  }

  /** What a log line calls the run ("credit note" in the subclass). */
  protected readonly kind: string = 'invoice'

  /** Writes a transition or a view change: the invoice row, the run's read-model row and the event, in one local activity. */
  protected async writeTransition(state: InvoiceState, event: InvoiceEventInput, extra: { approvedBy?: string; voidReason?: string; continuedFromRunId?: string }, withPreview: boolean): Promise<void> {
    await recordTransition({
      ...extra,
      ...(this.view.payment ? { paymentStatus: this.view.payment.status } : {}),
      invoiceId: this.view.invoiceId,
      state,
      at: new Date().toISOString(),
      event,
      run: this.runRow(withPreview),
    })
  }

  /** The actions in progress get their outcome: the workflow has acted on them. */
  settle(): void {
    for (const action of this.inProgress.splice(0)) action.settled = { outcome: this.outcome(action) }
  }

  protected outcome(action: TakenAction): ActionOutcome {
    const { view } = this
    return {
      action: action.name,
      previousState: action.previousState,
      state: view.state,
      invoiceId: view.invoiceId,
      invoiceNumber: view.invoiceNumber,
      pdfVersion: view.pdfVersion,
      fingerprint: view.preview?.sourceFingerprint ?? null,
      total: view.preview?.total ?? null,
      currency: view.preview?.currency ?? null,
      attention: view.attention,
      ...(view.payment ? { payment: view.payment } : {}),
    }
  }

  /** The read-model row (invoice_runs): the view without the preview, unless it changed. */
  private runRow(withPreview: boolean): RunViewInput {
    const { preview, ...view } = this.view
    const info = workflowInfo()
    return {
      workflowId: info.workflowId,
      workflowRunId: info.runId,
      startedAt: info.startTime.toISOString(),
      nextActor: NEXT_ACTOR_BY_STATE[view.state],
      currency: preview?.currency ?? null,
      total: preview?.total ?? null,
      view,
      ...(withPreview ? { preview } : {}),
    }
  }

  /** Search attributes operators filter by, and the current details Temporal Web shows. */
  publish(): void {
    const { view } = this
    upsertSearchAttributes([
      { key: invoiceStatusKey, value: view.state },
      { key: dealIdKey, value: view.dealId },
      { key: billingPeriodKey, value: view.period },
      ...(view.customerId ? [{ key: customerIdKey, value: view.customerId }] : []),
      ...(view.invoiceNumber ? [{ key: invoiceNumberKey, value: view.invoiceNumber }] : []),
      ...(view.payment ? [{ key: paymentStatusKey, value: view.payment.status }] : []),
      ...(view.payment?.dueDate ? [{ key: dueDateKey, value: new Date(`${view.payment.dueDate}T00:00:00Z`) }] : []),
    ])
    const next = NEXT_ACTOR_BY_STATE[view.state]
    setCurrentDetails(
      [
        `**${view.state}**${next ? ` — waiting for the ${next}` : ''}`,
        `deal ${view.dealId}, period ${view.period}${view.customerId ? `, customer ${view.customerId}` : ''}`,
        ...(view.invoiceNumber ? [`number ${view.invoiceNumber}`] : []),
        ...(view.preview ? [`total ${view.preview.total} ${view.preview.currency}`] : []),
        ...(view.attention ? [`needs attention at ${view.attention.step}: ${view.attention.reason}`] : []),
        ...(view.payment ? [`${view.payment.status}: due ${view.payment.due} of ${view.payment.total}${view.payment.dueDate ? ` (due date ${view.payment.dueDate})` : ''}`] : []),
      ].join('\n\n'),
    )
  }
}

/** A refusal as the Update's failure: its type is the stable code, its details the state. */
function refusalFailure(action: InvoiceActionName, problem: Problem, state: InvoiceState): ApplicationFailure {
  return ApplicationFailure.create({ type: problem.code, message: problem.message, nonRetryable: true, details: [{ action, state }] })
}
