import { describe, expect, it } from 'vitest'
import { makeCustomer, makeDeal } from '../billing/test-builders.js'
import type { InvoiceLanguage } from '../sources/types.js'
import { buildInvoiceDocument } from './build-invoice-document.js'
import { InvoiceDocumentError } from './invoice-document-error.js'
import { renderInvoiceHtml } from './render-invoice-html.js'
import { makeIssueDetails, makeLine, makePreview, makeSeller } from './test-documents.js'

const HOSTILE = '<script>alert(1)</script><b>x</b>'

function makeDocument(language: InvoiceLanguage = 'en') {
  const preview = makePreview()
  preview.lines[0] = makeLine({ lineId: 'time:Development:deal', description: HOSTILE, quantity: '12.50', rate: '80.00', amount: '1000.00' })
  preview.issueDetails = makeIssueDetails(3, ['time:Development:deal'])
  preview.issueDetails[1]!.summary = `Fix ${HOSTILE} & "quotes"`
  return buildInvoiceDocument({
    preview,
    customer: makeCustomer({ legalName: 'Tom & Jerry <LLC>', tin: '207654321', language }),
    deal: makeDeal(),
    seller: makeSeller(),
    number: 'INV-2026-000042',
    issueDate: '2026-11-25',
  })
}

describe('renderInvoiceHtml', () => {
  it('prints customer text as text, never as markup', () => {
    const { html } = renderInvoiceHtml(makeDocument())
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;&lt;b&gt;x&lt;/b&gt;')
    expect(html).toContain('Fix &lt;script&gt;alert(1)&lt;/script&gt;&lt;b&gt;x&lt;/b&gt; &amp; &quot;quotes&quot;')
    expect(html).toContain('Tom &amp; Jerry &lt;LLC&gt;')
    expect(html).not.toContain('<script')
    expect(html).not.toContain('<b>x</b>')
  })

  it('is self-contained', () => {
    const { html, footerHtml } = renderInvoiceHtml(makeDocument())
    for (const page of [html, footerHtml]) {
      expect(page).not.toMatch(/https?:|<link|<img|src=|url\(|@import/i)
    }
  })

  it('repeats table headers on every page and keeps rows whole', () => {
    const { html } = renderInvoiceHtml(makeDocument())
    expect(html).toContain('thead { display: table-header-group; }')
    expect(html).toContain('tr { break-inside: avoid; page-break-inside: avoid; }')
  })

  it('gives the footer the page number placeholders Chromium fills', () => {
    const { footerHtml } = renderInvoiceHtml(makeDocument())
    expect(footerHtml).toMatch(/Page <span class="pageNumber"><\/span> of <span class="totalPages"><\/span>/)
    expect(footerHtml).toContain('Invoice No. INV-2026-000042')
  })

  it('writes the English invoice with English labels, figures and words', () => {
    const { html } = renderInvoiceHtml(makeDocument('en'))
    expect(html).toContain('<html lang="en-GB">')
    expect(html).toContain('<title>Invoice No. INV-2026-000042</title>')
    expect(html).toContain('October 2026 (1 Oct 2026 – 31 Oct 2026)')
    expect(html).toContain('>1,000.00<')
    expect(html).toContain('VAT 12%')
    expect(html).toContain('USD\u00a01,382.08')
    expect(html).toContain('One thousand three hundred eighty-two US dollars and 08 cents')
    expect(html).toContain('Payment within 14 days of the issue date, by 9 Dec 2026.')
    expect(html).toContain('Appendix 1 to invoice No. INV-2026-000042 of 25 Nov 2026')
  })

  it('writes the Russian invoice in Russian', () => {
    const { html, footerHtml } = renderInvoiceHtml(makeDocument('ru'))
    expect(html).toContain('<html lang="ru-RU">')
    expect(html).toContain('Счёт на оплату')
    expect(html).toContain('Октябрь 2026 (01.10.2026 – 31.10.2026)')
    expect(html).toContain('>1\u00a0000,00<')
    expect(html).toContain('НДС 12\u00a0%')
    expect(html).toContain('1\u00a0382,08\u00a0USD')
    expect(html).toContain('Одна тысяча триста восемьдесят два доллара США 08 центов')
    expect(html).toContain('Оплата в течение 14 дней с даты счёта, не позднее 09.12.2026.')
    expect(footerHtml).toMatch(/Страница <span class="pageNumber"><\/span> из <span class="totalPages"><\/span>/)
  })

  it('writes the Uzbek invoice in Uzbek', () => {
    const { html } = renderInvoiceHtml(makeDocument('uz'))
    expect(html).toContain('Hisobvaraq')
    expect(html).toContain('Bir ming uch yuz sakson ikki AQSh dollari 08 sent')
    expect(html).toContain('QQS 12%')
  })

  it('leaves empty details out and the appendix off when there is no per-issue detail', () => {
    const document = makeDocument()
    const { html } = renderInvoiceHtml({
      ...document,
      appendix: [],
      buyer: { ...document.buyer, tin: null, mfo: '' },
    })
    expect(html).not.toContain('Work by issue')
    expect(html).not.toContain('207654321')
    // MFO stays in the payment details (the seller's) and leaves the customer block.
    expect(html.match(/<th>MFO<\/th>/g)).toHaveLength(1)
    expect(renderInvoiceHtml(document).html.match(/<th>MFO<\/th>/g)).toHaveLength(2)
  })

  it('refuses a document made for another template version', () => {
    expect(() => renderInvoiceHtml({ ...makeDocument(), templateVersion: 'invoice-v0' })).toThrow(InvoiceDocumentError)
  })
})
