import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { createGotenbergClient } from '../clients/gotenberg.js'
import { hashRenderInput } from './hash-render-input.js'
import { readPdf, squeezeSpaces } from './read-pdf-text.js'
import { renderCreditNotePdf } from './render-credit-note-pdf.js'
import { CREDIT_NOTE_TEMPLATE_VERSION } from './template-version.js'
import { makeCreditNoteDocument, makePartialCreditNote, makeVoidCreditNote } from './test-credit-notes.js'

// The real Gotenberg started by `scripts/services.sh up gotenberg`.
const gotenberg = createGotenbergClient({ url: process.env.GOTENBERG_URL ?? 'http://127.0.0.1:3001' })

describe('renderCreditNotePdf through Gotenberg', () => {
  it('renders a Russian credit note a person can read, with its provenance', async () => {
    const document = makeCreditNoteDocument(makePartialCreditNote(), 'ru')
    const result = await renderCreditNotePdf({ document, gotenberg, traceId: 'test-credit-note:pdf:v1' })
    const pdf = await readPdf(result.pdf)
    try {
      const text = await pdf.text()
      const flat = squeezeSpaces(text)
      expect(pdf.pages).toBe(1)
      expect(text).toContain('Кредит-нота')
      expect(text).toContain('№ CN-2026-00001')
      expect(flat).toContain('к счёту № INV-2026-000042 от 25.11.2026')
      expect(text).toMatch(/ИНН\s+207654321/)
      expect(text).toMatch(/^\s*1\s+Support \(billed twice\)\s+2,25\s+ч\s+104,00\s+234,00\s*$/m)
      expect(text).toMatch(/Итого без НДС\s+234,00/)
      expect(text).toMatch(/НДС 12 %\s+28,08/)
      expect(text).toMatch(/Итого по кредит-ноте\s+262,08 USD/)
      expect(flat).toContain('Двести шестьдесят два доллара США 08 центов')
      expect(flat).toContain('Support hours of 14 October were billed twice')
      expect(flat).toContain('Сумма счёта после этой кредит-ноты: 1 120,00 USD')
      expect(text).not.toContain('Платёжные реквизиты')
      expect(text).toContain('Страница 1 из 1')

      expect(result.templateVersion).toBe(CREDIT_NOTE_TEMPLATE_VERSION)
      expect(result.inputHash).toBe(hashRenderInput(document))
      expect(result.sizeBytes).toBe(result.pdf.byteLength)
      expect(result.sha256).toBe(createHash('sha256').update(result.pdf).digest('hex'))
      expect(pdf.info).toMatch(/^Page size:\s+595\.\d+ x 842\.\d+ pts \(A4\)/m)
      expect(text).toContain(`${CREDIT_NOTE_TEMPLATE_VERSION}/${result.inputHash.slice(0, 12)}`)
    } finally {
      await pdf.dispose()
    }
  })

  it('renders an English void that says it cancels the invoice in full', async () => {
    const result = await renderCreditNotePdf({ document: makeCreditNoteDocument(makeVoidCreditNote(), 'en'), gotenberg })
    const pdf = await readPdf(result.pdf)
    try {
      const text = await pdf.text()
      const flat = squeezeSpaces(text)
      expect(text).toContain('Credit note')
      expect(text).toContain('CN-2026-00002')
      expect(text).toMatch(/Total credited\s+USD 1,382\.08/)
      expect(flat).toContain('Cancels invoice No. INV-2026-000042 of 25 Nov 2026 in full.')
      expect(flat).toContain('Invoice total after this credit note: USD 0.00')
      expect(flat).toContain('One thousand three hundred eighty-two US dollars and 08 cents')
      expect(text).toContain('Page 1 of 1')
    } finally {
      await pdf.dispose()
    }
  })

  it('writes the provenance into the PDF metadata on request', async () => {
    const result = await renderCreditNotePdf({ document: makeCreditNoteDocument(makePartialCreditNote(), 'uz'), gotenberg, writeMetadata: true })
    const pdf = await readPdf(result.pdf)
    try {
      expect(pdf.info).toMatch(new RegExp(`^Creator:\\s+${CREDIT_NOTE_TEMPLATE_VERSION}$`, 'm'))
      expect(pdf.info).toContain(`input-sha256:${result.inputHash}`)
      const text = await pdf.text()
      expect(text).toContain('Kredit-nota')
      expect(text).toMatch(/Kredit-nota boʻyicha jami\s+262,08 USD/)
    } finally {
      await pdf.dispose()
    }
  })
})
