import { createHash, randomInt, randomUUID } from 'node:crypto'
import { Client, Connection } from '@temporalio/client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createLogger } from '../lib/logger.js'
import { SAMPLE_CUSTOMERS, SAMPLE_DEALS } from '../sources/generate/catalog.js'
import { runInvoiceWorker, waitFor, type InvoiceTestEnv, type RunningInvoiceWorker } from '../test-support/invoice-env.js'
import { freePort } from '../test-support/temporal-server.js'
import { createTestWorker, uniqueName } from '../test-support/temporal.js'
import type { InvoiceState } from '../workflows/invoice-contract.js'
import { createTestApp, type TestApp, type TestUser } from './create-test-app.js'
import type { InvoiceDetails } from './invoices/read-invoice.js'
import { SignalRelay } from './signal-relay.js'

const DAY = 86_400_000

/** Periods this run has used: never the same one twice (about 1 400 to draw from). */
const usedPeriods = new Set<string>()

/**
 * A range inside the generated months (September and October 2026) that earlier runs most
 * likely never used: the workflow id comes from deal and period, and finished invoices stay
 * in the test namespace.
 */
function randomPeriod(): string {
  for (;;) {
    const from = Date.UTC(2026, 8, 1) + randomInt(0, 54) * DAY
    const to = randomInt(from + 7 * DAY, Date.UTC(2026, 10, 1) + 1)
    const period = `${new Date(from).toISOString().slice(0, 10)}..${new Date(to - (to % DAY)).toISOString().slice(0, 10)}`
    if (usedPeriods.has(period)) continue
    usedPeriods.add(period)
    return period
  }
}

const SQL = "'); DELETE FROM invoices; --"
const HTML = '<b onmouseover="alert(1)">Development</b> & co'

