import { randomUUID } from 'node:crypto'
import { Dec } from '../billing/decimal.js'
import type { Prisma } from '../generated/prisma/client.js'
import type { Database } from '../lib/database.js'
import type { PlanFactPayment } from './read-planfact-payments.js'

/**
 * The payments table: each payment once, whichever way it was seen (docs/workflow.md,
 * "Payments"). A PlanFact payment and a hand-recorded one of the same amount within
 * MATCH_DAYS of each other are the same payment: the one seen second confirms the first (a
 * PlanFact row pointing at the hand-recorded one) or is refused (a hand-recorded one after
 * PlanFact's), so it is counted once. Rows are append-only (a trigger).
 */

/** Days apart a bank payment and its hand-recorded twin may be dated (value date vs booking date). */
export const MATCH_DAYS = 7

export interface InvoiceBalance {
  total: string
  credited: string
  paid: string
  due: string
}

export interface RecordedPayment {
  id: string
  source: 'planfact' | 'manual'
  amount: string
  paidOn: string
  /** The hand-recorded payment this PlanFact payment confirms (not counted again). */
  confirms: string | null
}

/** What the invoice amounts to after approved credit notes and counted payments (the invoice_balances view). */
export async function readBalance(db: Pick<Database, '$queryRaw'>, invoiceId: string): Promise<InvoiceBalance> {
  const rows = await db.$queryRaw<{ total: Prisma.Decimal; credited: Prisma.Decimal; paid: Prisma.Decimal; due: Prisma.Decimal }[]>`
    SELECT total, credited, paid, due FROM invoice_balances WHERE invoice_id = ${invoiceId}::uuid`
  const row = rows[0]
  if (!row) throw new Error(`invoice ${invoiceId} does not exist`)
  return { total: row.total.toFixed(2), credited: row.credited.toFixed(2), paid: row.paid.toFixed(2), due: row.due.toFixed(2) }
}

/** Records the PlanFact payments not seen before; answers the new ones. */
export async function recordPlanFactPayments(db: Database, invoice: { id: string; currency: string }, seen: readonly PlanFactPayment[]): Promise<RecordedPayment[]> {
  if (seen.length === 0) return []
  return db.$transaction(async (tx) => {
    await lockInvoice(tx, invoice.id)
    const known = await tx.payment.findMany({ where: { invoiceId: invoice.id } })
    const keys = new Set(known.map((p) => p.externalKey))
    const confirmed = new Set(known.flatMap((p) => (p.confirmsPaymentId ? [p.confirmsPaymentId] : [])))
    const recorded: RecordedPayment[] = []
    for (const payment of seen) {
      const externalKey = `planfact:${payment.operationId}`
      if (keys.has(externalKey)) continue
      // The closest hand-recorded payment of the same amount not confirmed yet (then the earlier one).
      const twin = known
        .filter((p) => p.source === 'manual' && !confirmed.has(p.id) && sameMoney(p.amount, payment.amount) && daysApart(p.paidOn, payment.paidOn) <= MATCH_DAYS)
        .sort((a, b) => daysApart(a.paidOn, payment.paidOn) - daysApart(b.paidOn, payment.paidOn) || a.paidOn.getTime() - b.paidOn.getTime())[0]
      const row = await tx.payment.create({
        data: {
          id: randomUUID(),
          invoiceId: invoice.id,
          source: 'planfact',
          externalKey,
          amount: payment.amount,
          currency: invoice.currency,
          paidOn: new Date(`${payment.paidOn}T00:00:00Z`),
          recordedBy: 'planfact',
          note: `PlanFact operation ${payment.operationId}`,
          confirmsPaymentId: twin?.id ?? null,
        },
      })
      if (twin) confirmed.add(twin.id)
      keys.add(externalKey)
      known.push(row)
      recorded.push(toRecorded(row))
    }
    return recorded
  })
}

export interface ManualPaymentInput {
  invoiceId: string
  currency: string
  amount: string
  /** YYYY-MM-DD */
  paidOn: string
  reference?: string | undefined
  note?: string | undefined
  actor: string
  /** The request (the Update's id); without a reference, the amount and date make the key. */
  requestId: string
}

export type ManualPaymentResult = { recorded: RecordedPayment; alreadyRecorded: boolean } | { refused: string }

/**
 * Records a payment by hand, once: the same bank reference (or request) again answers the payment
 * already recorded; a payment PlanFact already shows, or more than is due, is refused with why.
 */
