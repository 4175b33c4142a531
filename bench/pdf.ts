import { execFile, execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { chromium, type BrowserContext, type Page } from 'playwright-core'
import { A4_PAPER, createGotenbergClient, DEFAULT_MARGINS, isGotenbergError } from '../clients/gotenberg.js'
import type { InvoiceDocument } from '../pdf/invoice-document.js'
import { renderInvoiceHtml } from '../pdf/render-invoice-html.js'
import { renderInvoicePdf } from '../pdf/render-invoice-pdf.js'
import { makeLargeDocument } from '../pdf/test-documents.js'
import { summarize, type Stats } from './stats.js'

/**
 * Invoice PDF time through Gotenberg (as the worker renders: pdf/render-invoice-pdf.ts) against
 * the floor: a warm Chromium driven by playwright-core (one browser, one page kept open,
 * `page.setContent(html)` then `page.pdf()` with the same paper, margins, footer template and
 * background), printing the same HTML. Both paths run in the same process, interleaved run by
 * run, so machine load hits both alike: the ratio is the figure that matters.
 *
 * Cases: a 2-page invoice (invoice page + short appendix), a ~50-page appendix, the 2-page
 * invoice with Gotenberg's exiftool metadata pass; then N 2-page PDFs rendered at once with
 * concurrency 2 and 4 (throughput in PDFs/s for both paths; the floor keeps one page per slot).
 * A third path, "floor, new tab", opens and closes a page per PDF as Gotenberg does (a new
 * target per conversion): it tells the tab cost apart from Gotenberg's own overhead.
 *
 *   npx tsx bench/pdf.ts [runs] [concurrentPdfs]
 *   GOTENBERG_URL=http://127.0.0.1:3011 npx tsx bench/pdf.ts 20
 * Progress on stderr; the table on stdout; the figures in bench/results/pdf.json.
 */
const root = fileURLToPath(new URL('..', import.meta.url))
const gotenbergUrl = process.env.GOTENBERG_URL ?? 'http://127.0.0.1:3001'
const RUNS = Number(process.argv[2] ?? 20)
const CONCURRENT_PDFS = Number(process.argv[3] ?? 12)
const CONCURRENCY_ROUNDS = Number(process.env.BENCH_PDF_ROUNDS ?? 3)
const WARMUP = 3

const twoPages = makeLargeDocument({ lineCount: 5, issueCount: 25 })
const cases: { name: string; document: InvoiceDocument; writeMetadata: boolean }[] = [
  // As the worker renders them (provenance in the footer, no metadata pass)...
  { name: '2-page invoice (5 lines, 25 issues)', document: twoPages, writeMetadata: false },
  { name: '50-page appendix (5 lines, 1750 issues)', document: makeLargeDocument({ lineCount: 5, issueCount: 1750 }), writeMetadata: false },
  // ...and what the optional exiftool metadata pass would cost.
  { name: '2-page invoice, with PDF metadata', document: twoPages, writeMetadata: true },
]

const progress = (message: string) => process.stderr.write(`[bench:pdf] ${message}\n`)

async function countPages(pdf: Uint8Array): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-pdf-'))
  try {
    const file = join(dir, 'invoice.pdf')
    writeFileSync(file, pdf)
    const { stdout } = await promisify(execFile)('pdfinfo', [file])
    return Number(/^Pages:\s+(\d+)/m.exec(stdout)?.[1] ?? Number.NaN)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/** The same print settings the Gotenberg client sends (clients/gotenberg.ts). */
async function printWithPlaywright(page: Page, html: string, footerHtml: string): Promise<Uint8Array> {
  await page.setContent(html)
  return page.pdf({
    width: `${A4_PAPER.width}in`,
    height: `${A4_PAPER.height}in`,
    margin: DEFAULT_MARGINS,
    displayHeaderFooter: true,
    // Gotenberg's default header template (an empty page), so Chromium prints no date/title.
    headerTemplate: '<html><head></head><body></body></html>',
    footerTemplate: footerHtml,
    printBackground: true,
    preferCSSPageSize: false,
  })
}

async function newPage(context: BrowserContext): Promise<Page> {
  const page = await context.newPage()
  await page.emulateMedia({ media: 'print' })
  return page
}

const ratio = (a: number, b: number) => Math.round((a / b) * 100) / 100

/**
 * Gotenberg calls, retried when the answer is a retryable failure (a 500 when something on the
 * machine killed its Chromium, which then restarts): the failed attempt is not timed, the
 * number of retries is reported.
 */
let gotenbergRetries = 0
async function withRetry<T>(call: (attempt: number) => Promise<T>): Promise<{ value: T; ms: number }> {
  for (let attempt = 0; ; attempt++) {
    const started = performance.now()
    try {
      const value = await call(attempt)
      return { value, ms: performance.now() - started }
    } catch (error) {
      if (attempt >= 5 || !isGotenbergError(error) || !error.retryable) throw error
      gotenbergRetries++
      progress(`retrying after: ${error.message.slice(0, 160)}`)
      await new Promise((resolve) => setTimeout(resolve, 2_000))
    }
  }
}

async function run(): Promise<void> {
  const gotenberg = createGotenbergClient({ url: gotenbergUrl })
  const health = await gotenberg.health()
  if (!health.up) throw new Error(`Gotenberg at ${gotenbergUrl} is not up: ${JSON.stringify(health.body)}`)
  const version = (await (await fetch(`${gotenbergUrl}/version`)).text()).trim()
  const executablePath = process.env.CHROMIUM_BIN ?? execFileSync('sh', ['-c', 'command -v chromium'], { encoding: 'utf8' }).trim()
  const browser = await chromium.launch({ executablePath })
  const chromiumVersion = browser.version()
  progress(`gotenberg ${version} at ${gotenbergUrl}; floor: ${executablePath} ${chromiumVersion}; ${RUNS} runs per case`)

  try {
    // One browser context, as Gotenberg uses one (its default context, a new tab per conversion).
    const context = await browser.newContext()
    const pages = await Promise.all(Array.from({ length: 4 }, () => newPage(context)))
    const floorPage = pages[0]!

    const results = []
    for (const { name, document, writeMetadata } of cases) {
      const { html, footerHtml } = renderInvoiceHtml(document)
      let lastGotenberg: Awaited<ReturnType<typeof renderInvoicePdf>> | undefined
      let lastFloor: Uint8Array | undefined
      for (let i = 0; i < WARMUP; i++) {
        lastGotenberg = (await withRetry((a) => renderInvoicePdf({ document, gotenberg, writeMetadata, traceId: `bench:warmup:${i}:${a}` }))).value
        lastFloor = await printWithPlaywright(floorPage, html, footerHtml)
      }
      const htmlMs: number[] = []
      const gotenbergMs: number[] = []
      const floorMs: number[] = []
      const floorNewTabMs: number[] = []
      for (let i = 0; i < RUNS; i++) {
        const htmlStarted = performance.now()
        renderInvoiceHtml(document)
        htmlMs.push(performance.now() - htmlStarted)

        // Interleaved, in rotating order, so a burst of load does not land on one path only.
        const steps: (() => Promise<void>)[] = [
          async () => {
            const { value, ms } = await withRetry((a) => renderInvoicePdf({ document, gotenberg, writeMetadata, traceId: `bench:${i}:${a}` }))
            lastGotenberg = value
            gotenbergMs.push(ms)
          },
          async () => {
            const started = performance.now()
            // The floor is given the HTML ready (the Gotenberg path renders it inside renderInvoicePdf: see htmlOnlyMs).
            lastFloor = await printWithPlaywright(floorPage, html, footerHtml)
            floorMs.push(performance.now() - started)
          },
          async () => {
            const started = performance.now()
            const page = await newPage(context)
            try {
              await printWithPlaywright(page, html, footerHtml)
            } finally {
              await page.close()
            }
            floorNewTabMs.push(performance.now() - started)
          },
        ]
        for (let s = 0; s < steps.length; s++) await steps[(s + i) % steps.length]!()
        if ((i + 1) % 5 === 0) progress(`${name}: ${i + 1}/${RUNS}`)
      }
      const gotenbergPages = await countPages(lastGotenberg!.pdf)
      const floorPages = await countPages(lastFloor!)
      const gotenbergStats = summarize(gotenbergMs)
      const floorStats = summarize(floorMs)
      const floorNewTabStats = summarize(floorNewTabMs)
      const result = {
        name,
        writeMetadata,
        pages: gotenbergPages,
        floorPages,
        lines: document.lines.length,
        issues: document.appendix.length,
        pdfBytes: lastGotenberg!.sizeBytes,
        floorPdfBytes: lastFloor!.byteLength,
        runs: RUNS,
        gotenbergMs: gotenbergStats,
        floorMs: floorStats,
        floorNewTabMs: floorNewTabStats,
        ratioP50: ratio(gotenbergStats.p50, floorStats.p50),
        newTabRatioP50: ratio(floorNewTabStats.p50, floorStats.p50),
        htmlOnlyMs: summarize(htmlMs),
      }
      results.push(result)
      progress(JSON.stringify(result))
    }

    // N PDFs at once: wall time of the batch, c requests in flight at any moment.
    const concurrency = []
    const { html, footerHtml } = renderInvoiceHtml(twoPages)
    for (const c of [2, 4]) {
      const gotenbergWall: number[] = []
      const floorWall: number[] = []
      for (let round = 0; round < CONCURRENCY_ROUNDS; round++) {
        const runBatch = async (work: (slot: number, index: number) => Promise<unknown>) => {
          let next = 0
          const started = performance.now()
          await Promise.all(
            Array.from({ length: c }, async (_, slot) => {
              while (next < CONCURRENT_PDFS) await work(slot, next++)
            }),
          )
          return performance.now() - started
        }
        // A retried PDF stays inside the batch's wall time (the batch is what is measured).
        const gotenbergBatch = () =>
          runBatch((_, index) => withRetry((a) => renderInvoicePdf({ document: twoPages, gotenberg, traceId: `bench:c${c}:${round}:${index}:${a}` })))
        const floorBatch = () => runBatch((slot) => printWithPlaywright(pages[slot]!, html, footerHtml))
        if (round % 2 === 0) {
          gotenbergWall.push(await gotenbergBatch())
          floorWall.push(await floorBatch())
        } else {
          floorWall.push(await floorBatch())
          gotenbergWall.push(await gotenbergBatch())
        }
        progress(`concurrency ${c}: round ${round + 1}/${CONCURRENCY_ROUNDS}`)
      }
      const perSecond = (wall: Stats) => Math.round((CONCURRENT_PDFS / (wall.p50 / 1000)) * 10) / 10
      const gotenbergStats = summarize(gotenbergWall)
      const floorStats = summarize(floorWall)
      const result = {
        name: `${CONCURRENT_PDFS} x 2-page invoice, concurrency ${c}`,
        concurrency: c,
        pdfs: CONCURRENT_PDFS,
        rounds: CONCURRENCY_ROUNDS,
        gotenbergWallMs: gotenbergStats,
        floorWallMs: floorStats,
        gotenbergPdfsPerSecond: perSecond(gotenbergStats),
        floorPdfsPerSecond: perSecond(floorStats),
        ratioP50: ratio(gotenbergStats.p50, floorStats.p50),
      }
      concurrency.push(result)
      progress(JSON.stringify(result))
    }

    console.log('\ncase                                     | pages |    KB | Gotenberg p50 | floor p50 | ratio | new-tab floor p50 | HTML p50')
    for (const r of results) {
      console.log(
        `${r.name.padEnd(40)} | ${String(r.pages).padStart(5)} | ${String(Math.round(r.pdfBytes / 1024)).padStart(5)} | ${String(r.gotenbergMs.p50).padStart(13)} | ${String(r.floorMs.p50).padStart(9)} | ${String(r.ratioP50).padStart(5)} | ${String(r.floorNewTabMs.p50).padStart(17)} | ${String(r.htmlOnlyMs.p50).padStart(8)}`,
      )
    }
    console.log('\nbatch                                    | Gotenberg wall p50 | PDFs/s | floor wall p50 | PDFs/s | ratio')
    for (const r of concurrency) {
      console.log(
        `${r.name.padEnd(40)} | ${String(r.gotenbergWallMs.p50).padStart(18)} | ${String(r.gotenbergPdfsPerSecond).padStart(6)} | ${String(r.floorWallMs.p50).padStart(14)} | ${String(r.floorPdfsPerSecond).padStart(6)} | ${String(r.ratioP50).padStart(5)}`,
      )
    }
    mkdirSync(join(root, 'bench/results'), { recursive: true })
    writeFileSync(
      join(root, 'bench/results/pdf.json'),
      JSON.stringify(
        {
          measuredAt: new Date().toISOString(),
          gotenbergUrl,
          gotenbergVersion: version,
          floor: { executablePath, chromiumVersion, driver: 'playwright-core page.setContent + page.pdf, one page kept open' },
          node: process.version,
          warmup: WARMUP,
          gotenbergRetries,
          results,
          concurrency,
        },
        null,
        2,
      ),
    )
    console.log('\nwritten to bench/results/pdf.json')
  } finally {
    await browser.close()
  }
}

run().catch((err) => {
  console.error(err)
  process.exit(1)
})
