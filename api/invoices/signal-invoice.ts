import type { Client, WorkflowHandle } from '@temporalio/client'
import type { PreviewEdits } from '../../billing/types.js'
import { readSettings } from '../../db/settings.js'
import type { Database } from '../../lib/database.js'
import type { SignalDefinition } from '@temporalio/common'
import type { Prisma } from '../../generated/prisma/client.js'
import {
  approveSignal,
  cancelSignal,
  confirmSignal,
  getInvoiceQuery,
  refreshSignal,
  rejectSignal,
  retrySignal,
  INVOICE_STATES,
  SIGNALS_BY_STATE,
  skipSignal,
  type ActorInput,
  type ConfirmInput,
  type InvoiceSignalName,
  type InvoiceState,
  type InvoiceView,
  type ReasonInput,
  type Refusal,
} from '../../workflows/invoice-contract.js'
import type { SignalRelay } from '../signal-relay.js'
import { ApiError, type ErrorCode } from '../errors.js'
import { isQueryUnanswered, loadInvoiceState, type LoadedInvoice } from './load-invoice-state.js'

export type SignalRequest =
  | { signal: 'confirm'; fingerprint: string; edits?: PreviewEdits }
  | { signal: 'refresh' | 'approve' | 'retry' }
  | { signal: 'reject' | 'cancel' | 'skip'; reason: string }

export interface SignalOutcome {
  id: string
  runId: string
  signal: InvoiceSignalName
  /**
   * `applied`: the state moved on within the wait; `sent`: delivered, no visible reaction yet;
   * `queued`: stored in PostgreSQL and being handed to Temporal (respond-async).
   */
  outcome: 'applied' | 'sent' | 'queued'
  previousState: InvoiceState
  state: InvoiceState
  /** With `queued`: the stored request (its delivery is in the invoice's `pendingSignals`). */
  signalRequestId?: string
}

export interface SignalOptions {
  client: Client
  db: Database
  workflowId: string
  request: SignalRequest
  /** The authenticated user (or `operator:<name>` from the CLI). */
  actor: string
  queryTimeoutMs: number
  /** How long to watch for the workflow's reaction; 0 returns as soon as the signal is sent. */
  waitMs: number
  /**
   * With `waitMs` 0, signals other than confirm are stored and handed to Temporal by the relay
   * in the background, so the answer does not wait for Temporal (docs/api.md, Decisions).
   */
  relay?: SignalRelay
}

/** What the pre-signal check looks at, from the workflow or from what is stored. */
interface SignalTarget {
  runId: string
  state: InvoiceState
  /** Temporal's status of the run (RUNNING, COMPLETED, TERMINATED, ...). */
  runStatus: string
  confirmedBy: string | null
  /** The live preview, when the workflow answered (a confirm's fingerprint is checked against it). */
  preview: InvoiceView['preview']
}

/**
 * Sends a signal to an invoice on behalf of `actor`, after checking what the API can see
 * (state, stale fingerprint, blocking errors, maker-checker), so the common mistakes get a
 * precise 4xx instead of a silent refusal. The workflow remains the authority: it checks again,
 * and a refusal it records within `waitMs` is reported the same way. Unless queued (see
 * `relay`), the check reads the workflow's live view, or what is stored when no worker answers.
 */
export async function signalInvoice(options: SignalOptions): Promise<SignalOutcome> {
  if (options.waitMs === 0 && options.relay && options.request.signal !== 'confirm') return queueSignal(options, options.relay)
  const before = await loadInvoiceState({
    client: options.client,
    db: options.db,
    workflowId: options.workflowId,
    timeoutMs: options.queryTimeoutMs,
  })
  if (!before) throw new ApiError('NOT_FOUND', `no invoice with id ${options.workflowId}`)
  await checkSignal(options, targetOf(before))

  const handle = options.client.workflow.getHandle(options.workflowId, before.description.runId)
  await sendSignal(handle, options.request, options.actor)
  const base = { id: options.workflowId, runId: before.description.runId, signal: options.request.signal, previousState: before.view.state }
  if (before.source !== 'workflow') return { ...base, outcome: 'sent', state: before.view.state }

  const after = await watchReaction(options, handle, before.view)
  const refusal = after?.lastRefusal
  if (refusal && isNewRefusal(refusal, before.view.lastRefusal, options.request.signal, options.actor)) throw buildRefusalError(refusal)
  const state = after?.state ?? before.view.state
  return { ...base, outcome: state !== before.view.state ? 'applied' : 'sent', state }
}

/**
 * The respond-async path: checked against PostgreSQL (the state the workflow last recorded),
 * stored, and answered; the relay hands it to Temporal. Nothing here waits for Temporal
 * unless PostgreSQL has no usable state (see readStoredTarget).
 */
async function queueSignal(options: SignalOptions, relay: SignalRelay): Promise<SignalOutcome> {
  const target = await readStoredTarget(options)
  if (!target) throw new ApiError('NOT_FOUND', `no invoice with id ${options.workflowId}`)
  await checkSignal(options, target)
  const request = await relay.queue({
    workflowId: options.workflowId,
    workflowRunId: target.runId,
    signal: options.request.signal,
    args: signalArgs(options.request, options.actor) as unknown as Prisma.InputJsonValue,
    actor: options.actor,
  })
  return { id: options.workflowId, runId: target.runId, signal: options.request.signal, outcome: 'queued', previousState: target.state, state: target.state, signalRequestId: request.id }
}

/**
 * The invoice's state as its workflow last recorded it in PostgreSQL (each transition writes
 * a `state_<state>` event in the same workflow task that changes the state). A state that takes
 * signals belongs to a running run. Temporal is asked instead when there is no such state: no
 * transition yet (still prefilling), or a final one (a newer run may have started since).
 */