export async function recordManualPayment(db: Database, input: ManualPaymentInput): Promise<ManualPaymentResult> {
  // Without a bank reference, the same amount on the same date is the same payment (a retried request).
  const externalKey = input.reference ? `manual:${input.reference}` : `manual:${input.paidOn}:${new Dec(input.amount).toFixed(2)}`
  return db.$transaction(async (tx) => {
    await lockInvoice(tx, input.invoiceId)
    const known = await tx.payment.findMany({ where: { invoiceId: input.invoiceId } })
    const same = known.find((p) => p.externalKey === externalKey)
    if (same) {
      if (sameMoney(same.amount, input.amount) && isoDate(same.paidOn) === input.paidOn) return { recorded: toRecorded(same), alreadyRecorded: true }
      return { refused: `the payment with reference ${JSON.stringify(input.reference)} was recorded already, as ${same.amount.toFixed(2)} on ${isoDate(same.paidOn)}` }
    }
    const confirmed = new Set(known.flatMap((p) => (p.confirmsPaymentId ? [p.confirmsPaymentId] : [])))
    const inPlanFact = known.find((p) => p.source === 'planfact' && p.confirmsPaymentId === null && sameMoney(p.amount, input.amount) && daysApart(p.paidOn, input.paidOn) <= MATCH_DAYS && !confirmed.has(p.id))
    if (inPlanFact) {
      return { refused: `PlanFact already shows this payment (${inPlanFact.amount.toFixed(2)} on ${isoDate(inPlanFact.paidOn)}, ${inPlanFact.note ?? inPlanFact.externalKey}): it is counted once` }
    }
    const balance = await readBalance(tx, input.invoiceId)
    if (new Dec(input.amount).gt(balance.due)) {
      return { refused: `${input.amount} is more than is due (${balance.due} of ${balance.total}, ${balance.credited} credited, ${balance.paid} paid): record at most what is due` }
    }
    const row = await tx.payment.create({
      data: {
        id: randomUUID(),
        invoiceId: input.invoiceId,
        source: 'manual',
        externalKey,
        amount: input.amount,
        currency: input.currency,
        paidOn: new Date(`${input.paidOn}T00:00:00Z`),
        recordedBy: input.actor,
        note: input.note ?? null,
      },
    })
    return { recorded: toRecorded(row), alreadyRecorded: false }
  })
}

/** The invoice's payments, oldest first, with whether each counts. */
export async function listPayments(db: Database, invoiceId: string) {
  const rows = await db.payment.findMany({ where: { invoiceId }, orderBy: [{ paidOn: 'asc' }, { createdAt: 'asc' }] })
  return rows.map((p) => ({
    id: p.id,
    source: p.source as 'planfact' | 'manual',
    amount: p.amount.toFixed(2),
    currency: p.currency,
    paidOn: isoDate(p.paidOn),
    recordedBy: p.recordedBy,
    note: p.note,
    reference: p.source === 'manual' ? p.externalKey.slice('manual:'.length) : p.externalKey.slice('planfact:'.length),
    confirms: p.confirmsPaymentId,
    counted: p.confirmsPaymentId === null,
    recordedAt: p.createdAt.toISOString(),
  }))
}

/** Serialises payment writes of one invoice (a check and a hand-recorded payment at once). */
async function lockInvoice(tx: Prisma.TransactionClient, invoiceId: string): Promise<void> {
  const rows = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM invoices WHERE id = ${invoiceId}::uuid FOR UPDATE`
  if (rows.length === 0) throw new Error(`invoice ${invoiceId} does not exist`)
}

function toRecorded(row: { id: string; source: string; amount: Prisma.Decimal; paidOn: Date; confirmsPaymentId: string | null }): RecordedPayment {
  return { id: row.id, source: row.source as 'planfact' | 'manual', amount: row.amount.toFixed(2), paidOn: isoDate(row.paidOn), confirms: row.confirmsPaymentId }
}

function sameMoney(a: Prisma.Decimal | string, b: string): boolean {
  return new Dec(a.toString()).eq(b)
}

function daysApart(a: Date | string, b: Date | string): number {
  const time = (d: Date | string) => (typeof d === 'string' ? Date.parse(`${d}T00:00:00Z`) : d.getTime())
  return Math.abs(time(a) - time(b)) / 86_400_000
}

function isoDate(date: Date): string {
  return date.toISOString().slice(0, 10)
}