describe('/invoices, end to end on real services (worker with the real activities)', () => {
  let t: TestApp
  let inv: InvoiceTestEnv
  let worker: RunningInvoiceWorker
  const taskQueue = uniqueName('api-invoices')
  const started = new Set<string>()
  const unknownDeal = `APP-X${randomUUID().slice(0, 8)}`

  beforeAll(async () => {
    t = await createTestApp({ taskQueue, signalWaitMs: 5_000 })
    worker = await runInvoiceWorker(t.env, 'api-invoices', { taskQueue })
    inv = worker.inv
  })
  afterAll(async () => {
    for (const id of started) {
      const handle = t.env.client.workflow.getHandle(id)
      if ((await handle.describe()).status.name === 'RUNNING') await handle.terminate('api test over')
    }
    await worker?.stop()
    await t?.dispose()
  })

  const path = (id: string, suffix = '') => `/invoices/${encodeURIComponent(id)}${suffix}`

  async function start(dealId: string, period: string, app = t): Promise<string> {
    const res = await app.call('POST', '/invoices', { as: 'accountant', body: { dealId, period } })
    expect(res.status, await res.clone().text()).toBe(202)
    const { id } = (await res.json()) as { id: string }
    started.add(id)
    return id
  }
  async function get(id: string, app = t): Promise<InvoiceDetails> {
    const res = await app.call('GET', path(id), { as: 'viewer' })
    expect(res.status).toBe(200)
    return (await res.json()) as InvoiceDetails
  }
  const reach = (id: string, state: InvoiceState, extra: (v: InvoiceDetails) => boolean = () => true, app = t) =>
    waitFor(() => get(id, app), (v) => v.state === state && extra(v), 60_000)
  const signal = (id: string, name: string, as: TestUser, body?: unknown, app = t) => app.call('POST', path(id, `/${name}`), { as, body })

  it('starts an invoice (202 with Location), refuses a second start (409), and shows the preview', async () => {
    const period = randomPeriod()
    const res = await t.call('POST', '/invoices', { as: 'accountant', body: { dealId: SAMPLE_DEALS.tmUsdUzEInvoicing, period } })
    expect(res.status).toBe(202)
    const body = (await res.json()) as { id: string; href: string }
    started.add(body.id)
    expect(body).toMatchObject({ id: `invoice:${SAMPLE_DEALS.tmUsdUzEInvoicing}:${period}`, state: 'prefilling' })
    expect(res.headers.get('Location')).toBe(path(body.id))

    const again = await t.call('POST', '/invoices', { as: 'accountant', body: { dealId: SAMPLE_DEALS.tmUsdUzEInvoicing, period } })
    expect(again.status).toBe(409)
    expect(await again.json()).toMatchObject({
      code: 'ALREADY_EXISTS',
      workflowId: body.id,
      state: expect.stringMatching(/prefilling|awaiting_confirmation/),
      workflowStatus: 'RUNNING',
      message: expect.stringContaining('already'),
    })

    const view = await reach(body.id, 'awaiting_confirmation')
    expect(view).toMatchObject({
      id: body.id,
      source: 'workflow',
      notice: null,
      workflowStatus: 'RUNNING',
      dealId: SAMPLE_DEALS.tmUsdUzEInvoicing,
      customerId: SAMPLE_CUSTOMERS.uzEInvoicingRu,
      period,
      allowedSignals: ['refresh', 'confirm', 'cancel'],
      invoiceNumber: null,
      pdfs: [],
      totals: { currency: 'USD' },
    })
    expect(view.preview!.lines.length).toBeGreaterThan(0)
    expect(view.totals!.total).toBe(view.preview!.total)

    // The id works unencoded too (':' is allowed in a path segment).
    expect((await t.call('GET', `/invoices/${body.id}`, { as: 'viewer' })).status).toBe(200)
    const pdf = await t.call('GET', path(body.id, '/pdf'), { as: 'viewer' })
    expect(pdf.status).toBe(404)
    expect(await pdf.json()).toMatchObject({ code: 'NOT_FOUND', message: expect.stringContaining('no PDF yet') })
  })

  it('confirm, maker-checker, reject and re-confirm, PDF versions and events, then cancel', async () => {
    const id = await start(SAMPLE_DEALS.tmUsdUzEInvoicing, randomPeriod())
    const preview = (await reach(id, 'awaiting_confirmation')).preview!

    const early = await signal(id, 'approve', 'approver')
    expect(early.status).toBe(409)
    expect(await early.json()).toMatchObject({ code: 'WRONG_STATE', state: 'awaiting_confirmation', allowedSignals: ['refresh', 'confirm', 'cancel'] })
    const stale = await signal(id, 'confirm', 'accountant', { fingerprint: 'sha256:not-the-one' })
    expect(stale.status).toBe(409)
    expect(await stale.json()).toMatchObject({ code: 'STALE_PREVIEW', state: 'awaiting_confirmation', currentFingerprint: preview.sourceFingerprint })
    const missing = await signal(id, 'confirm', 'accountant', {})
    expect(await missing.json()).toMatchObject({ code: 'VALIDATION_FAILED', issues: [{ field: 'body.fingerprint', problem: 'is required' }] })
    const badEdit = await signal(id, 'confirm', 'accountant', {
      fingerprint: preview.sourceFingerprint,
      edits: { addLines: [{ description: 'Travel', quantity: '-1', unit: 'item', rate: '10', reason: 'x' }] },
    })
    expect(badEdit.status).toBe(400)
    expect(await badEdit.json()).toMatchObject({ issues: [{ field: 'body.edits.addLines.0.quantity' }] })

    const lineId = preview.lines[0]!.lineId
    const confirmed = await signal(id, 'confirm', 'maker', {
      fingerprint: preview.sourceFingerprint,
      edits: { descriptions: [{ lineId, description: HTML }], addLines: [{ description: 'Travel', quantity: '1', unit: 'item', rate: '100.00', reason: SQL }] },
    })
    expect(confirmed.status).toBe(202)
    // `applied` when the workflow moved within the API's 2 s watch, `sent` when it was slower (load).
    const confirmedBody = (await confirmed.json()) as { outcome: string; state: string }
    expect(confirmedBody).toMatchObject({ id, signal: 'confirm', previousState: 'awaiting_confirmation' })
    if (confirmedBody.outcome === 'applied') expect(confirmedBody.state).toMatch(/finalizing|awaiting_approval/)
    else expect(confirmedBody).toMatchObject({ outcome: 'sent', state: 'awaiting_confirmation' })
    const first = await reach(id, 'awaiting_approval')
    expect(first).toMatchObject({ confirmedBy: 'carol', pdfVersion: 1, allowedSignals: ['approve', 'reject', 'cancel'] })
    expect(first.invoiceNumber).toMatch(/\d{4}-\d{5}$/)
    expect(first.pdfs.map((p) => p.version)).toEqual([1])
    expect(first.preview!.lines.find((l) => l.lineId === lineId)!.description).toBe(HTML)
    expect(first.preview!.lines.find((l) => l.kind === 'manual')!.reason).toBe(SQL)

    const ownApproval = await signal(id, 'approve', 'maker')
    expect(ownApproval.status).toBe(403)
    expect(await ownApproval.json()).toMatchObject({ code: 'MAKER_CHECKER', message: expect.stringContaining('carol confirmed this invoice'), state: 'awaiting_approval' })

    const rejected = await signal(id, 'reject', 'approver', { reason: `${SQL} ${HTML}` })
    expect(rejected.status).toBe(202)
    await reach(id, 'awaiting_confirmation')
    expect((await signal(id, 'confirm', 'accountant', { fingerprint: preview.sourceFingerprint })).status).toBe(202)
    const second = await reach(id, 'awaiting_approval', (v) => v.pdfVersion === 2)
    expect(second.invoiceNumber).toBe(first.invoiceNumber)
    expect(second.pdfs.map((p) => p.version)).toEqual([1, 2])

    const listed = (await (await t.call('GET', `/invoices?number=${second.invoiceNumber}`)).json()) as { items: { id: string }[] }
    expect(listed.items.map((i) => i.id)).toEqual([id])

    const pdf = await t.call('GET', path(id, '/pdf'), { as: 'viewer' })
    expect(pdf.status).toBe(200)
    expect(pdf.headers.get('Content-Type')).toBe('application/pdf')
    expect(pdf.headers.get('Content-Disposition')).toBe(`attachment; filename="${second.invoiceNumber}-v2.pdf"`)
    const bytes = Buffer.from(await pdf.arrayBuffer())
    expect(bytes.subarray(0, 5).toString()).toBe('%PDF-')
    const etag = `"${createHash('sha256').update(bytes).digest('hex')}"`
    expect(pdf.headers.get('ETag')).toBe(etag)
    expect(etag).toBe(`"${second.pdfs[1]!.sha256}"`)
    expect((await t.call('GET', path(id, '/pdf'), { as: 'viewer', headers: { 'If-None-Match': etag } })).status).toBe(304)
    const v1 = await t.call('GET', path(id, '/pdf?version=1'), { as: 'viewer' })
    expect(v1.headers.get('Content-Disposition')).toBe(`attachment; filename="${second.invoiceNumber}-v1.pdf"`)
    expect(v1.headers.get('ETag')).toBe(`"${second.pdfs[0]!.sha256}"`)
    expect((await t.call('GET', path(id, '/pdf?version=3'))).status).toBe(404)
    expect((await t.call('GET', path(id, '/pdf?version=0'))).status).toBe(400)

    const cancelled = await signal(id, 'cancel', 'approver', { reason: 'client terminated the contract' })
    expect(cancelled.status).toBe(202)
    const cancelledBody = (await cancelled.json()) as { outcome: string; state: string }
    if (cancelledBody.outcome === 'applied') expect(cancelledBody.state).toBe('cancelled')
    else expect(cancelledBody.outcome).toBe('sent')
    const closed = await waitFor(() => get(id), (v) => v.workflowStatus === 'COMPLETED')
    // A closed run still answers the query (the worker replays it): the full view, not the stored one.
    expect(closed).toMatchObject({ source: 'workflow', state: 'cancelled', allowedSignals: [], cancelReason: 'client terminated the contract', invoiceNumber: second.invoiceNumber })
    expect(await inv.db.invoice.findUniqueOrThrow({ where: { id: closed.invoiceId! } })).toMatchObject({ state: 'cancelled', voidReason: 'client terminated the contract' })
    const late = await signal(id, 'cancel', 'approver', { reason: 'again' })
    expect(late.status).toBe(409)
    expect(await late.json()).toMatchObject({ code: 'WRONG_STATE', state: 'cancelled' })

    // The whole history, page by page; text fields come back exactly as sent.
    const events: { id: string; type: string; actor: string; payload: Record<string, unknown> }[] = []
    let cursor: string | null = null
    do {
      const page = (await (await t.call('GET', path(id, `/events?limit=4${cursor ? `&cursor=${cursor}` : ''}`), { as: 'viewer' })).json()) as { items: typeof events; nextCursor: string | null }
      expect(page.items.length).toBeLessThanOrEqual(4)
      events.push(...page.items)
      cursor = page.nextCursor
    } while (cursor)
    expect(events.map((e) => Number(e.id))).toEqual([...events.map((e) => Number(e.id))].sort((a, b) => a - b))
    expect(events.map((e) => e.type)).toEqual(expect.arrayContaining(['started', 'finalized', 'pdf_rendered', 'rejected', 'state_cancelled']))
    expect(events.find((e) => e.type === 'started')!.actor).toBe('alice')
    expect(events.find((e) => e.type === 'rejected')).toMatchObject({ actor: 'bob', payload: { reason: `${SQL} ${HTML}` } })
    expect((await t.call('GET', path(id, '/events?cursor=abc'))).status).toBe(400)
  })

  it('approve by another approver moves the invoice on', async () => {
    const id = await start(SAMPLE_DEALS.tmEurForeignDe, randomPeriod())
    const preview = (await reach(id, 'awaiting_confirmation')).preview!
    await signal(id, 'confirm', 'accountant', { fingerprint: preview.sourceFingerprint })
    await reach(id, 'awaiting_approval')
    const approved = await signal(id, 'approve', 'approver')
    expect(approved.status).toBe(202)
    // Under load the workflow may take longer than the API's 2 s watch: `sent`, then the state moves on.
    expect(await approved.json()).toMatchObject({ outcome: expect.stringMatching(/^(applied|sent)$/), previousState: 'awaiting_approval' })
    await waitFor(() => inv.db.invoice.findFirstOrThrow({ where: { workflowId: id } }), (row) => row.approvedBy !== null, 60_000)
    expect(await inv.db.invoice.findFirstOrThrow({ where: { workflowId: id } })).toMatchObject({ approvedBy: 'bob', confirmedBy: 'alice' })
  })

  it('lists from Temporal visibility with filters and cursor paging', async () => {
    const ids = [await start(unknownDeal, '2026-09'), await start(unknownDeal, '2026-10-01..2026-11-01')]
    expect(ids[1]).toBe(`invoice:${unknownDeal}:2026-10`)
    await Promise.all(ids.map((id) => reach(id, 'needs_attention')))
    type Page = { items: { id: string; state: string; dealId: string; period: string; workflowStatus: string }[]; nextCursor: string | null }
    const list = async (query: string) => (await (await t.call('GET', `/invoices?${query}`, { as: 'viewer' })).json()) as Page

    const all = await waitFor(() => list(`dealId=${unknownDeal}&state=needs_attention`), (p) => p.items.length === 2)
    expect(all.items.map((i) => i.id).sort()).toEqual([...ids].sort())
    expect(all.items[0]).toMatchObject({ state: 'needs_attention', dealId: unknownDeal, workflowStatus: 'RUNNING' })

    const first = await list(`dealId=${unknownDeal}&limit=1`)
    expect(first.items).toHaveLength(1)
    expect(first.nextCursor).toEqual(expect.any(String))
    const second = await list(`dealId=${unknownDeal}&limit=1&cursor=${first.nextCursor}`)
    expect(second.items).toHaveLength(1)
    expect(second.items[0]!.id).not.toBe(first.items[0]!.id)

    expect((await list(`dealId=${unknownDeal}&period=2026-10-01..2026-11-01`)).items.map((i) => i.id)).toEqual([ids[1]])
    expect((await list(`dealId=${unknownDeal}&state=completed`)).items).toEqual([])
    expect((await list(`customerId=${SAMPLE_CUSTOMERS.uzEInvoicingRu}&dealId=${unknownDeal}`)).items).toEqual([])
    expect((await t.call('GET', `/invoices?limit=101`)).status).toBe(400)
  })

  it('needs_attention: operators (admin) retry or skip, the workflow refusing what it cannot do; cancel ends it', async () => {
    const id = await start(unknownDeal, randomPeriod())
    const parked = await reach(id, 'needs_attention')
    expect(parked.attention).toMatchObject({ step: 'prefill', reason: expect.stringContaining(unknownDeal) })
    expect(parked.allowedSignals).toEqual(['retry', 'skip', 'cancel'])

    expect((await signal(id, 'retry', 'accountant')).status).toBe(403)
    expect(await (await signal(id, 'skip', 'admin', { reason: '   ' })).json()).toMatchObject({ issues: [{ field: 'body.reason', problem: 'is required' }] })

    // The API cannot see that prefill may not be skipped: the workflow refuses, and the API reports it.
    const skipped = await signal(id, 'skip', 'admin', { reason: 'deal is gone' })
    expect(skipped.status).toBe(409)
    expect(await skipped.json()).toMatchObject({ code: 'NOT_SKIPPABLE', state: 'needs_attention', refusal: { signal: 'skip', actor: 'ada', code: 'NOT_SKIPPABLE' } })
    expect((await get(id)).lastRefusal).toMatchObject({ code: 'NOT_SKIPPABLE', actor: 'ada' })

    const retried = await signal(id, 'retry', 'admin')
    expect(retried.status).toBe(202)
    await waitFor(() => t.call('GET', path(id, '/events?limit=100')).then((r) => r.json() as Promise<{ items: { type: string; actor: string }[] }>), (p) =>
      p.items.some((e) => e.type === 'step_retried' && e.actor === 'ada'),
    )
    await reach(id, 'needs_attention')
    expect((await signal(id, 'confirm', 'accountant', { fingerprint: 'x' })).status).toBe(409)
    const cancelled = await signal(id, 'cancel', 'accountant', { reason: 'no such deal' })
    expect(cancelled.status).toBe(202)
    expect(await cancelled.json()).toMatchObject({ state: 'cancelled' })
  })

  it('answers 404 for an unknown invoice on every invoice route', async () => {
    const id = `invoice:${unknownDeal}:2031-01`
    for (const [method, suffix, as, body] of [
      ['GET', '', 'viewer', undefined],
      ['GET', '/pdf', 'viewer', undefined],
      ['GET', '/events', 'viewer', undefined],
      ['POST', '/confirm', 'accountant', { fingerprint: 'x' }],
      ['POST', '/refresh', 'accountant', undefined],
      ['POST', '/approve', 'approver', {}],
      ['POST', '/reject', 'approver', { reason: 'x' }],
      ['POST', '/cancel', 'approver', { reason: 'x' }],
      ['POST', '/retry', 'admin', undefined],
      ['POST', '/skip', 'admin', { reason: 'x' }],
    ] as const) {
      const res = await t.call(method, path(id, suffix), { as, body })
      expect(res.status, `${method} ${suffix}`).toBe(404)
      expect(await res.json()).toMatchObject({ code: 'NOT_FOUND', message: `no invoice with id ${id}` })
    }
  })

  it('without any worker on the task queue, GET answers from what is stored', async () => {
    const app = await createTestApp({ taskQueue: uniqueName('api-no-worker') })
    try {
      const id = await start(unknownDeal, randomPeriod(), app)
      const stored = await get(id, app)
      expect(stored).toMatchObject({ source: 'database', notice: expect.stringContaining('is the worker running?'), state: 'prefilling', dealId: unknownDeal, preview: null, pdfs: [] })
      const cancel = await signal(id, 'cancel', 'accountant', { reason: 'no worker' }, app)
      expect(cancel.status).toBe(202)
      expect(await cancel.json()).toMatchObject({ outcome: 'sent', state: 'prefilling' })
    } finally {
      await app.dispose()
    }
  })

  it('with Prefer: respond-async a signal is checked against PostgreSQL, stored and answered at once; it reaches the workflow even after Temporal was unreachable', async () => {
    const async = { Prefer: 'respond-async' }
    const id = await start(SAMPLE_DEALS.tmEurForeignDe, randomPeriod())
    await reach(id, 'awaiting_confirmation')
    const wrong = await t.call('POST', path(id, '/approve'), { as: 'approver', headers: async })
    expect(wrong.status).toBe(409)
    expect(await wrong.json()).toMatchObject({ code: 'WRONG_STATE', state: 'awaiting_confirmation' })
    const unknown = await t.call('POST', path(`invoice:${unknownDeal}:2031-02`, '/cancel'), { as: 'accountant', body: { reason: 'x' }, headers: async })
    expect(unknown.status).toBe(404)

    // The API's relay cannot reach Temporal: the request is still accepted and kept.
    const unreachable = new Client({ connection: Connection.lazy({ address: `127.0.0.1:${await freePort()}`, interceptors: [] }), namespace: t.env.namespace })
    const downRelay = new SignalRelay({ db: t.db, client: unreachable, logger: createLogger({ level: 'ERROR', format: 'json' }, () => undefined) })
    const down = await createTestApp({ taskQueue, signalRelay: downRelay })
    try {
      const res = await down.call('POST', path(id, '/cancel'), { as: 'accountant', body: { reason: 'sent while Temporal was down' }, headers: async })
      expect(res.status, await res.clone().text()).toBe(202)
      const body = (await res.json()) as { outcome: string; state: string; signalRequestId: string }
      expect(body).toMatchObject({ outcome: 'queued', previousState: 'awaiting_confirmation', state: 'awaiting_confirmation', signalRequestId: expect.any(String) })
      await downRelay.stop()
      const waiting = await get(id)
      expect(waiting.state).toBe('awaiting_confirmation')
      expect(waiting.pendingSignals).toEqual([expect.objectContaining({ id: body.signalRequestId, signal: 'cancel', actor: 'alice', attempts: 1, lastError: expect.any(String) })])

      // Temporal is back: the next sweep (here by hand, without waiting for the retry delay) delivers it.
      await t.db.invoiceSignalRequest.update({ where: { id: body.signalRequestId }, data: { claimedUntil: new Date(Date.now() - 1) } })
      await new SignalRelay({ db: t.db, client: t.env.client, logger: createLogger({ level: 'ERROR', format: 'json' }, () => undefined) }).sweep()
      expect(await reach(id, 'cancelled')).toMatchObject({ cancelReason: 'sent while Temporal was down', pendingSignals: [] })
    } finally {
      await down.dispose()
    }
  })

  it('while the worker is down, GET shows the stored state and says so; a signal is delivered when it is back', async () => {
    const queue = uniqueName('api-worker-down')
    const app = await createTestApp({ taskQueue: queue, queryTimeoutMs: 1_000, signalWaitMs: 1_000 })
    let own = await createTestWorker(app.env, { taskQueue: queue, activities: inv.activities })
    let ownRun = own.run()
    try {
      const id = await start(SAMPLE_DEALS.tmEurForeignDe, randomPeriod(), app)
      const preview = (await reach(id, 'awaiting_confirmation', () => true, app)).preview!
      await signal(id, 'confirm', 'accountant', { fingerprint: preview.sourceFingerprint }, app)
      const live = await reach(id, 'awaiting_approval', () => true, app)

      own.shutdown()
      await ownRun
      const stored = await get(id, app)
      expect(stored).toMatchObject({
        source: 'database',
        notice: expect.stringContaining('is the worker running?'),
        state: 'awaiting_approval',
        invoiceNumber: live.invoiceNumber,
        confirmedBy: 'alice',
        pdfVersion: 1,
        lastRefusal: null,
      })
      expect(stored.pdfs.map((p) => p.version)).toEqual([1])
      expect(stored.totals!.total).toBe(live.totals!.total)

      const cancel = await signal(id, 'cancel', 'approver', { reason: 'while the worker was down' }, app)
      expect(cancel.status, `${await cancel.clone().text()} ${app.logs.filter((l) => l.includes('"error"')).join('\n')}`).toBe(202)
      expect(await cancel.json()).toMatchObject({ outcome: 'sent', state: 'awaiting_approval' })

      own = await createTestWorker(app.env, { taskQueue: queue, activities: inv.activities })
      ownRun = own.run()
      expect(await reach(id, 'cancelled', (v) => v.source === 'workflow', app)).toMatchObject({ cancelReason: 'while the worker was down' })
    } finally {
      if (own.getState() === 'RUNNING') own.shutdown()
      await ownRun
      await app.dispose()
    }
  })
})
