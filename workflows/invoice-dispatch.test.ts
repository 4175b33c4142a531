import { ListObjectsV2Command } from '@aws-sdk/client-s3'
import type { WorkflowHandle } from '@temporalio/client'
import type { TestWorkflowEnvironment } from '@temporalio/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createR2Client } from '../clients/r2.js'
import { buildInvoiceMessageId } from '../dispatch/send-invoice-email.js'
import { SAMPLE_DEALS } from '../sources/generate/catalog.js'
import { crashingAfterWork, runInvoiceWorker, waitFor, type InvoiceTestEnv, type RunningInvoiceWorker } from '../test-support/invoice-env.js'
import { connectTestEnvironment, uniqueName } from '../test-support/temporal.js'
import { act, refusalOf, untilDelivered } from '../test-support/invoice-actions.js'
import { recordHistory } from '../test-support/record-history.js'
import { getInvoiceQuery, type InvoiceView } from './invoice-contract.js'
import { invoiceWorkflow } from './invoice-workflow.js'

const mailpit = (process.env.MAILPIT_URL ?? 'http://127.0.0.1:8025').replace(/\/+$/, '')

/**
 * The steps after approval, on the real services and the fakes: each effect exactly once
 * although answers are lost and workers die after the remote call, permanent refusals parked
 * in needs_attention until retry or skip, outages outlasted.
 */
