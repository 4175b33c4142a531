import type { Client, WorkflowHandle } from '@temporalio/client'
import type { PreviewEdits } from '../../billing/types.js'
import { readSettings } from '../../db/settings.js'
import type { Database } from '../../lib/database.js'
import {
  approveSignal,
  cancelSignal,
  confirmSignal,
  getInvoiceQuery,
  refreshSignal,
  rejectSignal,
  retrySignal,
  SIGNALS_BY_STATE,
  skipSignal,
  type InvoiceSignalName,
  type InvoiceState,
  type InvoiceView,
  type Refusal,
} from '../../workflows/invoice-contract.js'
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
  /** `applied`: the state moved on within the wait; `sent`: delivered, no visible reaction yet. */
  outcome: 'applied' | 'sent'
  previousState: InvoiceState
  state: InvoiceState
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
}

/**
 * Sends a signal to an invoice on behalf of `actor`, after checking what the API can see
 * (state, stale fingerprint, blocking errors, maker-checker), so the common mistakes get a
 * precise 4xx instead of a silent refusal. The workflow remains the authority: it checks again,
 * and a refusal it records within `waitMs` is reported the same way.
 */
export async function signalInvoice(options: SignalOptions): Promise<SignalOutcome> {
  const before = await loadInvoiceState({
    client: options.client,
    db: options.db,
    workflowId: options.workflowId,
    timeoutMs: options.queryTimeoutMs,
    from: stateSourceFor(options),
  })
  if (!before) throw new ApiError('NOT_FOUND', `no invoice with id ${options.workflowId}`)
  await checkSignal(options, before)

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
 * What the pre-signal check reads. A client that does not wait for the reaction (respond-async)
 * gets the cheaper check from what is stored: the search attributes carry the state, and only
 * maker-checker needs PostgreSQL (who confirmed). A confirm always needs the live preview's
 * fingerprint, and a waiting client the workflow's view to compare the reaction with.
 */
function stateSourceFor(options: SignalOptions): 'workflow' | 'stored' | 'visibility' {
  if (options.waitMs > 0 || options.request.signal === 'confirm') return 'workflow'
  return options.request.signal === 'approve' ? 'stored' : 'visibility'
}

async function checkSignal(options: SignalOptions, before: LoadedInvoice): Promise<void> {
  const { view, description } = before
  const signal = options.request.signal
  if (description.status.name !== 'RUNNING') {
    throw new ApiError('WRONG_STATE', `the invoice is ${view.state} and its workflow run is ${description.status.name.toLowerCase()}: no signal can reach it`, { state: view.state })
  }
  if (!SIGNALS_BY_STATE[view.state].includes(signal)) {
    throw new ApiError('WRONG_STATE', `"${signal}" cannot be taken while the invoice is ${view.state}`, { state: view.state, allowedSignals: SIGNALS_BY_STATE[view.state] })
  }
  if (options.request.signal === 'confirm' && before.source === 'workflow' && view.preview) {
    if (options.request.fingerprint !== view.preview.sourceFingerprint) {
      throw new ApiError('STALE_PREVIEW', 'the preview you confirmed is not the current one: reload it, check it, and confirm again', {
        state: view.state,
        currentFingerprint: view.preview.sourceFingerprint,
      })
    }
    if (view.preview.errors.length > 0) {
      throw new ApiError('PREVIEW_HAS_ERRORS', `the preview has blocking errors: ${view.preview.errors.map((e) => e.code).join(', ')}`, { state: view.state })
    }
  }
  if (signal === 'approve' && view.confirmedBy === options.actor && (await readSettings(options.db)).makerChecker) {
    throw new ApiError('MAKER_CHECKER', `${options.actor} confirmed this invoice and may not also approve it (maker-checker): another approver must`, { state: view.state })
  }
}

async function sendSignal(handle: WorkflowHandle, request: SignalRequest, actor: string): Promise<void> {
  switch (request.signal) {
    case 'confirm':
      return handle.signal(confirmSignal, { actor, fingerprint: request.fingerprint, ...(request.edits ? { edits: request.edits } : {}) })
    case 'refresh':
      return handle.signal(refreshSignal, { actor })
    case 'approve':
      return handle.signal(approveSignal, { actor })
    case 'retry':
      return handle.signal(retrySignal, { actor })
    case 'reject':
      return handle.signal(rejectSignal, { actor, reason: request.reason })
    case 'cancel':
      return handle.signal(cancelSignal, { actor, reason: request.reason })
    case 'skip':
      return handle.signal(skipSignal, { actor, reason: request.reason })
  }
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
