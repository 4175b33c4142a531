import { Prisma } from '../../generated/prisma/client.js'
import type { Database } from '../../lib/database.js'
import { DELIVERED_STATES } from '../../workflows/invoice-contract.js'

export interface ReceivablesFilter {
  /** open: something is due; overdue: due and past the due date; paid: nothing is due; all. */
  status: 'open' | 'overdue' | 'paid' | 'all'
  customerId?: string | undefined
  currency?: string | undefined
  limit: number
}

interface Row {
  workflow_id: string
  id: string
  number: string
  customer_id: string
  deal_id: string
  period: string
  currency: string
  issue_date: Date | null
  due_date: Date | null
  payment_status: string | null
  total: Prisma.Decimal
  credited: Prisma.Decimal
  paid: Prisma.Decimal
  due: Prisma.Decimal
  days_overdue: number
}

/**
 * What customers owe: delivered invoices that are not void, with what approved credit notes and
 * counted payments left due (the invoice_balances view), most overdue first, and totals per
 * currency over everything the filter matches (not only the page).
 */
export async function listReceivables(db: Database, filter: ReceivablesFilter) {
  const where = Prisma.sql`i.number IS NOT NULL AND i.voided_at IS NULL AND i.state IN (${Prisma.join([...DELIVERED_STATES])})
    ${filter.status === 'open' ? Prisma.sql`AND b.due > 0` : Prisma.empty}
    ${filter.status === 'overdue' ? Prisma.sql`AND b.due > 0 AND i.due_date < current_date` : Prisma.empty}
    ${filter.status === 'paid' ? Prisma.sql`AND b.due = 0` : Prisma.empty}
    ${filter.customerId ? Prisma.sql`AND i.customer_id = ${filter.customerId}` : Prisma.empty}
    ${filter.currency ? Prisma.sql`AND i.currency = ${filter.currency}` : Prisma.empty}`
  const rows = await db.$queryRaw<Row[]>`
    SELECT i.workflow_id, i.id, i.number, i.customer_id, i.deal_id, i.period, i.currency, i.issue_date, i.due_date, i.payment_status,
           b.total, b.credited, b.paid, b.due,
           CASE WHEN b.due > 0 AND i.due_date < current_date THEN (current_date - i.due_date) ELSE 0 END AS days_overdue
      FROM invoices i JOIN invoice_balances b ON b.invoice_id = i.id
     WHERE ${where}
     ORDER BY days_overdue DESC, i.due_date NULLS LAST, i.number
     LIMIT ${filter.limit}`
  const totals = await db.$queryRaw<{ currency: string; invoices: bigint; total: Prisma.Decimal; credited: Prisma.Decimal; paid: Prisma.Decimal; due: Prisma.Decimal; overdue: Prisma.Decimal }[]>`
    SELECT i.currency, count(*) AS invoices, sum(b.total) AS total, sum(b.credited) AS credited, sum(b.paid) AS paid, sum(b.due) AS due,
           sum(CASE WHEN i.due_date < current_date THEN b.due ELSE 0 END) AS overdue
      FROM invoices i JOIN invoice_balances b ON b.invoice_id = i.id
     WHERE ${where}
     GROUP BY i.currency ORDER BY i.currency`
  return {
    items: rows.map((r) => ({
      id: r.workflow_id,
      invoiceId: r.id,
      number: r.number,
      customerId: r.customer_id,
      dealId: r.deal_id,
      period: r.period,
      currency: r.currency,
      issueDate: r.issue_date ? r.issue_date.toISOString().slice(0, 10) : null,
      dueDate: r.due_date ? r.due_date.toISOString().slice(0, 10) : null,
      daysOverdue: Number(r.days_overdue),
      paymentStatus: r.payment_status,
      total: r.total.toFixed(2),
      credited: r.credited.toFixed(2),
      paid: r.paid.toFixed(2),
      due: r.due.toFixed(2),
      href: `/invoices/${encodeURIComponent(r.workflow_id)}`,
    })),
    totals: totals.map((t) => ({ currency: t.currency, invoices: Number(t.invoices), total: t.total.toFixed(2), credited: t.credited.toFixed(2), paid: t.paid.toFixed(2), due: t.due.toFixed(2), overdue: t.overdue.toFixed(2) })),
  }
}
