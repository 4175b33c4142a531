import type { InvoicePreview, IssueDetail, PreviewLine } from '../billing/types.js'
import { makeCustomer, makeDeal } from '../billing/test-builders.js'
import type { InvoiceLanguage } from '../sources/types.js'
import { buildInvoiceDocument } from './build-invoice-document.js'
import type { InvoiceDocument, InvoiceSeller } from './invoice-document.js'

/**
 * Builders for the PDF tests and the PDF benchmark: a realistic seller, preview and document,
 * each field overridable. Not used by product code.
 */

export function makeSeller(overrides: Partial<InvoiceSeller> = {}): InvoiceSeller {
  return {
    name: 'Example Software',
    legalName: '"Example Software" LLC',
    tin: '305123456',
    vatRegCode: '326060012345',
    address: 'Tashkent, Yunusabad district, Amir Temur street 107B',
    bankName: 'JSCB "Kapitalbank", Tashkent',
    bankAccount: '20208000900123456001',
    mfo: '01018',
    swift: 'KACHUZ22',
    director: 'Aliyev Rustam',
    accountant: 'Karimova Dilnoza',
    email: 'billing@example.uz',
    phone: '+998 71 200 00 00',
    ...overrides,
  }
}

export function makeLine(overrides: Partial<PreviewLine> & { lineId: string }): PreviewLine {
  return {
    kind: 'time',
    category: 'Development',
    description: 'Development',
    quantity: '10.00',
    unit: 'hour',
    rate: '100.00',
    amount: '1000.00',
    explanation: '',
    rateRuleId: null,
    appliesToLineId: null,
    reason: null,
    ...overrides,
  }
}

export function makePreview(overrides: Partial<InvoicePreview> = {}): InvoicePreview {
  const lines = overrides.lines ?? [
    makeLine({ lineId: 'time:Development:deal', description: 'Development', quantity: '12.50', rate: '80.00', amount: '1000.00' }),
    makeLine({ lineId: 'time:Support:deal', category: 'Support', description: 'Support', quantity: '2.25', rate: '104.00', amount: '234.00' }),
  ]
  return {
    dealId: 'D1',
    customerId: 'C1',
    currency: 'USD',
    period: { from: '2026-10-01', to: '2026-11-01', label: '2026-10' },
    dealType: 'time_and_materials',
    lines,
    issueDetails: [],
    limits: { hoursLimit: null, amountLimit: null, mode: 'cap' },
    uncappedSubtotal: '1234.00',
    subtotal: '1234.00',
    vatRate: '12',
    vatAmount: '148.08',
    total: '1382.08',
    hours: { raw: '14.75', billable: '14.75', billed: '14.75' },
    warnings: [],
    errors: [],
    sourceFingerprint: 'fp-1',
    ...overrides,
  }
}

/** `count` issue rows spread over the preview's lines, with short distinct summaries. */
export function makeIssueDetails(count: number, lineIds: string[]): IssueDetail[] {
  return Array.from({ length: count }, (_, i) => ({
    issueId: String(20000 + i),
    issueKey: `ABC-${i + 1}`,
    summary: `Task number ${i + 1}`,
    category: 'Development',
    lineId: lineIds[i % lineIds.length] ?? null,
    rawHours: '1.50',
    billableHours: '1.50',
    amount: '120.00',
  }))
}

/**
 * A document with `lineCount` lines "Service line N" (N.00 h at 10.00, amount N*10 .00) and
 * `issueCount` appendix rows. Totals are consistent: subtotal = sum, VAT 12 %.
 */
export function makeLargeDocument(options: { lineCount: number; issueCount: number; language?: InvoiceLanguage }): InvoiceDocument {
  const lines = Array.from({ length: options.lineCount }, (_, i) =>
    makeLine({ lineId: `line:${i + 1}`, description: `Service line ${i + 1}`, quantity: `${i + 1}.00`, rate: '10.00', amount: `${(i + 1) * 10}.00` }),
  )
  const subtotalCents = lines.reduce((sum, line) => sum + BigInt(line.amount.replace('.', '')), 0n)
  const vatCents = (subtotalCents * 12n + 50n) / 100n
  const toMoney = (cents: bigint): string => `${cents / 100n}.${String(cents % 100n).padStart(2, '0')}`
  const preview = makePreview({
    lines,
    issueDetails: makeIssueDetails(options.issueCount, lines.map((l) => l.lineId)),
    subtotal: toMoney(subtotalCents),
    uncappedSubtotal: toMoney(subtotalCents),
    vatAmount: toMoney(vatCents),
    total: toMoney(subtotalCents + vatCents),
  })
  return buildInvoiceDocument({
    preview,
    customer: makeCustomer({ legalName: 'Acme Trading LLC', name: 'Acme', tin: '207654321', language: options.language ?? 'en' }),
    deal: makeDeal(),
    seller: makeSeller(),
    number: 'INV-2026-000777',
    issueDate: '2026-11-25',
  })
}
