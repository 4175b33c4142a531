import { patched, workflowInfo } from '@temporalio/workflow'
import type { InvoiceWorkflowSettings } from '../activities/invoice.js'
import type { PrefillOutcome } from '../activities/prefill.js'
import type { InvoiceView } from './invoice-contract.js'

/**
 * The bound on one run's history: at a long wait (refreshes awaiting confirmation, reminders
 * awaiting approval, polling Didox for the buyer's answer, following payment) a run whose
 * history has reached this many events continues as new, carrying its state. An invoice then
 * lives as a chain of runs under one workflow id, none much longer than this (the wait's next
 * turn adds at most a few dozen events). Temporal suggests continuing at 4k-10k events; a
 * smaller run replays faster when a worker picks it up cold.
 */
export const HISTORY_EVENTS_BOUND = 2_000

/** Runs from before the bound keep going as they did (replay of their histories). */
export const CONTINUE_AS_NEW_PATCH = 'continue-as-new-at-bound'

/** Where a continued run picks up. */
export type ResumeStage = 'awaiting_confirmation' | 'awaiting_approval' | 'awaiting_buyer' | 'following_payment'

/** Polling Didox for the buyer's answer, where the previous run left it. */
export interface BuyerWait {
  documentId: string
  /** When the polling began (epoch ms): the 10-day silence rule counts from it. */
  since: number
  intervalMs: number
  lastMeaning: string
}

/** What a run hands to the next one: the whole state the workflow keeps between its steps. */
export interface InvoiceResume {
  stage: ResumeStage
  view: InvoiceView
  settings: InvoiceWorkflowSettings
  sources: Omit<PrefillOutcome, 'preview'>
  buyer?: BuyerWait
  /** The run this one continues (its read-model and invoice rows move to the new run). */
  previousRunId: string
  /** Runs before this one in the chain. */
  runsBefore: number
}

/** Whether this run's history reached the bound (or Temporal suggests continuing) and may continue now. */
export function historyReachedBound(bound: number): boolean {
  const info = workflowInfo()
  if (info.historyLength < bound && !info.continueAsNewSuggested) return false
  // Asked only once the bound is reached: a replayed history from before the patch never continued.
  return patched(CONTINUE_AS_NEW_PATCH)
}
