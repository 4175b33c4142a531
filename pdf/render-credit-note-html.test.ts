import { describe, expect, it } from 'vitest'
import type { InvoiceLanguage } from '../sources/types.js'
import { hashRenderInput } from './hash-render-input.js'
import { InvoiceDocumentError } from './invoice-document-error.js'
import { renderCreditNoteHtml } from './render-credit-note-html.js'
import { CREDIT_NOTE_TEMPLATE_VERSION } from './template-version.js'
import { makeCreditNoteDocument, makePartialCreditNote, makeVoidCreditNote } from './test-credit-notes.js'

const HOSTILE = '<script>alert(1)</script><b>x</b>'

describe('renderCreditNoteHtml', () => {
  it('writes the English credit note: title, invoice reference, credited lines and totals, what remains', () => {
    const document = makeCreditNoteDocument(makePartialCreditNote(), 'en')
    const { html, footerHtml } = renderCreditNoteHtml(document)
    expect(html).toContain('<html lang="en-GB">')
    expect(html).toContain('<title>Credit note No. CN-2026-00001</title>')
    expect(html).toContain('<h1>Credit note</h1>')
    expect(html).toContain('to invoice No. INV-2026-000042 of 25 Nov 2026')
    expect(html).toContain('<tr><th>Issue date</th><td>2 Dec 2026</td></tr>')
    expect(html).toContain('October 2026 (1 Oct 2026 – 31 Oct 2026)')
    expect(html).toContain('No. K-2026/15 of 15 Jan 2026')
    expect(html).toContain('<td class="desc">Support (billed twice)</td>')
    expect(html).toContain('>234.00<')
    expect(html).toContain('VAT 12%')
    expect(html).toContain('<th>Total credited</th><td class="num">USD\u00a0262.08</td>')
    expect(html).toContain('Two hundred sixty-two US dollars and 08 cents')
    expect(html).toContain('Support hours of 14 October were billed twice')
    expect(html).toContain('<td class="num">USD\u00a01,382.08</td>')
    expect(html).toContain('Invoice total after this credit note: USD\u00a01,120.00')
    // The invoice's parties, without its payment block: a credit note asks for no payment.
    expect(html).toContain('Acme Trading LLC')
    expect(html).toContain('&quot;Example Software&quot; LLC')
    expect(html).not.toContain('Payment details')
    expect(html).not.toContain('Payment terms')
    expect(html).not.toContain('Cancels invoice')
    expect(html).toContain('For the supplier: Director')
    expect(footerHtml).toContain('Credit note No. CN-2026-00001 · 2 Dec 2026')
    expect(footerHtml).toMatch(/Page <span class="pageNumber"><\/span> of <span class="totalPages"><\/span>/)
  })

  it('writes the Russian credit note in Russian', () => {
    const { html, footerHtml } = renderCreditNoteHtml(makeCreditNoteDocument(makePartialCreditNote(), 'ru'))
    expect(html).toContain('<html lang="ru-RU">')
    expect(html).toContain('<h1>Кредит-нота</h1>')
    expect(html).toContain('к счёту № INV-2026-000042 от 25.11.2026')
    expect(html).toContain('Октябрь 2026 (01.10.2026 – 31.10.2026)')
    expect(html).toContain('>2,25<')
    expect(html).toContain('НДС 12\u00a0%')
    expect(html).toContain('<th>Итого по кредит-ноте</th><td class="num">262,08\u00a0USD</td>')
    expect(html).toContain('Двести шестьдесят два доллара США 08 центов')
    expect(html).toContain('Сумма счёта после этой кредит-ноты: 1\u00a0120,00\u00a0USD')
    expect(html).not.toContain('Платёжные реквизиты')
    expect(footerHtml).toContain('Кредит-нота № CN-2026-00001 · 02.12.2026')
    expect(footerHtml).toMatch(/Страница <span class="pageNumber"><\/span> из <span class="totalPages"><\/span>/)
  })

  it('writes the Uzbek credit note in Uzbek', () => {
    const { html } = renderCreditNoteHtml(makeCreditNoteDocument(makePartialCreditNote(), 'uz'))
    expect(html).toContain('<h1>Kredit-nota</h1>')
    expect(html).toContain('25.11.2026 sanadagi № INV-2026-000042 hisobvaraqqa')
    expect(html).toContain('QQS 12%')
    expect(html).toContain('<th>Kredit-nota boʻyicha jami</th><td class="num">262,08\u00a0USD</td>')
    expect(html).toContain('Ikki yuz oltmish ikki AQSh dollari 08 sent')
    expect(html).toContain('Ushbu kredit-notadan keyingi hisobvaraq summasi: 1\u00a0120,00\u00a0USD')
  })

  it.each<[InvoiceLanguage, string, string]>([
    ['en', 'Cancels invoice No. INV-2026-000042 of 25 Nov 2026 in full.', 'Invoice total after this credit note: USD\u00a00.00'],
    ['ru', 'Полностью аннулирует счёт № INV-2026-000042 от 25.11.2026.', 'Сумма счёта после этой кредит-ноты: 0,00\u00a0USD'],
    ['uz', '25.11.2026 sanadagi № INV-2026-000042 hisobvaraqni toʻliq bekor qiladi.', 'Ushbu kredit-notadan keyingi hisobvaraq summasi: 0,00\u00a0USD'],
  ])('says that a void cancels the invoice in full (%s)', (language, cancels, remaining) => {
    const { html } = renderCreditNoteHtml(makeCreditNoteDocument(makeVoidCreditNote(), language))
    expect(html).toContain(`<p class="void-note">${cancels}</p>`)
    expect(html).toContain(remaining)
    expect(html).toMatch(/1[,\u00a0]382[.,]08/)
  })

  it('prints the reason and the lines as text, never as markup', () => {
    const creditNote = makePartialCreditNote({
      reason: `Wrong rate ${HOSTILE}`,
      lines: [{ description: HOSTILE, quantity: '2.25', unit: 'hour', rate: '104.00', amount: '234.00' }],
    })
    const { html } = renderCreditNoteHtml(makeCreditNoteDocument(creditNote))
    expect(html).toContain('Wrong rate &lt;script&gt;alert(1)&lt;/script&gt;&lt;b&gt;x&lt;/b&gt;')
    expect(html).not.toContain('<script')
    expect(html).not.toContain('<b>x</b>')
  })

  it('is self-contained and prints its provenance in the footer', () => {
    const document = makeCreditNoteDocument()
    const { html, footerHtml } = renderCreditNoteHtml(document)
    for (const page of [html, footerHtml]) expect(page).not.toMatch(/https?:|<link|<img|src=|url\(|@import/i)
    expect(footerHtml).toContain(`${CREDIT_NOTE_TEMPLATE_VERSION}/${hashRenderInput(document).slice(0, 12)}`)
  })

  it('refuses a document made for another template version, or an invoice template', () => {
    const document = makeCreditNoteDocument()
    expect(() => renderCreditNoteHtml({ ...document, templateVersion: 'credit-note-v0' })).toThrow(InvoiceDocumentError)
    expect(() => renderCreditNoteHtml({ ...document, templateVersion: 'invoice-v1' })).toThrow(/renders credit-note-v2 only/)
  })
})