describe('dispatch: exactly once, needs_attention, outages', { timeout: 180_000 }, () => {
  let env: TestWorkflowEnvironment
  let inv: InvoiceTestEnv
  let worker: RunningInvoiceWorker
  const taskQueue = uniqueName('dispatch')
  /** Activities that "die" after doing their work: the next N calls run, then throw. */
  const crashAfterWork: Record<string, number> = {}

  beforeAll(async () => {
    env = await connectTestEnvironment()
    const crashing = crashingAfterWork(['syncPlanFact', 'uploadPdfToR2', 'sendInvoiceEmail', 'createDidoxDraft'], crashAfterWork)
    worker = await runInvoiceWorker(env, 'invoice-dispatch', { taskQueue, replace: crashing })
    inv = worker.inv
  })
  afterAll(async () => {
    await worker?.stop()
    await env?.teardown()
  })

  const view = (h: WorkflowHandle) => h.query(getInvoiceQuery)
  const until = (h: WorkflowHandle, ready: (v: InvoiceView) => boolean) => waitFor(() => view(h), ready, 90_000)

  async function approved(dealId: string, period: string): Promise<{ h: WorkflowHandle<typeof invoiceWorkflow>; approving: InvoiceView }> {
    const h = await env.client.workflow.start(invoiceWorkflow, {
      taskQueue,
      workflowId: uniqueName(`invoice:${dealId}:${period}`),
      args: [{ dealId, period, startedBy: 'alice' }],
    })
    const preview = (await until(h, (v) => v.state === 'awaiting_confirmation')).preview!
    await act(h, 'confirm', { actor: 'alice', fingerprint: preview.sourceFingerprint })
    const approving = await view(h)
    await act(h, 'approve', { actor: 'bob', pdfVersion: approving.pdfVersion! })
    return { h, approving }
  }

  async function emailsWithMessageId(messageId: string): Promise<number> {
    const query = encodeURIComponent(`message-id:${messageId.replace(/[<>]/g, '')}`)
    const res = await fetch(`${mailpit}/api/v1/search?query=${query}`)
    return ((await res.json()) as { messages: unknown[] }).messages.length
  }

  async function r2Objects(number: string): Promise<number> {
    const s3 = createR2Client(inv.config.s3)
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: inv.config.s3.bucket, Prefix: `invoices/` }))
    return (listed.Contents ?? []).filter((o) => o.Key!.includes(encodeURIComponent(number))).length
  }

  it.each(['2026-08', '2026-09', '2026-10'])('%s: answers lost and workers dead after every remote call, yet one operation, one object, one e-mail', async (period) => {
    inv.planfact.setBehavior({ dropResponsesAfterWrite: 2 }) // the counterparty's and the operation's answers never arrive
    Object.assign(crashAfterWork, { syncPlanFact: 1, uploadPdfToR2: 1, sendInvoiceEmail: 1 })
    const { h, approving } = await approved(SAMPLE_DEALS.tmUsdUzEInvoicing, period)
    expect((await untilDelivered(h)).state).toBe('awaiting_payment')

    expect(inv.planfact.state.operations.filter((o) => o.externalId === approving.invoiceId)).toHaveLength(1)
    expect(await r2Objects(approving.invoiceNumber!)).toBe(1)
    const messageId = buildInvoiceMessageId({ invoiceId: approving.invoiceId!, pdfVersion: 1, from: inv.config.smtp.from })
    expect(await emailsWithMessageId(messageId)).toBe(1)
    expect(crashAfterWork).toEqual({ syncPlanFact: 0, uploadPdfToR2: 0, sendInvoiceEmail: 0 })
  })

  it('one Didox draft although its answer was lost and the worker died after creating it', async () => {
    inv.didox.setBehavior({ dropResponsesAfterCreate: 1 })
    crashAfterWork.createDidoxDraft = 1
    const { h, approving } = await approved(SAMPLE_DEALS.fixedMonthlyUzs, '2026-10')
    const waiting = await until(h, (v) => v.dispatch.didox?.status === 'done')
    expect(inv.didox.state.documents.filter((d) => d.name === approving.invoiceNumber)).toHaveLength(1)
    inv.didox.setDocumentStatus(waiting.dispatch.didox!.externalId!, 3)
    expect((await untilDelivered(h)).state).toBe('awaiting_payment')
  })

  it('a permanent PlanFact refusal waits in needs_attention; retry after the fix completes', async () => {
    inv.planfact.setBehavior({ forbiddenCode: 'TariffAccessDenied' })
    const { h, approving } = await approved(SAMPLE_DEALS.tmEurForeignDe, '2026-09')
    const parked = await until(h, (v) => v.state === 'needs_attention')
    expect(parked.attention).toMatchObject({ step: 'planfact', reason: expect.stringContaining('TariffAccessDenied') })

    inv.planfact.setBehavior({ forbiddenCode: null }) // the tariff is upgraded
    expect(await act(h, 'retry', { actor: 'ops' })).toMatchObject({ previousState: 'needs_attention', state: 'dispatching', attention: null })
    expect((await untilDelivered(h)).state).toBe('awaiting_payment')
    await recordHistory(env, h.workflowId, 'needs-attention-retry')
    expect(inv.planfact.state.operations.filter((o) => o.externalId === approving.invoiceId)).toHaveLength(1)
    const events = await inv.db.invoiceEvent.findMany({ where: { workflowId: h.workflowId }, orderBy: { id: 'asc' } })
    expect(events.map((e) => e.type)).toEqual(expect.arrayContaining(['state_needs_attention', 'step_retried', 'planfact_done']))
  })

  it('a Didox refusal can be skipped: recorded, and the invoice completes without it', async () => {
    inv.didox.setBehavior({ forbidCreate: true })
    const { h } = await approved(SAMPLE_DEALS.fixedMonthlyUzs, '2026-09')
    const parked = await until(h, (v) => v.state === 'needs_attention')
    expect(parked.attention?.step).toBe('didox')
    // PlanFact booked it and R2 holds the PDF: a cancel would leave them behind.
    const refused = await refusalOf(act(h, 'cancel', { actor: 'alice', reason: 'give up' }))
    expect(refused.code).toBe('EFFECTS_MADE')
    expect(refused.message).toMatch(/planfact \(.+\), r2 \(.+\).*credit note/)
    expect((await refusalOf(act(h, 'skip', { actor: 'ops', reason: ' ' }))).code).toBe('INVALID_INPUT')
    await act(h, 'skip', { actor: 'ops', reason: 'the client asked for paper this month' })
    expect((await untilDelivered(h)).state).toBe('awaiting_payment')
    inv.didox.setBehavior({ forbidCreate: false })
    const final = await view(h)
    expect(final.dispatch.didox).toEqual({ status: 'skipped' })
    const skipped = await inv.db.invoiceEvent.findFirst({ where: { workflowId: h.workflowId, type: 'step_skipped' } })
    expect(skipped?.payload).toMatchObject({ step: 'didox', reason: 'the client asked for paper this month' })
  })

  it('outlasts a PlanFact outage and completes once it recovers', async () => {
    inv.planfact.setBehavior({ outage: true })
    const { h, approving } = await approved(SAMPLE_DEALS.tmUsdAmountCapForeignUs, '2026-10')
    await new Promise((resolve) => setTimeout(resolve, 4_000))
    expect((await view(h)).state).toBe('dispatching')
    inv.planfact.setBehavior({ outage: false })
    expect((await untilDelivered(h)).state).toBe('awaiting_payment')
    expect(inv.planfact.state.operations.filter((o) => o.externalId === approving.invoiceId)).toHaveLength(1)
  })
})
