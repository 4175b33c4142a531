import { execFile } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { createGotenbergClient } from '../clients/gotenberg.js'
import type { InvoiceDocument } from '../pdf/invoice-document.js'
import { renderInvoiceHtml } from '../pdf/render-invoice-html.js'
import { renderInvoicePdf } from '../pdf/render-invoice-pdf.js'
import { makeLargeDocument } from '../pdf/test-documents.js'
import { summarize } from './stats.js'

/**
 * Invoice PDF generation time against the running Gotenberg, warm: a 2-page invoice (invoice
 * page + a short appendix), the same without PDF metadata (Gotenberg writes metadata with
 * exiftool, a separate process), and one with a ~50-page appendix. Each case is rendered a few times
 * to warm Chromium and the template cache, then RUNS times one after another. Prints p50/p95
 * and writes bench/results/pdf.json.
 *   npx tsx bench/pdf.ts [runs]
 */
const root = fileURLToPath(new URL('..', import.meta.url))
const gotenbergUrl = process.env.GOTENBERG_URL ?? 'http://127.0.0.1:3001'
const RUNS = Number(process.argv[2] ?? 20)
const WARMUP = 3

const twoPages = makeLargeDocument({ lineCount: 5, issueCount: 25 })
const cases: { name: string; document: InvoiceDocument; writeMetadata: boolean }[] = [
  // As the worker renders them (provenance in the footer, no metadata pass)...
  { name: '2-page invoice (5 lines, 25 issues)', document: twoPages, writeMetadata: false },
  { name: '50-page appendix (5 lines, 1750 issues)', document: makeLargeDocument({ lineCount: 5, issueCount: 1750 }), writeMetadata: false },
  // ...and what the optional exiftool metadata pass would cost.
  { name: '2-page invoice, with PDF metadata', document: twoPages, writeMetadata: true },
]


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

async function run(): Promise<void> {
  const gotenberg = createGotenbergClient({ url: gotenbergUrl })
  const health = await gotenberg.health()
  if (!health.up) throw new Error(`Gotenberg at ${gotenbergUrl} is not up: ${JSON.stringify(health.body)}`)
  const version = (await (await fetch(`${gotenbergUrl}/version`)).text()).trim()

  const results = []
  for (const { name, document, writeMetadata } of cases) {
    let last: Awaited<ReturnType<typeof renderInvoicePdf>> | undefined
    for (let i = 0; i < WARMUP; i++) last = await renderInvoicePdf({ document, gotenberg, writeMetadata, traceId: `bench:warmup:${i}` })
    const htmlMs: number[] = []
    const totalMs: number[] = []
    for (let i = 0; i < RUNS; i++) {
      const htmlStarted = performance.now()
      renderInvoiceHtml(document)
      htmlMs.push(performance.now() - htmlStarted)
      const started = performance.now()
      last = await renderInvoicePdf({ document, gotenberg, writeMetadata, traceId: `bench:${i}` })
      totalMs.push(performance.now() - started)
    }
    const pages = await countPages(last!.pdf)
    const result = {
      name,
      writeMetadata,
      pages,
      lines: document.lines.length,
      issues: document.appendix.length,
      pdfBytes: last!.sizeBytes,
      runs: RUNS,
      pdfMs: summarize(totalMs),
      htmlOnlyMs: summarize(htmlMs),
    }
    results.push(result)
    console.error(JSON.stringify(result))
  }

  console.log('\ncase                                     | pages |    KB | PDF p50 ms | PDF p95 ms | HTML p50 ms')
  for (const r of results) {
    console.log(
      `${r.name.padEnd(40)} | ${String(r.pages).padStart(5)} | ${String(Math.round(r.pdfBytes / 1024)).padStart(5)} | ${String(r.pdfMs.p50).padStart(10)} | ${String(r.pdfMs.p95).padStart(10)} | ${String(r.htmlOnlyMs.p50).padStart(11)}`,
    )
  }
  mkdirSync(join(root, 'bench/results'), { recursive: true })
  writeFileSync(
    join(root, 'bench/results/pdf.json'),
    JSON.stringify({ measuredAt: new Date().toISOString(), gotenbergUrl, gotenbergVersion: version, node: process.version, warmup: WARMUP, results }, null, 2),
  )
  console.log('\nwritten to bench/results/pdf.json')
}

run().catch((err) => {
  console.error(err)
  process.exit(1)
})
