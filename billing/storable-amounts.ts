import { Dec } from './decimal.js'
import type { InvoicePreview } from './types.js'

/** Largest integer part the invoice's numeric(20,2) amount columns hold: 18 digits. */
const MONEY_LIMIT = new Dec('1e18')

/**
 * The first figure of a preview that its PostgreSQL column cannot hold (line amounts and the
 * totals are numeric(20,2)), as `field: problem`, or null. The workflow refuses such an edit
 * at confirmation instead of letting the write fail later (numeric field overflow).
 */
export function findUnstorableAmount(preview: InvoicePreview): string | null {
  for (const [index, line] of preview.lines.entries()) {
    if (new Dec(line.amount).abs().gte(MONEY_LIMIT)) return `lines.${index}.amount: ${line.amount} ${preview.currency} is more than an invoice line can hold (at most 18 digits before the point)`
  }
  for (const field of ['subtotal', 'vatAmount', 'total'] as const) {
    if (new Dec(preview[field]).abs().gte(MONEY_LIMIT)) return `${field}: ${preview[field]} ${preview.currency} is more than an invoice can hold (at most 18 digits before the point)`
  }
  return null
}
