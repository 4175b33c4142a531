import { Prisma } from '../generated/prisma/client.js'

/**
 * Takes the next invoice number of `year` inside the caller's transaction. The counter row is
 * locked by the UPDATE until the transaction ends, so concurrent finalizations queue up and a
 * rolled-back one gives its number back: numbers are gapless and never reused.
 */
export async function assignInvoiceNumber(
  tx: Prisma.TransactionClient,
  options: { year: number; prefix: string; series?: 'invoice' | 'credit_note' },
): Promise<{ number: string; year: number; seq: number }> {
  // Credit notes have their own series (credit_note_number_counters), numbered the same way.
  const table = Prisma.raw(options.series === 'credit_note' ? 'credit_note_number_counters' : 'invoice_number_counters')
  const rows = await tx.$queryRaw<{ last_value: number }[]>`
    INSERT INTO ${table} (year, last_value, updated_at) VALUES (${options.year}, 1, now())
    ON CONFLICT (year) DO UPDATE SET last_value = ${table}.last_value + 1, updated_at = now()
    RETURNING last_value`
  const seq = rows[0]!.last_value
  return { number: formatInvoiceNumber(options.prefix, options.year, seq), year: options.year, seq }
}

/** INV-2026-00042: prefix, year, sequence padded to five digits. */
export function formatInvoiceNumber(prefix: string, year: number, seq: number): string {
  return `${prefix}${year}-${String(seq).padStart(5, '0')}`
}
