import { existsSync } from 'node:fs'
import { mkdir } from 'node:fs/promises'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { serve } from '@hono/node-server'
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core'
import { TEST_TOKENS, type TestApp, type TestUser } from '../api/create-test-app.js'
import { WORDS } from '../console/i18n.js'

/** Where the journeys' screenshots go (.local is gitignored). */
export const SCREENSHOT_DIR = fileURLToPath(new URL('../.local/console-screenshots/', import.meta.url))

/**
 * Debian's Chromium (installed by scripts/services/gotenberg.sh for Gotenberg), or
 * CHROMIUM_PATH. playwright-core never downloads a browser of its own.
 */
export function chromiumPath(): string {
  return process.env.CHROMIUM_PATH || '/usr/bin/chromium'
}

/** One signed-in user: a browser context of its own (its own session cookie) and a page. */
export interface ConsoleUser {
  user: TestUser
  context: BrowserContext
  page: Page
}

export interface ConsoleBrowser {
  /** http://127.0.0.1:PORT, the real app listening on a free port. */
  url: string
  browser: Browser
  /** Opens a fresh context and signs `user` in through the login form; lands on the list. */
  signIn(user: TestUser): Promise<ConsoleUser>
  /** Saves a full-page screenshot as .local/console-screenshots/<name>.png. */
  screenshot(page: Page, name: string): Promise<string>
  /** What went wrong so far: page errors, 5xx answers (refusals are 4xx), a browser that went away. Empty it per test. */
  problems: string[]
  close(): Promise<void>
}

/**
 * The real app (as `createTestApp` builds it) served with @hono/node-server on 127.0.0.1 and a
 * free port, as api/server.ts serves it, and a headless Chromium to drive it.
 */
export async function startConsoleBrowser(app: TestApp['app']): Promise<ConsoleBrowser> {
  const server = await listen(app)
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const contexts: BrowserContext[] = []
  const problems: string[] = []
  let closing = false
  const launch = async () => {
    const launched = await launchBrowser()
    launched.on('disconnected', () => {
      if (!closing) problems.push(`the browser went away (crashed, or killed: a local Gotenberg restarting its Chromium kills every "chromium/chromium" process, see scripts/services/gotenberg.sh)`)
    })
    return launched
  }
  let browser: Browser
  try {
    browser = await launch()
  } catch (err) {
    await closeServer(server)
    throw err
  }
  return {
    url,
    get browser() {
      return browser
    },
    problems,
    async signIn(user) {
      // A browser that went away fails the journey it was in (see problems), not every one after it.
      if (!browser.isConnected()) browser = await launch()
      const context = await browser.newContext({ baseURL: url, locale: 'en-US', viewport: { width: 1280, height: 900 } })
      contexts.push(context)
      // Actions wait for the workflow's outcome (a confirm renders the PDF): navigations get longer.
      context.setDefaultTimeout(30_000)
      context.setDefaultNavigationTimeout(45_000)
      const page = await context.newPage()
      page.on('pageerror', (err) => problems.push(`${user}: page error ${err.message}`))
      page.on('response', (res) => {
        if (res.status() >= 500) problems.push(`${user}: ${res.status()} from ${res.request().method()} ${res.url()}`)
      })
      await page.goto('/app')
      await page.waitForURL('**/app/login')
      await page.getByLabel(WORDS.en.token).fill(TEST_TOKENS[user])
      await page.getByRole('button', { name: WORDS.en.signIn, exact: true }).click()
      await page.getByRole('heading', { level: 1, name: WORDS.en.invoices, exact: true }).waitFor()
      return { user, context, page }
    },
    async screenshot(page, name) {
      await mkdir(SCREENSHOT_DIR, { recursive: true })
      const path = join(SCREENSHOT_DIR, `${name}.png`)
      await page.screenshot({ path, fullPage: true })
      return path
    },
    async close() {
      closing = true
      await Promise.allSettled(contexts.map((c) => c.close()))
      await browser.close()
      await closeServer(server)
    },
  }
}

export async function launchBrowser(): Promise<Browser> {
  const executablePath = chromiumPath()
  if (!existsSync(executablePath)) {
    throw new Error(`no Chromium at ${executablePath}: bash scripts/services.sh up installs Debian's chromium (for Gotenberg), or set CHROMIUM_PATH`)
  }
  return chromium.launch({
    executablePath,
    headless: true,
    timeout: 30_000,
    // --no-sandbox: the tests run as root (CI too), where Chromium's sandbox refuses to start; they
    // load only this app's pages from 127.0.0.1. --disable-dev-shm-usage: a small /dev/shm in a
    // container must not crash the renderer (Debian's launcher means to add it, but its check fails here).
    args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'],
  })
}

/**
 * Reloads `page` until `locator` is visible, for what the read model shows a moment after the
 * workflow acted (its rows are written asynchronously); fails after `timeoutMs`.
 */
export async function reloadUntilVisible(page: Page, locator: Locator, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const left = deadline - Date.now()
    try {
      await locator.first().waitFor({ state: 'visible', timeout: Math.max(1, Math.min(1_000, left)) })
      return
    } catch (err) {
      if (left <= 1_000) throw new Error(`not visible after ${timeoutMs} ms on ${page.url()}: ${String(locator)}`, { cause: err })
    }
    await page.reload()
  }
}

function listen(app: TestApp['app']): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, () => resolve(server as Server)) as Server
    server.once('error', reject)
  })
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve())
    // Chromium keeps connections alive: without this, close() waits for them to time out.
    server.closeAllConnections()
  })
}
