import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { makeCustomer, makeDeal } from '../billing/test-builders.js'
import { createGotenbergClient } from '../clients/gotenberg.js'
import type { InvoiceLanguage } from '../sources/types.js'
import { buildInvoiceDocument } from './build-invoice-document.js'
import { hashRenderInput } from './hash-render-input.js'
import { readPdf, squeezeSpaces } from './read-pdf-text.js'
import { renderInvoicePdf } from './render-invoice-pdf.js'
import { INVOICE_TEMPLATE_VERSION } from './template-version.js'
import { makeLargeDocument, makeLine, makePreview, makeSeller } from './test-documents.js'

// The real Gotenberg started by `scripts/services.sh up gotenberg`.
const gotenberg = createGotenbergClient({ url: process.env.GOTENBERG_URL ?? 'http://127.0.0.1:3001' })

const HOSTILE = '<script>alert(1)</script><b>x</b>'

function makeSmallDocument(language: InvoiceLanguage) {
  const preview = makePreview({
    lines: [
      makeLine({ lineId: 'time:Development:deal', description: 'Backend development', quantity: '12.50', rate: '80.00', amount: '1000.00' }),
      makeLine({ lineId: 'time:Support:deal', description: HOSTILE, quantity: '2.25', rate: '104.00', amount: '234.00' }),
    ],
  })
  return buildInvoiceDocument({
    preview,
    customer: makeCustomer({ legalName: 'Acme Trading LLC', tin: '207654321', language }),
    deal: makeDeal({ contractNumber: 'K-2026/15' }),
    seller: makeSeller(),
    number: 'INV-2026-000042',
    issueDate: '2026-11-25',
  })
}

/** 1234567 -> "1,234,567", written independently of the code under test. */
function groupEnglish(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',')
}

