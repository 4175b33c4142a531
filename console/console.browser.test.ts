import { randomInt } from 'node:crypto'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp, type TestUser } from '../api/create-test-app.js'
import { ISSUES } from '../sources/columns.js'
import { SAMPLE_DEALS } from '../sources/generate/catalog.js'
import { toIssueRow } from '../sources/generate/rows.js'
import { reloadUntilVisible, startConsoleBrowser, type ConsoleBrowser, type ConsoleUser } from '../test-support/browser.js'
import { runInvoiceWorker, waitFor, type RunningInvoiceWorker } from '../test-support/invoice-env.js'
import { insertTestDeal, syncWorklogs, testIssueId, testWorklogId } from '../test-support/source-rows.js'
import { uniqueName } from '../test-support/temporal.js'
import { formatMoney, NEXT_STEP, WORDS } from './i18n.js'

const W = WORDS.en
/** An amount as the English pages write it. */
const usd = (amount: string) => formatMoney(amount, 'USD', 'en')

/**
 * The finance console in a real browser (headless Chromium through playwright-core) against
 * the real app on a port, a worker with the real activities, Temporal, PostgreSQL, Gotenberg,
 * moto, Mailpit and the PlanFact fake: each journey asserts what the user sees. A deal of its
 * own per test at APP-1001's terms (45 USD/h, VAT 12 %), with a Task (Development) and a Bug
 * (Bug fixing): 4 h x 45 = 180.00 and 2 h x 45 = 90.00; 270.00 + 32.40 VAT = 302.40.
 * Screenshots go to .local/console-screenshots/.
 */