async function readStoredTarget(options: SignalOptions): Promise<SignalTarget | null> {
  const event = await options.db.invoiceEvent.findFirst({
    where: { workflowId: options.workflowId, type: { startsWith: 'state_' } },
    orderBy: { id: 'desc' },
    select: { type: true, workflowRunId: true },
  })
  const state = INVOICE_STATES.find((s) => event?.type === `state_${s}`)
  if (event && state && SIGNALS_BY_STATE[state].length > 0) {
    const row = options.request.signal === 'approve' ? await options.db.invoice.findUnique({ where: { workflowRunId: event.workflowRunId }, select: { confirmedBy: true } }) : null
    return { runId: event.workflowRunId, state, runStatus: 'RUNNING', confirmedBy: row?.confirmedBy ?? null, preview: null }
  }
  const loaded = await loadInvoiceState({ client: options.client, db: options.db, workflowId: options.workflowId, timeoutMs: options.queryTimeoutMs, from: options.request.signal === 'approve' ? 'stored' : 'visibility' })
  return loaded ? targetOf(loaded) : null
}

function targetOf(loaded: LoadedInvoice): SignalTarget {
  const { view, description } = loaded
  return { runId: description.runId, state: view.state, runStatus: description.status.name, confirmedBy: view.confirmedBy, preview: loaded.source === 'workflow' ? view.preview : null }
}

async function checkSignal(options: SignalOptions, target: SignalTarget): Promise<void> {
  const { state, preview } = target
  const signal = options.request.signal
  if (target.runStatus !== 'RUNNING') {
    throw new ApiError('WRONG_STATE', `the invoice is ${state} and its workflow run is ${target.runStatus.toLowerCase()}: no signal can reach it`, { state })
  }
  if (!SIGNALS_BY_STATE[state].includes(signal)) {
    throw new ApiError('WRONG_STATE', `"${signal}" cannot be taken while the invoice is ${state}`, { state, allowedSignals: SIGNALS_BY_STATE[state] })
  }
  if (options.request.signal === 'confirm' && preview) {
    if (options.request.fingerprint !== preview.sourceFingerprint) {
      throw new ApiError('STALE_PREVIEW', 'the preview you confirmed is not the current one: reload it, check it, and confirm again', {
        state,
        currentFingerprint: preview.sourceFingerprint,
      })
    }
    if (preview.errors.length > 0) {
      throw new ApiError('PREVIEW_HAS_ERRORS', `the preview has blocking errors: ${preview.errors.map((e) => e.code).join(', ')}`, { state })
    }
  }
  if (signal === 'approve' && target.confirmedBy === options.actor && (await readSettings(options.db)).makerChecker) {
    throw new ApiError('MAKER_CHECKER', `${options.actor} confirmed this invoice and may not also approve it (maker-checker): another approver must`, { state })
  }
}

/** The signal's single argument, as the workflow receives it. */
function signalArgs(request: SignalRequest, actor: string): ActorInput | ConfirmInput | ReasonInput {
  switch (request.signal) {
    case 'confirm':
      return { actor, fingerprint: request.fingerprint, ...(request.edits ? { edits: request.edits } : {}) }
    case 'reject':
    case 'cancel':
    case 'skip':
      return { actor, reason: request.reason }
    default:
      return { actor }
  }
}

const SIGNAL_DEFINITIONS = { confirm: confirmSignal, refresh: refreshSignal, approve: approveSignal, retry: retrySignal, reject: rejectSignal, cancel: cancelSignal, skip: skipSignal }

async function sendSignal(handle: WorkflowHandle, request: SignalRequest, actor: string): Promise<void> {
  await handle.signal(SIGNAL_DEFINITIONS[request.signal] as SignalDefinition<[ActorInput]>, signalArgs(request, actor))
}

/** Polls the query until the state changes or the signal is refused, or the wait runs out. */
async function watchReaction(options: SignalOptions, handle: WorkflowHandle, before: InvoiceView): Promise<InvoiceView | null> {
  const deadline = Date.now() + options.waitMs
  let last: InvoiceView | null = null
  while (Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100))
    try {
      last = await options.client.withDeadline(Math.min(deadline, Date.now() + options.queryTimeoutMs), () => handle.query(getInvoiceQuery))
    } catch (err) {
      if (isQueryUnanswered(err)) return last
      throw err
    }
    if (last.state !== before.state) return last
    if (last.lastRefusal && isNewRefusal(last.lastRefusal, before.lastRefusal, options.request.signal, options.actor)) return last
  }
  return last
}

function isNewRefusal(refusal: Refusal, previous: Refusal | null, signal: InvoiceSignalName, actor: string): boolean {
  return refusal.signal === signal && refusal.actor === actor && JSON.stringify(refusal) !== JSON.stringify(previous)
}

/** The refusal codes the workflow uses (Refusal.code), each with its row in the error table. */
const REFUSAL_CODES = ['WRONG_STATE', 'STALE_PREVIEW', 'PREVIEW_HAS_ERRORS', 'MAKER_CHECKER', 'INVALID_EDIT', 'INVALID_INPUT', 'NOT_SKIPPABLE'] as const satisfies readonly ErrorCode[]

/** A refusal the workflow recorded, as the API error of the same code (unknown codes: 409). */
function buildRefusalError(refusal: Refusal): ApiError {
  const code = REFUSAL_CODES.find((c) => c === refusal.code) ?? 'CONFLICT'
  return new ApiError(code, `the workflow refused "${refusal.signal}": ${refusal.message}`, { state: refusal.state, refusal })
}
