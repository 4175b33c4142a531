import { randomUUID } from 'node:crypto'
import type { Database } from '../lib/database.js'

/**
 * Test support: a minimal invoice row, so ExternalReference rows (which reference invoices)
 * can be written. Random ids and number, so tests never collide.
 */
export interface TestInvoiceRow {
  invoiceId: string
  number: string
  issueDate: string
}

/** Inserts an approved-looking invoice with the given money figures. */
export async function createTestInvoice(
  db: Database,
  figures: { currency?: string; subtotal?: string; vatRate?: string; vatAmount?: string; total?: string; customerId?: string } = {},
): Promise<TestInvoiceRow> {
  const invoiceId = randomUUID()
  const runId = randomUUID()
  const number = `TEST-${invoiceId.slice(0, 8).toUpperCase()}`
  const issueDate = '2026-11-03'
  await db.invoice.create({
    data: {
      id: invoiceId,
      workflowId: `test-dispatch-${invoiceId}`,
      workflowRunId: runId,
      state: 'dispatching',
      dealId: 'APP-TEST',
      customerId: figures.customerId ?? 'CUST-TEST',
      period: '2026-10',
      periodFrom: new Date('2026-10-01T00:00:00Z'),
      periodTo: new Date('2026-11-01T00:00:00Z'),
      currency: figures.currency ?? 'UZS',
      subtotal: figures.subtotal ?? '1000.00',
      vatRate: figures.vatRate ?? '12',
      vatAmount: figures.vatAmount ?? '120.00',
      total: figures.total ?? '1120.00',
      number,
      issueDate: new Date(`${issueDate}T00:00:00Z`),
      preview: {},
      buyer: {},
      seller: {},
      deal: {},
      sourceFingerprint: 'test',
    },
  })
  return { invoiceId, number, issueDate }
}