describe('finance console in a browser', { timeout: 90_000 }, () => {
  let t: TestApp
  let worker: RunningInvoiceWorker
  let web: ConsoleBrowser
  const taskQueue = uniqueName('console-browser')
  const started = new Set<string>()

  beforeAll(async () => {
    t = await createTestApp({ taskQueue })
    ;[worker, web] = await Promise.all([runInvoiceWorker(t.env, 'console-browser', { taskQueue }), startConsoleBrowser(t.app)])
  })
  // What went wrong in the pages is asserted per journey.
  beforeEach(() => {
    web.problems.length = 0
  })
  afterAll(async () => {
    for (const id of started) {
      const handle = t.env.client.workflow.getHandle(id)
      if ((await handle.describe().then((d) => d.status.name, () => null)) === 'RUNNING') await handle.terminate('console browser test over')
    }
    await web?.close()
    await worker?.stop()
    await t?.dispose()
  })

  interface TestDeal {
    dealId: string
    projectKey: string
    taskIssue: number
  }
  interface Started extends TestDeal {
    id: string
    fingerprint: string
    /** The invoice's page in the console. */
    page: string
  }
  const invoicePage = (id: string) => `/app/invoices/${encodeURIComponent(id)}`

  /** A deal of its own with 4 h of Development (a Task) and 2 h of Bug fixing (a Bug) in October. */
  async function prepareDeal(): Promise<TestDeal> {
    const ch = worker.inv.clickhouse.client
    const { dealId, projectKey } = await insertTestDeal(ch, SAMPLE_DEALS.tmUsdUzEInvoicing)
    const taskIssue = randomInt(1_000, 900_000)
    const bugIssue = taskIssue + 1
    await insertIssues([
      { issue: taskIssue, projectKey, issueType: 'Task' },
      { issue: bugIssue, projectKey, issueType: 'Bug' },
    ])
    await syncWorklogs(ch, [
      { id: testWorklogId(), projectKey, issue: taskIssue, startedAt: '2026-10-05T06:00:00Z', seconds: 4 * 3600 },
      { id: testWorklogId(), projectKey, issue: bugIssue, startedAt: '2026-10-20T06:00:00Z', seconds: 2 * 3600 },
    ])
    started.add(`invoice:${dealId}:2026-10`)
    return { dealId, projectKey, taskIssue }
  }

  /** Such a deal's invoice, started through the API as the accountant (once its preview is there). */
  async function startInvoice(): Promise<Started> {
    const deal = await prepareDeal()
    const res = await t.call('POST', '/invoices', { as: 'accountant', body: { dealId: deal.dealId, period: '2026-10' }, headers: { Prefer: 'wait=30' } })
    expect(res.status, await res.clone().text()).toBe(201)
    const body = (await res.json()) as { id: string; state: string; preview: { sourceFingerprint: string; total: string } }
    expect(body).toMatchObject({ state: 'awaiting_confirmation', preview: { total: '302.40' } })
    return { ...deal, id: body.id, fingerprint: body.preview.sourceFingerprint, page: invoicePage(body.id) }
  }

  async function insertIssues(issues: { issue: number; projectKey: string; issueType: string }[]): Promise<void> {
    const version = Date.now()
    const rows = issues.map((i) => ({
      issueId: testIssueId(i.issue),
      issueKey: `${i.projectKey}-${i.issue}`,
      projectKey: i.projectKey,
      issueType: i.issueType,
      priority: 'Medium',
      status: 'Open',
      summary: `${i.issueType} ${i.issue}`,
      labels: [],
      components: [],
      version,
      deleted: false,
      syncedAtMs: version,
      pass: 1,
    }))
    await worker.inv.clickhouse.client.insert({ table: ISSUES.table, values: rows.map(toIssueRow), format: 'JSONEachRow' })
  }

  async function api(method: string, path: string, as: TestUser, body?: unknown): Promise<Record<string, unknown>> {
    const res = await t.call(method, path, { as, ...(body === undefined ? {} : { body }) })
    expect(res.status, await res.clone().text()).toBe(200)
    return (await res.json()) as Record<string, unknown>
  }
  const apiPath = (id: string, suffix = '') => `/invoices/${encodeURIComponent(id)}${suffix}`
  const state = (id: string) => api('GET', apiPath(id), 'viewer').then((i) => String(i.state))

  type Page = ConsoleUser['page']
  /** The invoice page's title: "<number or id> <state>". */
  const heading = (page: Page, text: string | RegExp) => page.getByRole('heading', { level: 1, name: text })
  const button = (page: Page, name: string) => page.getByRole('button', { name, exact: true })
  /** The approve button (its name carries the PDF version it approves). */
  const approveButton = (page: Page) => page.getByRole('button', { name: new RegExp(`^${W.approve}( v\\d+)?$`) })
  /** The outcome of the last action: done (role status) or refused (role alert). */
  const done = (page: Page, text: string | RegExp) => page.getByRole('status').filter({ hasText: text })
  const refused = (page: Page, text: string) => page.getByRole('alert').filter({ hasText: `${W.refused}: ${text}` })
  /** A line of the preview by its description: a text box "Description: …" while it may be edited, its first cell's text after. */
  const line = (page: Page, description: string) =>
    page
      .getByRole('row')
      .filter({ has: page.getByRole('textbox', { name: `${W.description}: ${description}`, exact: true }) })
      .or(page.getByRole('row').filter({ has: page.getByRole('cell').filter({ hasText: new RegExp(`^${description}`) }) }))
  const totalRow = (page: Page) => page.getByRole('row', { name: new RegExp(`^${W.total} `) })

  it('an accountant starts an invoice, opens it from the list, drops a line, adds a manual line and confirms: awaiting approval, with the edits', async () => {
    const deal = await prepareDeal()
    const id = `invoice:${deal.dealId}:2026-10`
    const { page } = await web.signIn('accountant')

    // The start form on the list; the console waits for the prefill (or says it is still working).
    const start = page.locator('form', { has: button(page, W.start) })
    await start.getByLabel(W.deal, { exact: true }).fill(deal.dealId)
    await start.getByLabel(W.period, { exact: true }).fill('2026-10')
    await button(page, W.start).click()
    await page.waitForURL((url) => url.pathname === invoicePage(id))
    await reloadUntilVisible(page, heading(page, `${id} awaiting_confirmation`))

    // Back to the list, narrowed to the deal with the filter form; the read model may lag a moment.
    await page.getByRole('link', { name: W.invoices, exact: true }).click()
    const filters = page.locator('form', { has: button(page, W.filter) })
    await filters.getByLabel(W.deal, { exact: true }).fill(deal.dealId)
    await button(page, W.filter).click()
    const link = page.getByRole('link', { name: id, exact: true })
    await reloadUntilVisible(page, link)
    const row = page.getByRole('row').filter({ has: link })
    expect(await row.textContent()).toContain('awaiting_confirmation')
    expect(await row.textContent()).toContain(usd('302.40'))
    await web.screenshot(page, 'list')

    await link.click()
    await heading(page, `${id} awaiting_confirmation`).waitFor()
    expect(await line(page, 'Development').textContent()).toContain(usd('180.00'))
    expect(await line(page, 'Bug fixing').textContent()).toContain(usd('90.00'))
    expect(await totalRow(page).textContent()).toContain(usd('302.40'))
    await web.screenshot(page, 'invoice-awaiting-confirmation')

    await line(page, 'Bug fixing').getByRole('checkbox', { name: W.drop }).check()
    // A manual line: first without its reason, which the API refuses beside the field.
    const manual = page.locator('tr[data-row]').first()
    await manual.getByLabel(W.description, { exact: true }).fill('Licence for the test server')
    await manual.getByLabel(W.quantity, { exact: true }).fill('1')
    await manual.getByLabel(W.unit, { exact: true }).selectOption('item')
    await manual.getByLabel(W.rate, { exact: true }).fill('50.00')
    await button(page, W.confirm).click()
    await refused(page, 'body.edits.addLines.0.reason: is required').waitFor()
    expect(await page.getByRole('alert').textContent()).toContain(NEXT_STEP.en.VALIDATION_FAILED)
    const kept = page.locator('tr[data-row]').first()
    expect(await kept.getByLabel(W.description, { exact: true }).inputValue()).toBe('Licence for the test server')
    expect(await kept.locator('.field-error').textContent()).toBe('is required')
    expect(await line(page, 'Bug fixing').getByRole('checkbox', { name: W.drop }).isChecked()).toBe(true)
    await web.screenshot(page, 'refusal-manual-line-reason')
    await kept.getByLabel(W.reason, { exact: true }).fill('agreed in the contract, clause 4')
    await button(page, W.confirm).click()
    await done(page, 'confirm: awaiting_approval').waitFor()
    await heading(page, /awaiting_approval$/).waitFor()
    expect(await line(page, 'Bug fixing').count()).toBe(0)
    expect(await line(page, 'Development').textContent()).toContain(usd('180.00'))
    expect(await line(page, 'Licence for the test server').textContent()).toContain('agreed in the contract, clause 4')
    expect(await line(page, 'Licence for the test server').textContent()).toContain(usd('50.00'))
    expect(await totalRow(page).textContent()).toContain(usd('257.60')) // 180.00 + 50.00 = 230.00 + 27.60 VAT
    // An accountant may not approve, and it is confirmed: neither button is there.
    expect(await approveButton(page).count()).toBe(0)
    expect(await button(page, W.confirm).count()).toBe(0)
    expect(await state(id)).toBe('awaiting_approval')
    expect(web.problems).toEqual([])
  })

  it('the approver sees the PDF inline and approves: the invoice goes on to delivery', async () => {
    const invoice = await startInvoice()
    const confirmed = await api('POST', apiPath(invoice.id, '/confirm'), 'accountant', { fingerprint: invoice.fingerprint })
    expect(confirmed).toMatchObject({ state: 'awaiting_approval', pdfVersion: 1 })
    const number = String(confirmed.invoiceNumber)
    const { page } = await web.signIn('approver')

    // From "waiting for me: to approve" (the approver's queue) to the invoice.
    await page.getByRole('link', { name: new RegExp(`^${W.mine_approver} \\(\\d+\\)$`) }).click()
    await heading(page, new RegExp(W.mine_approver)).waitFor()
    const link = page.getByRole('link', { name: number, exact: true })
    await reloadUntilVisible(page, link)
    const pdfAnswer = page.waitForResponse((r) => new URL(r.url()).pathname === `${invoice.page}/pdf`)
    await link.click()
    await heading(page, `${number} awaiting_approval`).waitFor()

    const frame = page.getByTitle(`${W.pdf} v1`, { exact: true })
    expect(await frame.evaluate((el) => el.tagName)).toBe('IFRAME')
    expect(new URL(String(await frame.getAttribute('src')), web.url).pathname).toBe(`${invoice.page}/pdf`)
    const pdf = await pdfAnswer
    expect(pdf.status()).toBe(200)
    expect(pdf.headers()['content-type']).toBe('application/pdf')
    expect(pdf.headers()['content-disposition']).toMatch(/^inline; filename=/)
    // The same URL with bob's session cookie answers the PDF itself.
    const bytes = await page.request.get(String(await frame.getAttribute('src')))
    expect((await bytes.body()).subarray(0, 5).toString()).toBe('%PDF-')
    await web.screenshot(page, 'invoice-awaiting-approval-pdf')

    await approveButton(page).click()
    await done(page, new RegExp(`^${W.done}: approve: `)).waitFor()
    // Delivery: PlanFact, R2 and the e-mail, then the invoice waits for its money.
    await reloadUntilVisible(page, heading(page, `${number} awaiting_payment`), 60_000)
    expect(await page.getByRole('row', { name: /^planfact done/ }).count()).toBeGreaterThanOrEqual(1)
    expect(await approveButton(page).count()).toBe(0)
    await web.screenshot(page, 'invoice-delivered')
    expect(web.problems).toEqual([])
  })

  it('carol confirms, then is refused when she approves her own invoice (maker-checker)', async () => {
    const invoice = await startInvoice()
    const { page } = await web.signIn('maker')
    await page.goto(invoice.page)
    await heading(page, /awaiting_confirmation$/).waitFor()
    await button(page, W.confirm).click()
    await done(page, 'confirm: awaiting_approval').waitFor()

    // She may approve in general (an approver too): the button is there, the workflow refuses.
    await approveButton(page).click()
    await refused(page, 'carol confirmed this invoice and may not also approve it (maker-checker): another approver must').waitFor()
    expect(await page.getByRole('alert').textContent()).toContain(NEXT_STEP.en.MAKER_CHECKER)
    await heading(page, /awaiting_approval$/).waitFor()
    await web.screenshot(page, 'refusal-maker-checker')
    expect(await state(invoice.id)).toBe('awaiting_approval')
    expect(web.problems).toEqual([])
  })

  it('a stale preview: the work changed after the page was opened; confirm is refused, refresh shows the new work, confirm then succeeds', async () => {
    const invoice = await startInvoice()
    const { page } = await web.signIn('accountant')
    await page.goto(invoice.page)
    await heading(page, /awaiting_confirmation$/).waitFor()
    expect(await line(page, 'Development').textContent()).toContain(usd('180.00'))

    // Meanwhile a late worklog arrives in ClickHouse: one more hour of Development.
    await syncWorklogs(worker.inv.clickhouse.client, [{ id: testWorklogId(), projectKey: invoice.projectKey, issue: invoice.taskIssue, startedAt: '2026-10-12T06:00:00Z', seconds: 3600 }])
    await button(page, W.confirm).click()
    await refused(page, 'the source data changed since this preview was computed: refresh it, check it, and confirm again').waitFor()
    expect(await page.getByRole('alert').textContent()).toContain(NEXT_STEP.en.STALE_PREVIEW)
    await heading(page, /awaiting_confirmation$/).waitFor()
    await web.screenshot(page, 'refusal-stale-preview')

    await button(page, W.refresh).click()
    await done(page, 'refresh: awaiting_confirmation').waitFor()
    expect(await line(page, 'Development').textContent()).toContain(usd('225.00')) // 5 h x 45
    expect(await totalRow(page).textContent()).toContain(usd('352.80')) // 315.00 + 37.80 VAT
    await button(page, W.confirm).click()
    await done(page, 'confirm: awaiting_approval').waitFor()
    await heading(page, /awaiting_approval$/).waitFor()
    expect(web.problems).toEqual([])
  })

  it('an operator sees why a dispatch step needs attention, retries it once the cause is fixed, and the invoice is delivered', async () => {
    const invoice = await startInvoice()
    const confirmed = await api('POST', apiPath(invoice.id, '/confirm'), 'accountant', { fingerprint: invoice.fingerprint })
    const number = String(confirmed.invoiceNumber)
    const planfact = worker.inv.planfact
    planfact.setBehavior({ forbiddenCode: 'TariffAccessDenied' }) // PlanFact refuses every call: a permanent refusal
    try {
      await api('POST', apiPath(invoice.id, '/approve'), 'approver', { pdfVersion: 1 })
      await waitFor(() => state(invoice.id), (s) => s === 'needs_attention', 60_000)

      const { page } = await web.signIn('admin')
      await page.goto(invoice.page)
      await heading(page, `${number} needs_attention`).waitFor()
      expect(await page.getByText(`${W.attention}: planfact: `).textContent()).toContain('TariffAccessDenied')
      await web.screenshot(page, 'invoice-needs-attention')

      planfact.setBehavior({ forbiddenCode: null }) // the tariff is upgraded
      await button(page, W.retry).click()
      await done(page, new RegExp(`^${W.done}: retry: `)).waitFor()
      await reloadUntilVisible(page, heading(page, `${number} awaiting_payment`), 60_000)
      expect(await page.getByText(`${W.attention}:`).count()).toBe(0)
      expect(await page.getByRole('row', { name: /^planfact done/ }).count()).toBeGreaterThanOrEqual(1)
      expect(await page.getByRole('cell', { name: 'step_retried', exact: true }).count()).toBe(1)
      await web.screenshot(page, 'invoice-retried-delivered')
    } finally {
      planfact.setBehavior({ forbiddenCode: null })
    }
    expect(planfact.state.operations.filter((o) => o.externalId === String(confirmed.invoiceId))).toHaveLength(1)
    expect(web.problems).toEqual([])
  })
  it('while PlanFact is down the page shows the step, its attempt and the last error; once it is back the invoice is delivered', async () => {
    const invoice = await startInvoice()
    const confirmed = await api('POST', apiPath(invoice.id, '/confirm'), 'accountant', { fingerprint: invoice.fingerprint })
    const number = String(confirmed.invoiceNumber)
    const planfact = worker.inv.planfact
    planfact.setBehavior({ outage: true }) // 503 to every call: retried by Temporal
    try {
      await api('POST', apiPath(invoice.id, '/approve'), 'approver', { pdfVersion: 1 })
      // The API says what the run is working on: the attempt and the 503 behind it.
      const busy = await waitFor(
        () => api('GET', apiPath(invoice.id), 'viewer'),
        (i) => ((i.stepsInFlight as { attempt: number }[] | undefined) ?? []).some((s) => s.attempt >= 2),
        30_000,
      )
      expect(busy).toMatchObject({ state: 'dispatching', stepsInFlight: [{ activity: 'syncPlanFact', lastFailure: expect.stringContaining('503') }] })
      const { page } = await web.signIn('admin')
      await page.goto(invoice.page)
      const step = page.locator('[data-step]')
      await step.first().waitFor()
      expect(await step.first().textContent()).toMatch(new RegExp(`^${W.working}: syncPlanFact, ${W.attempt} \\d+ · ${W.lastError}: .*503`))
      await web.screenshot(page, 'invoice-dispatch-retrying')
      planfact.setBehavior({ outage: false })
      await reloadUntilVisible(page, heading(page, `${number} awaiting_payment`), 90_000)
      expect(await page.locator('[data-step]').count()).toBe(0)
    } finally {
      planfact.setBehavior({ outage: false })
    }
    expect(planfact.state.operations.filter((o) => o.externalId === String(confirmed.invoiceId))).toHaveLength(1)
    expect(web.problems).toEqual([])
  })

  it('after delivery: the accountant credits an hour, the approver approves the credit note, the rest is paid by hand', async () => {
    const invoice = await startInvoice()
    const confirmed = await api('POST', apiPath(invoice.id, '/confirm'), 'accountant', { fingerprint: invoice.fingerprint })
    await api('POST', apiPath(invoice.id, '/approve'), 'approver', { pdfVersion: 1 })
    await waitFor(() => state(invoice.id), (s) => s === 'awaiting_payment', 60_000)
    const number = String(confirmed.invoiceNumber)

    const { page } = await web.signIn('accountant')
    await page.goto(invoice.page)
    await heading(page, `${number} awaiting_payment`).waitFor()
    const credit = page.locator('form', { has: button(page, W.draftCreditNote) })
    await credit.getByRole('checkbox', { name: `${W.creditLine}: Development` }).check()
    await credit.getByLabel(`${W.hours}: Development`).fill('1')
    await credit.getByLabel(W.reason, { exact: true }).fill('one hour was an internal meeting')
    await button(page, W.draftCreditNote).click()
    await heading(page, /awaiting_confirmation$/).waitFor()
    expect(await totalRow(page).textContent()).toContain(usd('50.40')) // 1 h x 45 = 45.00 + 5.40 VAT
    await button(page, W.confirm).click()
    await done(page, 'confirm: awaiting_approval').waitFor()
    const creditNotePage = new URL(page.url()).pathname
    await web.screenshot(page, 'credit-note-confirmed')

    const approver = (await web.signIn('approver')).page
    await approver.goto(creditNotePage)
    expect(await approver.getByTitle(`${W.pdf} v1`, { exact: true }).count()).toBe(1)
    await approveButton(approver).click()
    // Done, or (when the API's wait ends first, as under a full suite's load) accepted and still working.
    await done(approver, new RegExp(`^(${W.done}: approve: |${W.accepted.split(':')[0]}:)`)).waitFor()
    // Booked, stored and e-mailed; on a failure, say where the credit note stands.
    await reloadUntilVisible(approver, heading(approver, /completed$/), 120_000).catch(async (err: Error) => {
      const id = decodeURIComponent(creditNotePage.split('/').pop()!)
      throw new Error(`${err.message}; the credit note: ${JSON.stringify(await api('GET', `/credit-notes/${encodeURIComponent(id)}`, 'viewer'))}`)
    })

    await page.goto(invoice.page)
    expect(await page.getByText(`${W.balance} ${usd('252.00')}`).count()).toBe(1) // 302.40 - 50.40
    const payment = page.locator('form', { has: button(page, W.recordPayment) })
    await payment.getByLabel(W.amount, { exact: true }).fill('252.00')
    await payment.getByLabel(W.reference, { exact: true }).fill(`BANK-${invoice.dealId}`)
    await button(page, W.recordPayment).click()
    await done(page, `${W.recordPayment}: paid`).waitFor()
    await heading(page, `${number} paid`).waitFor()
    await web.screenshot(page, 'invoice-paid')
    expect(web.problems).toEqual([])
  })

  it('an admin adds a rate rule and sees an overlapping one refused, with what to do', async () => {
    const dealId = `RATE-${randomInt(100_000, 999_999)}`
    const { page } = await web.signIn('admin')
    await page.goto('/app/rate-rules')
    const form = page.locator('form[data-rule-form]')
    const fill = async (validFrom: string) => {
      await form.getByLabel(W.deal, { exact: true }).fill(dealId)
      await form.getByLabel(W.category, { exact: true }).fill('Development')
      await form.getByLabel(W.rate, { exact: true }).fill('50.00')
      await form.getByLabel(W.currency, { exact: true }).fill('USD')
      await form.getByLabel(W.validFrom, { exact: true }).fill(validFrom)
      await button(page, W.create).click()
    }
    await fill('2026-10-01')
    await done(page, W.done).waitFor()
    expect(await page.getByRole('row').filter({ hasText: dealId }).textContent()).toContain('deal+category')
    await fill('2026-10-15')
    await refused(page, 'rate rule ').waitFor()
    const alert = await page.getByRole('alert').textContent()
    expect(alert).toContain('of the same scope is valid 2026-10-01')
    expect(alert).toContain(NEXT_STEP.en.RATE_RULE_OVERLAP)
    expect(await page.locator('form[data-rule-form]').getByLabel(W.validFrom, { exact: true }).inputValue()).toBe('2026-10-15')
    await web.screenshot(page, 'rate-rule-overlap')
    expect(await t.db.rateRule.count({ where: { dealId } })).toBe(1)
    await t.db.rateRule.deleteMany({ where: { dealId } })
    expect(web.problems).toEqual([])
  })

  it('shows billing runs, category rules and settings, and an invoice in Russian and Uzbek', async () => {
    const invoice = await startInvoice()
    const { page } = await web.signIn('admin')
    for (const [path, title, shot] of [
      ['/app/billing-runs', W.billingRuns, 'billing-runs'],
      ['/app/category-rules', W.categoryRules, 'category-rules'],
      ['/app/settings', W.settings, 'settings'],
    ] as const) {
      await page.goto(path)
      await heading(page, title).waitFor()
      await web.screenshot(page, shot)
    }
    await page.goto(`${invoice.page}?lang=ru`)
    await heading(page, /awaiting_confirmation$/).waitFor()
    expect(await page.getByRole('button', { name: WORDS.ru.confirm, exact: true }).count()).toBe(1)
    expect(await totalRow(page).or(page.getByRole('row', { name: new RegExp(`^${WORDS.ru.total} `) })).textContent()).toMatch(/302,40\sUSD/)
    await web.screenshot(page, 'invoice-ru')
    await page.goto(`${invoice.page}?lang=uz`)
    expect(await page.getByRole('button', { name: WORDS.uz.confirm, exact: true }).count()).toBe(1)
    await page.goto(`${invoice.page}?lang=en`)
    expect(web.problems).toEqual([])
  })
})
