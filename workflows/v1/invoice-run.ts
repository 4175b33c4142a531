import { condition, log, patched, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow'
import type { InvoiceEventInput } from '../../db/append-event.js'
import { database, localDatabase } from './activity-proxies.js'
import {
  SIGNALS_BY_STATE,
  type InvoiceSignalName,
  type InvoiceState,
  type InvoiceView,
  type StartInvoiceInput,
} from './contract.js'
import { billingPeriodKey, customerIdKey, dealIdKey, invoiceNumberKey, invoiceStatusKey } from '../search-attributes.js'

/**
 * Where transitions and events are written: local activities since the `local-event-writes`
 * patch; runs that started before it keep the regular activities their histories recorded.
 */
function eventWriter(): typeof database {
  return patched('local-event-writes') ? localDatabase : database
}

export interface ReceivedSignal {
  name: InvoiceSignalName
  actor: string
  payload: Record<string, unknown>
}

/**
 * The state of one invoice run: what the query shows, the signals waiting to be handled, and
 * the events waiting to be written. Events get idempotency keys from the run id and a
 * sequence number, so a retried write never duplicates one.
 */
export class InvoiceRun {
  readonly view: InvoiceView
  private readonly inbox: ReceivedSignal[] = []
  private readonly outbox: InvoiceEventInput[] = []
  private eventSeq = 0
  private writing = false

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
      confirmedBy: null,
      approvedBy: null,
      lastRefusal: null,
      attention: null,
      dispatch: {},
      cancelReason: null,
    }
  }

  get state(): InvoiceState {
    return this.view.state
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

  /** Queues an event; the writer loop appends it (refusals are recorded this way). */
  queueEvent(type: string, actor: string, payload: Record<string, unknown> = {}): InvoiceEventInput {
    const event = this.event(type, actor, payload)
    this.outbox.push(event)
    return event
  }

  /** Writes queued events one by one, in order, for the whole run. */
  async writeEventsForever(): Promise<never> {
    for (;;) {
      await condition(() => this.outbox.length > 0)
      this.writing = true
      await eventWriter().recordEvent(this.outbox[0]!)
      this.outbox.shift()
      this.writing = false
    }
  }

  /** Waits until every queued event is written (before the run ends). */
  async drainEvents(): Promise<void> {
    await condition(() => this.outbox.length === 0 && !this.writing)
  }

  /** Moves to `state`: search attributes for Temporal Web and the transition event. */
  async moveTo(state: InvoiceState, actor: string, extra: Omit<Parameters<typeof database.recordTransition>[0], 'event' | 'state' | 'at'> & { payload?: Record<string, unknown> } = {}): Promise<void> {
    const from = this.view.state
    this.view.state = state
    this.upsertSearchAttributes()
    const { payload, ...rest } = extra
    await eventWriter().recordTransition({
      ...rest,
      invoiceId: this.view.invoiceId,
      state,
      at: new Date().toISOString(),
      event: this.event(`state_${state}`, actor, { from, ...payload }),
    })
    log.info('invoice state', { from, to: state, invoiceId: this.view.invoiceId ?? undefined, invoiceNumber: this.view.invoiceNumber ?? undefined })
  }

  upsertSearchAttributes(): void {
    upsertSearchAttributes([
      { key: invoiceStatusKey, value: this.view.state },
      { key: dealIdKey, value: this.view.dealId },
      { key: billingPeriodKey, value: this.view.period },
      ...(this.view.customerId ? [{ key: customerIdKey, value: this.view.customerId }] : []),
      ...(this.view.invoiceNumber ? [{ key: invoiceNumberKey, value: this.view.invoiceNumber }] : []),
    ])
  }

  /**
   * A signal as it arrives: refused at once (recorded, shown in the query) when the current
   * state cannot take it or it fails `check`, queued otherwise.
   */
  receive(signal: ReceivedSignal, check?: () => { code: string; message: string } | null): void {
    const problem = this.checkAllowed(signal) ?? check?.() ?? null
    if (problem) this.refuse(signal, problem.code, problem.message)
    else this.inbox.push(signal)
  }

  /**
   * The next queued signal among `allowed`, or null after `timeoutMs`. A queued signal the
   * state can no longer take (another signal changed it first) is refused.
   */
  async next(allowed: readonly InvoiceSignalName[], timeoutMs?: number): Promise<ReceivedSignal | null> {
    for (;;) {
      if (timeoutMs === undefined) await condition(() => this.inbox.length > 0)
      else if (!(await condition(() => this.inbox.length > 0, timeoutMs))) return null
      const signal = this.inbox.shift()!
      if (allowed.includes(signal.name)) return signal
      this.refuse(signal, 'WRONG_STATE', `"${signal.name}" cannot be taken while the invoice is ${this.view.state}`)
    }
  }

  refuse(signal: ReceivedSignal, code: string, message: string): void {
    this.view.lastRefusal = { signal: signal.name, actor: signal.actor, code, message, state: this.view.state, at: new Date().toISOString() }
    this.queueEvent('signal_refused', signal.actor || 'unknown', { signal: signal.name, code, message })
    log.warn('signal refused', { signal: signal.name, code, message })
  }

  private checkAllowed(signal: ReceivedSignal): { code: string; message: string } | null {
    if (typeof signal.actor !== 'string' || signal.actor.trim() === '') {
      return { code: 'INVALID_INPUT', message: `"${signal.name}" needs an actor` }
    }
    if (!SIGNALS_BY_STATE[this.view.state].includes(signal.name)) {
      return { code: 'WRONG_STATE', message: `"${signal.name}" cannot be taken while the invoice is ${this.view.state}` }
    }
    return null
  }
}
