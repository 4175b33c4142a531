import { createHash, randomInt, randomUUID } from 'node:crypto'
import { ApplicationFailure } from '@temporalio/common'
import { workflowMetadataQuery } from '@temporalio/workflow'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SAMPLE_CUSTOMERS, SAMPLE_DEALS } from '../sources/generate/catalog.js'
import { runInvoiceWorker, waitFor, type InvoiceTestEnv, type RunningInvoiceWorker } from '../test-support/invoice-env.js'
import { copyTestDeal } from '../test-support/source-rows.js'
import { createTestWorker, uniqueName } from '../test-support/temporal.js'
import { createTestApp, type TestApp, type TestUser } from './create-test-app.js'
import type { InvoiceDetails } from '../operations/invoices/read-invoice.js'

const DAY = 86_400_000

/** Periods this run has used: never the same one twice (about 1 400 to draw from). */
const usedPeriods = new Set<string>()

/**
 * A range of 4 to 7 days inside the generated months (September and October 2026) that overlaps
 * no other this run used: periods of one deal must not overlap (PERIOD_OVERLAP). The deals are
 * this run's copies, so the workflow ids are new in the shared test namespace.
 */
function randomPeriod(): string {
  for (;;) {
    const from = Date.UTC(2026, 8, 1) + randomInt(0, 54) * DAY
    const to = from + randomInt(4, 8) * DAY
    const day = (ms: number) => new Date(ms).toISOString().slice(0, 10)
    const period = `${day(from)}..${day(to)}`
    const overlaps = [...usedPeriods].some((used) => {
      const [a, b] = used.split('..')
      return a! < day(to) && day(from) < b!
    })
    if (overlaps) continue
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
  /** This run's copies of the sample deals (same work, fresh ids). */
  let D: Record<keyof typeof SAMPLE_DEALS, string>
  const taskQueue = uniqueName('api-invoices')
  const started = new Set<string>()
  const unknownDeal = `APP-X${randomUUID().slice(0, 8)}`
  /** Makes the next PDF conversion fail as Gotenberg's 4xx would (a permanent failure). */
  let failNextRender = false

  beforeAll(async () => {
    t = await createTestApp({ taskQueue })
    worker = await runInvoiceWorker(t.env, 'api-invoices', {
      taskQueue,
      replace: (real) => ({
        renderInvoicePdf: async (input) => {
          if (!failNextRender) return real.renderInvoicePdf(input)
          failNextRender = false
          throw ApplicationFailure.nonRetryable('Gotenberg answered 400: invalid form', 'GotenbergRejectedError')
        },
      }),
    })
    inv = worker.inv
    D = { ...SAMPLE_DEALS }
    for (const key of ['tmUsdUzEInvoicing', 'tmEurForeignDe', 'fixedMonthlyUzs', 'retainerUsd'] as const) D[key] = await copyTestDeal(inv.clickhouse.client, SAMPLE_DEALS[key])
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
    expect(res.status, await res.clone().text()).toBe(201)
    const { id } = (await res.json()) as { id: string }
    started.add(id)
    return id
  }
  async function get(id: string, app = t, query = ''): Promise<InvoiceDetails> {
    const res = await app.call('GET', path(id, query), { as: 'viewer' })
    expect(res.status).toBe(200)
    return (await res.json()) as InvoiceDetails
  }

  const act = (id: string, name: string, as: TestUser, body?: unknown, app = t, headers?: Record<string, string>) => app.call('POST', path(id, `/${name}`), { as, body, ...(headers ? { headers } : {}) })
  async function outcome(res: Response): Promise<Record<string, unknown>> {
    expect(res.status, await res.clone().text()).toBe(200)
    return (await res.json()) as Record<string, unknown>
  }

  it('starts an invoice and answers once the prefill ended (201, the preview with Prefer: wait), refuses a second start (409), reads from the read model', async () => {
    const period = randomPeriod()
    const res = await t.call('POST', '/invoices', { as: 'accountant', body: { dealId: D.tmUsdUzEInvoicing, period }, headers: { Prefer: 'wait=20' } })
    expect(res.status, await res.clone().text()).toBe(201)
    const body = (await res.json()) as { id: string; href: string; preview: { sourceFingerprint: string; lines: unknown[] } }
    started.add(body.id)
    expect(body).toMatchObject({ id: `invoice:${D.tmUsdUzEInvoicing}:${period}`, state: 'awaiting_confirmation', customerId: SAMPLE_CUSTOMERS.uzEInvoicingRu })
    expect(body.preview.lines.length).toBeGreaterThan(0)
    expect(res.headers.get('Location')).toBe(path(body.id))

    const again = await t.call('POST', '/invoices', { as: 'accountant', body: { dealId: D.tmUsdUzEInvoicing, period } })
    expect(again.status).toBe(409)
    expect(await again.json()).toMatchObject({ code: 'ALREADY_EXISTS', workflowId: body.id, state: 'awaiting_confirmation', workflowStatus: 'RUNNING', message: expect.stringContaining('already') })

    const view = await get(body.id)
    expect(view).toMatchObject({
      id: body.id,
      source: 'database',
      notice: null,
      workflowStatus: 'RUNNING',
      dealId: D.tmUsdUzEInvoicing,
      customerId: SAMPLE_CUSTOMERS.uzEInvoicingRu,
      period,
      nextActor: 'accountant',
      startedBy: 'alice',
      allowedActions: ['refresh', 'confirm', 'cancel'],
      invoiceNumber: null,
      pdfs: [],
      totals: { currency: 'USD' },
    })
    expect(view.preview!.sourceFingerprint).toBe(body.preview.sourceFingerprint)
    expect(view.totals!.total).toBe(view.preview!.total)
    expect(await get(body.id, t, '?live=true')).toMatchObject({ source: 'workflow', state: 'awaiting_confirmation', preview: { sourceFingerprint: body.preview.sourceFingerprint } })
    // What operators see in Temporal Web: the summary from the start, the details of now.
    const handle = t.env.client.workflow.getHandle(body.id)
    expect(await (await handle.describe()).staticSummary()).toBe(`Invoice of deal ${D.tmUsdUzEInvoicing} for ${period}`)
    const metadata = await handle.query(workflowMetadataQuery)
    expect(metadata.currentDetails).toContain('awaiting_confirmation** — waiting for the accountant')
    expect(metadata.currentDetails).toContain(`customer ${SAMPLE_CUSTOMERS.uzEInvoicingRu}`)

    // The id works unencoded too (':' is allowed in a path segment).
    expect((await t.call('GET', `/invoices/${body.id}`, { as: 'viewer' })).status).toBe(200)
    const pdf = await t.call('GET', path(body.id, '/pdf'), { as: 'viewer' })
    expect(pdf.status).toBe(404)
    expect(await pdf.json()).toMatchObject({ code: 'NOT_FOUND', message: expect.stringContaining('no PDF yet') })
  })

  it('an unknown deal is answered 404 naming it, and leaves no run open', async () => {
    const res = await t.call('POST', '/invoices', { as: 'accountant', body: { dealId: unknownDeal, period: '2026-10' } })
    expect(res.status).toBe(404)
    expect(await res.json()).toMatchObject({ code: 'UNKNOWN_DEAL', message: expect.stringContaining(unknownDeal) })
    const id = `invoice:${unknownDeal}:2026-10`
    expect((await t.env.client.workflow.getHandle(id).describe()).status.name).toBe('COMPLETED')
    expect(await get(id)).toMatchObject({ state: 'cancelled', allowedActions: [], cancelReason: expect.stringContaining(unknownDeal) })
  })

  it('confirm, maker-checker, reject and re-confirm, each answered with its outcome; PDF versions and events, then cancel', async () => {
    const id = await start(D.tmUsdUzEInvoicing, randomPeriod())
    const preview = (await get(id)).preview!

    const early = await act(id, 'approve', 'approver', { pdfVersion: 1 })
    expect(early.status).toBe(409)
    expect(await early.json()).toMatchObject({ code: 'WRONG_STATE', state: 'awaiting_confirmation', action: 'approve' })
    const stale = await act(id, 'confirm', 'accountant', { fingerprint: 'sha256:not-the-one' })
    expect(stale.status).toBe(409)
    expect(await stale.json()).toMatchObject({ code: 'STALE_PREVIEW', state: 'awaiting_confirmation' })
    const missing = await act(id, 'confirm', 'accountant', {})
    expect(await missing.json()).toMatchObject({ code: 'VALIDATION_FAILED', issues: [{ field: 'body.fingerprint', problem: 'is required' }] })
    const badEdit = await act(id, 'confirm', 'accountant', {
      fingerprint: preview.sourceFingerprint,
      edits: { addLines: [{ description: 'Travel', quantity: '-1', unit: 'item', rate: '10', reason: 'x' }] },
    })
    expect(badEdit.status).toBe(400)
    expect(await badEdit.json()).toMatchObject({ issues: [{ field: 'body.edits.addLines.0.quantity' }] })
    // Each figure fits its column, the amount does not: the workflow refuses it when it applies the edit.
    const overflow = await act(id, 'confirm', 'accountant', {
      fingerprint: preview.sourceFingerprint,
      edits: { addLines: [{ description: 'Huge', quantity: '9999999999', unit: 'item', rate: '9999999999999999', reason: 'x' }] },
    })
    expect(overflow.status).toBe(422)
    expect(await overflow.json()).toMatchObject({ code: 'INVALID_EDIT', message: expect.stringContaining('more than an invoice line can hold') })

    const lineId = preview.lines[0]!.lineId
    const confirmed = await outcome(
      await act(id, 'confirm', 'maker', {
        fingerprint: preview.sourceFingerprint,
        edits: { descriptions: [{ lineId, description: HTML }], addLines: [{ description: 'Travel', quantity: '1', unit: 'item', rate: '100.00', reason: SQL }] },
      }),
    )
    expect(confirmed).toMatchObject({ id, action: 'confirm', outcome: 'applied', previousState: 'awaiting_confirmation', state: 'awaiting_approval', pdfVersion: 1, invoiceNumber: expect.stringMatching(/\d{4}-\d{5}$/) })
    const first = await get(id)
    expect(first).toMatchObject({ confirmedBy: 'carol', pdfVersion: 1, nextActor: 'approver', allowedActions: ['approve', 'reject', 'cancel'], invoiceNumber: confirmed.invoiceNumber })
    expect(first.pdfs.map((p) => p.version)).toEqual([1])
    expect(first.preview!.lines.find((l) => l.lineId === lineId)!.description).toBe(HTML)
    expect(first.preview!.lines.find((l) => l.kind === 'manual')!.reason).toBe(SQL)

    const ownApproval = await act(id, 'approve', 'maker', { pdfVersion: 1 })
    expect(ownApproval.status).toBe(403)
    expect(await ownApproval.json()).toMatchObject({ code: 'MAKER_CHECKER', message: expect.stringContaining('carol confirmed this invoice'), state: 'awaiting_approval' })
    const notOpened = await act(id, 'approve', 'approver', { pdfVersion: 2 })
    expect(notOpened.status).toBe(409)
    expect(await notOpened.json()).toMatchObject({ code: 'STALE_PDF', message: expect.stringContaining('the current one is 1') })

    expect(await outcome(await act(id, 'reject', 'approver', { pdfVersion: 1, reason: `${SQL} ${HTML}` }))).toMatchObject({ state: 'awaiting_confirmation', invoiceNumber: first.invoiceNumber })
    expect(await outcome(await act(id, 'confirm', 'accountant', { fingerprint: preview.sourceFingerprint }))).toMatchObject({ state: 'awaiting_approval', pdfVersion: 2, invoiceNumber: first.invoiceNumber })
    const second = await get(id)
    expect(second.pdfs.map((p) => p.version)).toEqual([1, 2])

    const listed = (await (await t.call('GET', `/invoices?number=${second.invoiceNumber}`)).json()) as { items: { id: string; nextActor: string; total: string }[] }
    expect(listed.items).toEqual([expect.objectContaining({ id, nextActor: 'approver', total: second.totals!.total })])

    const pdf = await t.call('GET', path(id, '/pdf'), { as: 'viewer' })
    expect(pdf.status).toBe(200)
    expect(pdf.headers.get('Content-Type')).toBe('application/pdf')
    expect(pdf.headers.get('X-Pdf-Version')).toBe('2')
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

    expect(await outcome(await act(id, 'cancel', 'approver', { reason: 'client terminated the contract' }))).toMatchObject({ state: 'cancelled', previousState: 'awaiting_approval' })
    const closed = await get(id)
    expect(closed).toMatchObject({ source: 'database', workflowStatus: 'CLOSED', state: 'cancelled', allowedActions: [], nextActor: null, cancelReason: 'client terminated the contract', invoiceNumber: second.invoiceNumber })
    expect(await inv.db.invoice.findUniqueOrThrow({ where: { id: closed.invoiceId! } })).toMatchObject({ state: 'cancelled', voidReason: 'client terminated the contract' })
    const late = await act(id, 'cancel', 'approver', { reason: 'again' })
    expect(late.status).toBe(409)
    expect(await late.json()).toMatchObject({ code: 'WRONG_STATE', state: 'cancelled' })

    // The whole history, page by page; text fields come back exactly as sent; refusals are in it.
    const events: { id: string; type: string; actor: string; payload: Record<string, unknown> }[] = []
    let cursor: string | null = null
    do {
      const page = (await (await t.call('GET', path(id, `/events?limit=4${cursor ? `&cursor=${cursor}` : ''}`), { as: 'viewer' })).json()) as { items: typeof events; nextCursor: string | null }
      expect(page.items.length).toBeLessThanOrEqual(4)
      events.push(...page.items)
      cursor = page.nextCursor
    } while (cursor)
    expect(events.map((e) => Number(e.id))).toEqual([...events.map((e) => Number(e.id))].sort((a, b) => a - b))
    expect(events.map((e) => e.type)).toEqual(expect.arrayContaining(['state_prefilling', 'finalized', 'pdf_rendered', 'rejected', 'state_cancelled', 'action_refused']))
    expect(events.find((e) => e.type === 'state_prefilling')!.actor).toBe('alice')
    expect(events.find((e) => e.type === 'rejected')).toMatchObject({ actor: 'bob', payload: { reason: `${SQL} ${HTML}` } })
    const refused = events.filter((e) => e.type === 'action_refused').map((e) => `${e.actor}:${String(e.payload.action)}:${String(e.payload.code)}`)
    expect(refused.sort()).toEqual(['alice:confirm:INVALID_EDIT', 'alice:confirm:STALE_PREVIEW', 'bob:approve:STALE_PDF', 'bob:approve:WRONG_STATE', 'carol:approve:MAKER_CHECKER'])
    expect((await t.call('GET', path(id, '/events?cursor=abc'))).status).toBe(400)
  })

  it('refuses NUL and oversized values with 400 naming the field, before anything reaches the workflow', async () => {
    const id = await start(D.tmEurForeignDe, randomPeriod())
    const fingerprint = (await get(id)).preview!.sourceFingerprint
    const nul = await act(id, 'cancel', 'accountant', { reason: 'a\u0000b' })
    expect(nul.status).toBe(400)
    expect(await nul.json()).toMatchObject({ code: 'VALIDATION_FAILED', issues: [{ field: 'body.reason', problem: expect.stringContaining('NUL') }] })
    const big = await act(id, 'confirm', 'accountant', { fingerprint, edits: { addLines: [{ description: 'x', quantity: '99999999999', unit: 'item', rate: '99999999999014', reason: 'x' }] } })
    expect(big.status).toBe(400)
    expect(await big.json()).toMatchObject({ issues: [{ field: 'body.edits.addLines.0.quantity', problem: expect.stringContaining('at most 10 digits') }] })
    expect((await act(id, 'cancel', 'accountant', { reason: 'x'.repeat(2001) })).status).toBe(400)
    expect((await get(id)).state).toBe('awaiting_confirmation')
    expect(await outcome(await act(id, 'cancel', 'accountant', { reason: 'test over' }))).toMatchObject({ state: 'cancelled' })
  })

  it('Prefer: respond-async answers 202 once the workflow accepted the action, with a link that reads its outcome; Idempotency-Key makes a retry the same action', async () => {
    const id = await start(D.tmEurForeignDe, randomPeriod())
    const fingerprint = (await get(id)).preview!.sourceFingerprint
    const wrong = await act(id, 'approve', 'approver', { pdfVersion: 1 }, t, { Prefer: 'respond-async' })
    expect(wrong.status).toBe(409)
    const accepted = await act(id, 'confirm', 'accountant', { fingerprint }, t, { Prefer: 'respond-async', 'Idempotency-Key': 'confirm-once' })
    expect(accepted.status).toBe(202)
    const body = (await accepted.json()) as { outcome: string; updateId: string }
    expect(body).toMatchObject({ outcome: 'accepted', action: 'confirm' })
    const location = accepted.headers.get('Location')!
    expect(location).toBe(path(id, `/actions/${encodeURIComponent(body.updateId)}?runId=${(await get(id)).runId}`))
    const read = await waitFor(() => t.call('GET', location, { as: 'viewer' }), (r) => r.status === 200, 30_000)
    const done = (await read.json()) as { state: string; pdfVersion: number }
    expect(done).toMatchObject({ outcome: 'applied', state: 'awaiting_approval', pdfVersion: 1 })
    // The same request again (a client retrying after a lost answer): the same outcome, one PDF.
    const retried = await outcome(await act(id, 'confirm', 'accountant', { fingerprint }, t, { 'Idempotency-Key': 'confirm-once' }))
    expect(retried).toMatchObject({ updateId: body.updateId, state: 'awaiting_approval', pdfVersion: 1 })
    expect((await get(id)).pdfs).toHaveLength(1)
    expect((await t.call('GET', path(id, '/actions/nope'), { as: 'viewer' })).status).toBe(404)
    // The key belongs to one action: the same key on another action is another action.
    const cancelled = await outcome(await act(id, 'cancel', 'accountant', { reason: 'test over' }, t, { 'Idempotency-Key': 'confirm-once' }))
    expect(cancelled).toMatchObject({ state: 'cancelled' })
    expect(cancelled.updateId).not.toBe(body.updateId)
    // Sent again after the run ended: the first answer, not a refusal.
    expect(await outcome(await act(id, 'cancel', 'accountant', { reason: 'test over' }, t, { 'Idempotency-Key': 'confirm-once' }))).toMatchObject({ updateId: cancelled.updateId, state: 'cancelled' })
    expect((await act(id, 'cancel', 'accountant', { reason: 'again' })).status).toBe(409)
  })

  it('lists from the read model with filters, "waiting for me" and cursor paging', async () => {
    // A one-day period decades ahead, drawn from 10 000: no other test or earlier run uses it,
    // so the list holds exactly this test's two invoices (the test database outlives runs).
    const day = Date.UTC(2045, 0, 1) + randomInt(0, 10_000) * DAY
    const period = `${new Date(day).toISOString().slice(0, 10)}..${new Date(day + DAY).toISOString().slice(0, 10)}`
    const ids = [await start(D.fixedMonthlyUzs, period), await start(D.retainerUsd, period)]
    type Page = { items: { id: string; state: string; dealId: string; period: string; workflowStatus: string; nextActor: string | null }[]; nextCursor: string | null }
    const list = async (query: string) => (await (await t.call('GET', `/invoices?${query}`, { as: 'viewer' })).json()) as Page

    const all = await list(`period=${period}&state=awaiting_confirmation`)
    expect(all.items.map((i) => i.id).sort()).toEqual([...ids].sort())
    expect(all.items[0]).toMatchObject({ state: 'awaiting_confirmation', workflowStatus: 'RUNNING', nextActor: 'accountant' })
    expect((await list(`period=${period}&nextActor=accountant`)).items).toHaveLength(2)
    expect((await list(`period=${period}&nextActor=approver`)).items).toEqual([])

    const first = await list(`period=${period}&limit=1`)
    expect(first.items).toHaveLength(1)
    expect(first.nextCursor).toEqual(expect.any(String))
    const second = await list(`period=${period}&limit=1&cursor=${first.nextCursor}`)
    expect(second.items).toHaveLength(1)
    expect(second.items[0]!.id).not.toBe(first.items[0]!.id)
    expect(second.nextCursor).toBeNull()

    expect((await list(`dealId=${D.retainerUsd}&period=${period}`)).items.map((i) => i.id)).toEqual([ids[1]])
    expect((await list(`period=${period}&state=completed`)).items).toEqual([])
    expect((await t.call('GET', `/invoices?limit=101`)).status).toBe(400)
    expect((await t.call('GET', `/invoices?cursor=abc`)).status).toBe(400)
    for (const id of ids) await act(id, 'cancel', 'accountant', { reason: 'test over' })
  })

  it('needs_attention: operators (admin) retry; a step that may not be skipped is refused; cancel ends it', async () => {
    const id = await start(D.retainerUsd, randomPeriod())
    const fingerprint = (await get(id)).preview!.sourceFingerprint
    failNextRender = true
    const confirmed = await outcome(await act(id, 'confirm', 'accountant', { fingerprint }))
    expect(confirmed).toMatchObject({ state: 'needs_attention', attention: { step: 'render_pdf', reason: expect.stringContaining('Gotenberg answered 400') } })
    const parked = await get(id)
    expect(parked).toMatchObject({ nextActor: 'operator', allowedActions: ['retry', 'skip', 'cancel'], attention: { step: 'render_pdf' } })

    expect((await act(id, 'retry', 'accountant')).status).toBe(403)
    expect(await (await act(id, 'skip', 'admin', { reason: '   ' })).json()).toMatchObject({ issues: [{ field: 'body.reason', problem: 'is required' }] })
    const skipped = await act(id, 'skip', 'admin', { reason: 'no PDF this time' })
    expect(skipped.status).toBe(409)
    expect(await skipped.json()).toMatchObject({ code: 'NOT_SKIPPABLE', state: 'needs_attention' })

    failNextRender = true
    const retried = await outcome(await act(id, 'retry', 'admin'))
    expect(retried).toMatchObject({ previousState: 'needs_attention', state: 'needs_attention', attention: { step: 'render_pdf' } })
    expect((await act(id, 'confirm', 'accountant', { fingerprint })).status).toBe(409)
    // Nothing reached an external system: cancel is allowed, and the numbered invoice is kept as void.
    expect(await outcome(await act(id, 'cancel', 'accountant', { reason: 'start again next month' }))).toMatchObject({ state: 'cancelled', invoiceNumber: confirmed.invoiceNumber })
    const events = (await (await t.call('GET', path(id, '/events?limit=100'))).json()) as { items: { type: string; actor: string; payload: Record<string, unknown> }[] }
    expect(events.items.filter((e) => e.type === 'step_retried').map((e) => e.actor)).toEqual(['ada'])
    expect(events.items.some((e) => e.type === 'action_refused' && e.payload.code === 'NOT_SKIPPABLE' && e.actor === 'ada')).toBe(true)
  })

  it('answers 404 for an unknown invoice on every invoice route', async () => {
    const id = `invoice:${unknownDeal}:2031-01`
    for (const [method, suffix, as, body] of [
      ['GET', '', 'viewer', undefined],
      ['GET', '/pdf', 'viewer', undefined],
      ['GET', '/events', 'viewer', undefined],
      ['POST', '/confirm', 'accountant', { fingerprint: 'x' }],
      ['POST', '/refresh', 'accountant', undefined],
      ['POST', '/approve', 'approver', { pdfVersion: 1 }],
      ['POST', '/reject', 'approver', { pdfVersion: 1, reason: 'x' }],
      ['POST', '/cancel', 'approver', { reason: 'x' }],
      ['POST', '/retry', 'admin', undefined],
      ['POST', '/skip', 'admin', { reason: 'x' }],
    ] as const) {
      const res = await t.call(method, path(id, suffix), { as, body })
      expect(res.status, `${method} ${suffix}`).toBe(404)
      expect(await res.json()).toMatchObject({ code: 'NOT_FOUND', message: `no invoice with id ${id}` })
    }
  })

  it('while the worker is down, GET answers from the read model; an action waits for the worker and then answers its outcome', async () => {
    const queue = uniqueName('api-worker-down')
    const app = await createTestApp({ taskQueue: queue, queryTimeoutMs: 1_000 })
    let own = await createTestWorker(app.env, { taskQueue: queue, activities: inv.activities })
    let ownRun = own.run()
    try {
      const id = await start(D.tmEurForeignDe, randomPeriod(), app)
      const preview = (await get(id, app)).preview!
      await act(id, 'confirm', 'accountant', { fingerprint: preview.sourceFingerprint }, app)
      const live = await get(id, app)

      own.shutdown()
      await ownRun
      const stored = await get(id, app)
      expect(stored).toMatchObject({ source: 'database', state: 'awaiting_approval', invoiceNumber: live.invoiceNumber, confirmedBy: 'alice', pdfVersion: 1 })
      expect(stored.pdfs.map((p) => p.version)).toEqual([1])
      expect(stored.totals!.total).toBe(live.totals!.total)
      const liveView = await get(id, app, '?live=true')
      expect(liveView).toMatchObject({ source: 'database', notice: expect.stringContaining('is the worker running?') })

      // Nobody takes an action while no worker runs: after 5 s the answer says so (503), and a
      // retry with the same key would learn what became of it.
      const unanswered = await act(id, 'retry', 'admin', undefined, app, { Prefer: 'respond-async' })
      expect(unanswered.status).toBe(503)
      expect(await unanswered.json()).toMatchObject({ code: 'SERVICE_UNAVAILABLE', message: expect.stringContaining('is the worker running?') })
      expect(unanswered.headers.get('Retry-After')).toBe('5')

      const cancelling = act(id, 'cancel', 'approver', { reason: 'while the worker was down' }, app)
      await new Promise((resolve) => setTimeout(resolve, 1_000))
      own = await createTestWorker(app.env, { taskQueue: queue, activities: inv.activities })
      ownRun = own.run()
      expect(await outcome(await cancelling)).toMatchObject({ state: 'cancelled', previousState: 'awaiting_approval' })
      expect(await get(id, app)).toMatchObject({ state: 'cancelled', cancelReason: 'while the worker was down' })
    } finally {
      own.shutdown()
      await ownRun
      await app.dispose()
    }
  })
})
