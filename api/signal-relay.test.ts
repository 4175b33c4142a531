import { Client, Connection } from '@temporalio/client'
import type { TestWorkflowEnvironment } from '@temporalio/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { insertSignalRequest } from '../db/signal-requests.js'
import { createDatabase, type Database } from '../lib/database.js'
import { createLogger } from '../lib/logger.js'
import { testDatabaseUrl } from '../test-support/env.js'
import { connectTestEnvironment, uniqueName } from '../test-support/temporal.js'
import { freePort } from '../test-support/temporal-server.js'
import { SignalRelay } from './signal-relay.js'

/**
 * The relay against the real Temporal server and PostgreSQL. The workflows run on a task queue
 * no worker polls, so every signal Temporal accepts stays in the history, where it is counted.
 */
describe('SignalRelay', () => {
  let env: TestWorkflowEnvironment
  let db: Database
  const logs: string[] = []
  const logger = createLogger({ level: 'INFO', format: 'json' }, (line) => logs.push(line))
  const taskQueue = uniqueName('relay-no-worker')

  beforeAll(async () => {
    env = await connectTestEnvironment()
    db = createDatabase(testDatabaseUrl())
  })
  afterAll(async () => {
    await db.$disconnect()
    await env.teardown()
  })

  async function startWorkflow(): Promise<{ workflowId: string; runId: string }> {
    const workflowId = uniqueName('relay')
    const handle = await env.client.workflow.start('invoiceWorkflow', { taskQueue, workflowId, args: [{ dealId: 'APP-RELAY', period: '2026-10', startedBy: 'test' }] })
    return { workflowId, runId: handle.firstExecutionRunId }
  }

  /** The signals the run's history holds: name and argument, in order. */
  async function signalsIn(workflowId: string): Promise<{ name: string; args: unknown }[]> {
    const history = await env.client.workflow.getHandle(workflowId).fetchHistory()
    return (history.events ?? [])
      .filter((e) => e.workflowExecutionSignaledEventAttributes)
      .map((e) => {
        const attributes = e.workflowExecutionSignaledEventAttributes!
        return { name: attributes.signalName!, args: env.client.options.loadedDataConverter.payloadConverter.fromPayload(attributes.input!.payloads![0]!) }
      })
  }

  const request = (target: { workflowId: string; runId: string }, reason = 'test') => ({
    workflowId: target.workflowId,
    workflowRunId: target.runId,
    signal: 'cancel',
    args: { actor: 'alice', reason },
    actor: 'alice',
  })

  it('delivers a queued signal once, with its argument, and marks it delivered', async () => {
    const relay = new SignalRelay({ db, client: env.client, logger })
    const target = await startWorkflow()
    const queued = await relay.queue(request(target, 'duplicate'))
    await relay.stop()
    expect(await db.invoiceSignalRequest.findUniqueOrThrow({ where: { id: queued.id } })).toMatchObject({ status: 'delivered', deliveredAt: expect.any(Date), lastError: null })
    expect(await signalsIn(target.workflowId)).toEqual([{ name: 'cancel', args: { actor: 'alice', reason: 'duplicate' } }])
  })

  it('a request delivered again (a crash before it was marked) reaches the workflow once', async () => {
    const relay = new SignalRelay({ db, client: env.client, logger })
    const target = await startWorkflow()
    const queued = await relay.queue(request(target))
    await relay.stop()
    // As if the process had died after Temporal took it and before the row was updated.
    await db.invoiceSignalRequest.update({ where: { id: queued.id }, data: { status: 'pending', deliveredAt: null, claimedUntil: new Date(Date.now() - 1000) } })
    await new SignalRelay({ db, client: env.client, logger }).sweep()
    expect(await db.invoiceSignalRequest.findUniqueOrThrow({ where: { id: queued.id } })).toMatchObject({ status: 'delivered', attempts: 2 })
    expect(await signalsIn(target.workflowId)).toHaveLength(1)
  })

  it('the sweep delivers what a crashed process left, in the order accepted, and two relays never take the same request', async () => {
    const targets = await Promise.all(Array.from({ length: 4 }, () => startWorkflow()))
    const left = []
    for (let i = 0; i < 5; i++) {
      for (const target of targets) left.push((await insertSignalRequest(db, request(target, `reason ${i}`), -1000)).request)
    }
    const relays = [new SignalRelay({ db, client: env.client, logger, batchSize: 3 }), new SignalRelay({ db, client: env.client, logger, batchSize: 3 })]
    await Promise.all(relays.map((relay) => relay.sweep()))
    const rows = await db.invoiceSignalRequest.findMany({ where: { id: { in: left.map((r) => r.id) } } })
    // The first of each invoice was claimed by the insert with a lease already over, as if its process had died.
    expect(rows.map((r) => [r.status, r.attempts]).sort()).toEqual(rows.map((r, i) => ['delivered', i < targets.length ? 2 : 1]).sort())
    for (const target of targets) {
      expect((await signalsIn(target.workflowId)).map((s) => (s.args as { reason: string }).reason)).toEqual([0, 1, 2, 3, 4].map((i) => `reason ${i}`))
    }
  })

  it("a second request for an invoice whose first is still pending waits for it, then the sweep delivers it", async () => {
    const relay = new SignalRelay({ db, client: env.client, logger })
    const target = await startWorkflow()
    const first = await relay.queue(request(target, 'first'))
    const second = await relay.queue(request(target, 'second'))
    await relay.stop()
    expect(await db.invoiceSignalRequest.findUniqueOrThrow({ where: { id: second.id } })).toMatchObject({ status: 'pending', attempts: 0, claimedUntil: null })
    await new SignalRelay({ db, client: env.client, logger }).sweep()
    expect((await db.invoiceSignalRequest.findMany({ where: { id: { in: [first.id, second.id] } } })).map((r) => r.status)).toEqual(['delivered', 'delivered'])
    expect((await signalsIn(target.workflowId)).map((s) => (s.args as { reason: string }).reason)).toEqual(['first', 'second'])
  })

  it('beyond maxImmediate deliveries in flight, a new request is left to the sweep', async () => {
    const relay = new SignalRelay({ db, client: env.client, logger, maxImmediate: 0 })
    const target = await startWorkflow()
    const queued = await relay.queue(request(target))
    await relay.stop()
    expect(await db.invoiceSignalRequest.findUniqueOrThrow({ where: { id: queued.id } })).toMatchObject({ status: 'pending', attempts: 0, claimedUntil: null })
    await new SignalRelay({ db, client: env.client, logger }).sweep()
    expect(await db.invoiceSignalRequest.findUniqueOrThrow({ where: { id: queued.id } })).toMatchObject({ status: 'delivered', attempts: 1 })
    expect(await signalsIn(target.workflowId)).toHaveLength(1)
  })

  it('while Temporal is unreachable the request stays pending with the error, and is delivered once it is back', async () => {
    const target = await startWorkflow()
    const unreachable = new Client({ connection: Connection.lazy({ address: `127.0.0.1:${await freePort()}`, connectTimeout: 500, interceptors: [] }), namespace: env.namespace })
    const down = new SignalRelay({ db, client: unreachable, logger })
    const queued = await down.queue(request(target))
    await down.stop()
    const pending = await db.invoiceSignalRequest.findUniqueOrThrow({ where: { id: queued.id } })
    expect(pending).toMatchObject({ status: 'pending', attempts: 1, lastError: expect.any(String) })
    expect(pending.claimedUntil!.getTime()).toBeGreaterThan(Date.now())
    expect(logs.some((l) => l.includes('will retry') && l.includes(queued.id))).toBe(true)

    await db.invoiceSignalRequest.update({ where: { id: queued.id }, data: { claimedUntil: new Date(Date.now() - 1) } })
    await new SignalRelay({ db, client: env.client, logger }).sweep()
    expect(await db.invoiceSignalRequest.findUniqueOrThrow({ where: { id: queued.id } })).toMatchObject({ status: 'delivered', attempts: 2 })
    expect(await signalsIn(target.workflowId)).toHaveLength(1)
  })

  it('a signal to a run that has ended is marked failed and recorded in the invoice history', async () => {
    const target = await startWorkflow()
    await env.client.workflow.getHandle(target.workflowId).terminate('test')
    const relay = new SignalRelay({ db, client: env.client, logger })
    const queued = await relay.queue(request(target))
    await relay.stop()
    expect(await db.invoiceSignalRequest.findUniqueOrThrow({ where: { id: queued.id } })).toMatchObject({ status: 'failed', lastError: expect.stringMatching(/completed|not found/i) })
    const events = await db.invoiceEvent.findMany({ where: { workflowId: target.workflowId } })
    expect(events).toEqual([expect.objectContaining({ type: 'signal_undelivered', actor: 'alice', payload: expect.objectContaining({ signal: 'cancel', signalRequestId: queued.id }) })])
  })
})