describe('renderInvoicePdf through Gotenberg', () => {
  it('renders an English invoice a person can read, with its provenance', async () => {
    const document = makeSmallDocument('en')
    const result = await renderInvoicePdf({ document, gotenberg, traceId: 'test-invoice:pdf:v1' })
    const pdf = await readPdf(result.pdf)
    try {
      const text = await pdf.text()
      const flat = squeezeSpaces(text)
      expect(pdf.pages).toBe(1)
      expect(text).toContain('INV-2026-000042')
      expect(text).toContain('207654321')
      expect(text).toMatch(/^\s*1\s+Backend development\s+12\.50\s+h\s+80\.00\s+1,000\.00\s*$/m)
      expect(text).toMatch(/^\s*2\s+<script>alert\(1\)<\/script><b>x<\/b>\s+2\.25\s+h\s+104\.00\s+234\.00\s*$/m)
      expect(text).toMatch(/Subtotal\s+1,234\.00/)
      expect(text).toMatch(/VAT 12%\s+148\.08/)
      expect(text).toMatch(/Total due\s+USD 1,382\.08/)
      expect(flat).toContain('One thousand three hundred eighty-two US dollars and 08 cents')
      expect(flat).toContain('No. K-2026/15 of 15 Jan 2026')
      expect(flat).toContain('October 2026 (1 Oct 2026 – 31 Oct 2026)')
      expect(text).toContain('KACHUZ22')
      expect(text).toContain('Aliyev Rustam')
      expect(text).toContain('Karimova Dilnoza')
      expect(text).toContain('Page 1 of 1')

      expect(result.templateVersion).toBe(INVOICE_TEMPLATE_VERSION)
      expect(result.inputHash).toBe(hashRenderInput(document))
      expect(result.sizeBytes).toBe(result.pdf.byteLength)
      expect(result.sha256).toBe(createHash('sha256').update(result.pdf).digest('hex'))
      expect(pdf.info).toMatch(/^Page size:\s+595\.\d+ x 842\.\d+ pts \(A4\)/m)
      // Every page's footer names the template and the input that produced it.
      expect(text).toContain(`${INVOICE_TEMPLATE_VERSION}/${result.inputHash.slice(0, 12)}`)
    } finally {
      await pdf.dispose()
    }
  })

  it('prints emoji in a description with the emoji font, not as empty boxes', async () => {
    const document = buildInvoiceDocument({
      preview: makePreview({ lines: [makeLine({ lineId: 'time:Development:deal', description: 'Launch 🚀 checklist ✅', quantity: '1.00', rate: '80.00', amount: '80.00' })] }),
      customer: makeCustomer({ legalName: 'Acme 🌟 LLC', language: 'en' }),
      deal: makeDeal(),
      seller: makeSeller(),
      number: 'INV-2026-000043',
      issueDate: '2026-11-25',
    })
    const pdf = await readPdf((await renderInvoicePdf({ document, gotenberg })).pdf)
    try {
      // Colour emoji glyphs are drawn as Type 3 fonts; without the emoji font they would be the text font's empty box.
      expect((await pdf.fonts()).filter((font) => font.type === 'Type 3').length).toBeGreaterThanOrEqual(1)
      // The emoji's own glyph runs are extracted apart from the words around them.
      const text = squeezeSpaces(await pdf.text({ layout: false }))
      for (const piece of ['Launch', '🚀', 'checklist', '✅', '🌟']) expect(text).toContain(piece)
    } finally {
      await pdf.dispose()
    }
  })

  it('writes the provenance into the PDF metadata on request', async () => {
    const document = makeSmallDocument('en')
    const result = await renderInvoicePdf({ document, gotenberg, writeMetadata: true })
    const pdf = await readPdf(result.pdf)
    try {
      expect(pdf.info).toMatch(new RegExp(`^Creator:\\s+${INVOICE_TEMPLATE_VERSION}$`, 'm'))
      expect(pdf.info).toContain(`input-sha256:${result.inputHash}`)
    } finally {
      await pdf.dispose()
    }
  })

  it('renders a Russian invoice with Cyrillic text intact', async () => {
    const result = await renderInvoicePdf({ document: makeSmallDocument('ru'), gotenberg })
    const pdf = await readPdf(result.pdf)
    try {
      const text = await pdf.text()
      expect(text).toContain('Счёт на оплату')
      expect(text).toContain('№ INV-2026-000042')
      expect(text).toMatch(/ИНН\s+207654321/)
      expect(text).toMatch(/Итого без НДС\s+1 234,00/)
      expect(text).toMatch(/Всего к оплате\s+1 382,08 USD/)
      expect(squeezeSpaces(text)).toContain('Одна тысяча триста восемьдесят два доллара США 08 центов')
      const readingOrder = squeezeSpaces(await pdf.text({ layout: false }))
      expect(readingOrder).toContain('Оплата в течение 14 дней с даты счёта, не позднее 09.12.2026.')
      // Section labels are set in capitals by the stylesheet.
      expect(text).toContain('ОТ ИСПОЛНИТЕЛЯ: ГЛАВНЫЙ БУХГАЛТЕР')
      expect(text).toContain('Страница 1 из 1')
    } finally {
      await pdf.dispose()
    }
  })

  it('renders an Uzbek invoice with its letters intact', async () => {
    const result = await renderInvoicePdf({ document: makeSmallDocument('uz'), gotenberg })
    const pdf = await readPdf(result.pdf)
    try {
      const text = await pdf.text()
      expect(text).toMatch(/Jami toʻlovga\s+1 382,08 USD/)
      expect(squeezeSpaces(text)).toContain('Bir ming uch yuz sakson ikki AQSh dollari 08 sent')
      expect(text).toContain('Sahifa 1 / 1')
    } finally {
      await pdf.dispose()
    }
  })

  it('spreads 500 lines and a 500-issue appendix over numbered pages with repeated headers', async () => {
    const result = await renderInvoicePdf({ document: makeLargeDocument({ lineCount: 500, issueCount: 500 }), gotenberg })
    const pdf = await readPdf(result.pdf)
    try {
      const n = pdf.pages
      expect(n).toBeGreaterThan(10)
      const text = await pdf.text()
      for (let i = 1; i <= 500; i++) {
        const amount = `${groupEnglish(i * 10)}.00`
        expect(text).toMatch(new RegExp(`^\\s*${i}\\s+Service line ${i}\\s+${groupEnglish(i)}\\.00\\s+h\\s+10\\.00\\s+${amount}\\s*$`, 'm'))
      }
      for (const key of ['ABC-1', 'ABC-250', 'ABC-500']) expect(text).toMatch(new RegExp(`\\s${key}\\s+Task number`))
      // 10 x (1 + ... + 500) = 1,252,500.00; VAT 12 % = 150,300.00.
      expect(text).toMatch(/Total due\s+USD 1,402,800\.00/)
      expect(squeezeSpaces(text)).toContain('One million four hundred two thousand eight hundred US dollars and 00 cents')

      const first = await pdf.text({ first: 1, last: 1 })
      const second = await pdf.text({ first: 2, last: 2 })
      const last = await pdf.text({ first: n, last: n })
      expect(first).toContain(`Page 1 of ${n}`)
      expect(second).toContain(`Page 2 of ${n}`)
      expect(last).toContain(`Page ${n} of ${n}`)
      expect(second).toMatch(/#\s+Description\s+Qty\s+Unit\s+Rate, USD\s+Amount, USD/)
      expect(second).not.toContain('Supplier')
      expect(last).toMatch(/#\s+Issue\s+Summary\s+Category\s+Line\s+Logged, h\s+Billable, h\s+Amount, USD/)
      expect(last).toContain('ABC-500')
    } finally {
      await pdf.dispose()
    }
  })
})
