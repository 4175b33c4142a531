import { isGrpcServiceError, ServiceError, type Client } from '@temporalio/client'
import type { Logger } from '@temporalio/common'
import type { Database } from '../lib/database.js'
import {
  claimSignalRequests,
  deferSignalRequest,
  failSignalRequest,
  insertSignalRequest,
  markSignalDelivered,
  type SignalRequestInput,
  type SignalRequestRow,
} from '../db/signal-requests.js'

const GRPC_NOT_FOUND = 5

export interface SignalRelayOptions {
  db: Database
  client: Client
  logger: Logger
  /** How long a relay owns a request it is delivering before another may take it over. */
  leaseMs?: number
  /** How often pending requests are looked for (left by a crash, or waiting for a retry). */
  sweepMs?: number
  /** Requests one sweep claims and delivers side by side. */
  batchSize?: number
  /** Deliveries started at once by `queue`; beyond this, new requests wait for the sweep. */
  maxImmediate?: number
}

/**
 * Hands the signals the API accepted (stored in PostgreSQL first, db/signal-requests.ts) to
 * Temporal, each invoice's in the order accepted. The process that queued a signal delivers it
 * right after answering (unless an earlier one of the same invoice is still pending); a sweep
 * every `sweepMs` takes whatever is left (a crash, Temporal down) with a growing delay.
 * Each delivery carries the request's id as Temporal's signal request id, so a second
 * delivery of the same request (the process died between Temporal's ack and marking it
 * delivered) is dropped by Temporal: the workflow sees every accepted signal exactly once.
 * A signal to a run that has ended is marked failed and recorded in the invoice's history.
 */
export class SignalRelay {
  private readonly leaseMs: number
  private readonly sweepMs: number
  private readonly batchSize: number
  private readonly maxImmediate: number
  private readonly deliveries = new Set<Promise<void>>()
  private sweeping: Promise<void> | null = null
  private timer: NodeJS.Timeout | undefined
  private stopped = false

  constructor(private readonly options: SignalRelayOptions) {
    this.leaseMs = options.leaseMs ?? 30_000
    this.sweepMs = options.sweepMs ?? 1_000
    this.batchSize = options.batchSize ?? 50
    this.maxImmediate = options.maxImmediate ?? 16
  }

  /**
   * Stores the request (the caller's promise to the user) and, when it is its invoice's only
   * pending one, starts delivering it; one queued behind another, or beyond `maxImmediate`
   * deliveries in flight (a burst, or Temporal slow), is left to the sweep.
   */
  async queue(input: SignalRequestInput): Promise<SignalRequestRow> {
    const hold = !this.stopped && this.deliveries.size < this.maxImmediate
    const { request, claimed } = await insertSignalRequest(this.options.db, input, hold ? this.leaseMs : null)
    if (claimed && !this.stopped) this.track(this.deliver(request))
    return request
  }

  /** Starts the periodic sweep (the API process does; tests may sweep by hand). */
  start(): void {
    this.timer ??= setInterval(() => void this.sweep(), this.sweepMs)
    this.timer.unref()
  }

  /** Stops sweeping and waits for the deliveries in flight; what is left stays pending. */
  async stop(): Promise<void> {
    this.stopped = true
    clearInterval(this.timer)
    await Promise.allSettled([...this.deliveries, this.sweeping])
  }

  /** Delivers every pending request nobody holds, oldest first, until none is left. */
  sweep(): Promise<void> {
    if (this.stopped) return Promise.resolve()
    this.sweeping ??= this.drain()
      .catch((err: unknown) => this.options.logger.warn('signal relay sweep failed', { error: errorMessage(err) }))
      .finally(() => (this.sweeping = null))
    return this.sweeping
  }

  private async drain(): Promise<void> {
    while (!this.stopped) {
      // At most one request per invoice per claim (its oldest), so invoices go side by side.
      const requests = await claimSignalRequests(this.options.db, this.batchSize, this.leaseMs)
      if (requests.length === 0) return
      await Promise.all(requests.map((request) => this.deliver(request)))
    }
  }

  private async deliver(request: SignalRequestRow): Promise<void> {
    const { db, client, logger } = this.options
    const context = { workflowId: request.workflowId, runId: request.workflowRunId, signal: request.signal, signalRequestId: request.id }
    try {
      await client.workflowService.signalWorkflowExecution({
        namespace: client.options.namespace,
        workflowExecution: { workflowId: request.workflowId, runId: request.workflowRunId },
        signalName: request.signal,
        input: { payloads: [client.options.loadedDataConverter.payloadConverter.toPayload(request.args)] },
        identity: client.options.identity,
        requestId: request.id,
      })
    } catch (err) {
      const message = errorMessage(err)
      if (isRunGone(err)) {
        logger.warn('signal not delivered: the workflow run has ended', { ...context, error: message })
        await failSignalRequest(db, request, message).catch((dbErr: unknown) => logger.warn('signal request not updated', { ...context, error: errorMessage(dbErr) }))
        return
      }
      const retryInMs = Math.min(60_000, 500 * 2 ** Math.min(request.attempts, 7))
      logger.warn('signal not delivered yet; will retry', { ...context, attempts: request.attempts, retryInMs, error: message })
      await deferSignalRequest(db, request.id, message, retryInMs).catch(() => undefined)
      return
    }
    // If this write fails, the lease runs out and the request is delivered again: Temporal
    // drops the repeat by its request id.
    await markSignalDelivered(db, request.id).catch((err: unknown) => logger.warn('signal delivered but not marked', { ...context, error: errorMessage(err) }))
  }

  private track(delivery: Promise<void>): void {
    this.deliveries.add(delivery)
    void delivery.finally(() => this.deliveries.delete(delivery))
  }
}

/** NOT_FOUND for the execution: the run has completed, was terminated, or never existed. */
function isRunGone(err: unknown): boolean {
  const cause = err instanceof ServiceError ? err.cause : err
  return isGrpcServiceError(cause) ? cause.code === GRPC_NOT_FOUND && !/namespace/i.test(cause.details ?? '') : false
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}
