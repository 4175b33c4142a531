import type { Activities } from '../activities/index.js'

/**
 * The concerns a worker process can serve, each on a task queue of its own so each scales on
 * its own: the workflows (and the short PostgreSQL activities next to them), the ClickHouse
 * reads, the PDFs, the external effects, and PlanFact's writes (one at a time per business).
 * Imported by workflow code as well: no Node built-ins here.
 */
export const CONCERNS = ['workflows', 'prefill', 'documents', 'effects', 'planfact'] as const
export type Concern = (typeof CONCERNS)[number]

/**
 * Where each activity runs. An activity not named here runs on the workflows' own queue:
 * PostgreSQL-only work (settings, transitions, the billing run's starts, credit note drafts).
 */
export const ACTIVITY_CONCERNS: Partial<Record<keyof Activities, Concern>> = {
  // The source reads (ClickHouse, and PostgreSQL's rules and ledger beside them). Finalize reads
  // the work again before it writes, so it runs here too.
  prefillInvoice: 'prefill',
  checkPreviewFreshness: 'prefill',
  finalizeInvoice: 'prefill',
  listBillingRunDeals: 'prefill',
  checkInvoiceDrift: 'prefill',
  writeDriftReport: 'prefill',
  // Gotenberg.
  renderInvoicePdf: 'documents',
  renderCreditNotePdf: 'documents',
  // PlanFact refuses parallel writes of a business: this queue runs one task at a time.
  syncPlanFact: 'planfact',
  bookCreditNoteInPlanFact: 'planfact',
  // R2, Didox, SMTP, PlanFact reads. The e-mails read the buyer's contacts from ClickHouse.
  uploadPdfToR2: 'effects',
  createDidoxDraft: 'effects',
  readDidoxStatus: 'effects',
  sendInvoiceEmail: 'effects',
  checkPayments: 'effects',
  sendPaymentReminder: 'effects',
  uploadCreditNotePdfToR2: 'effects',
  sendCreditNoteEmail: 'effects',
  correctDidoxInvoice: 'effects',
}

/**
 * The concerns whose activities read ClickHouse: a process serving one of them opens it (the
 * embedded engine's directory, one process per directory, or CLICKHOUSE_URL); the others need none.
 */
export const CLICKHOUSE_CONCERNS: readonly Concern[] = ['prefill', 'effects']

export function needsClickHouse(concerns: readonly Concern[]): boolean {
  return concerns.some((concern) => CLICKHOUSE_CONCERNS.includes(concern))
}

export function concernOf(activityName: string): Concern {
  return (ACTIVITY_CONCERNS as Record<string, Concern | undefined>)[activityName] ?? 'workflows'
}

/** The task queue of a concern: the workflows' own queue, or that name with the concern after it. */
export function taskQueueOf(workflowTaskQueue: string, concern: Concern): string {
  return concern === 'workflows' ? workflowTaskQueue : `${workflowTaskQueue}-${concern}`
}

/** Parses WORKER_CONCERNS: "all", or a comma list of concerns. */
export function parseConcerns(value: string): Concern[] {
  const names = value.split(',').map((name) => name.trim()).filter((name) => name !== '')
  if (names.length === 1 && names[0] === 'all') return [...CONCERNS]
  if (names.length === 0) throw new Error(`WORKER_CONCERNS is empty: give "all" or a comma list of ${CONCERNS.join(', ')}`)
  const unknown = names.filter((name) => !(CONCERNS as readonly string[]).includes(name))
  if (unknown.length > 0) throw new Error(`WORKER_CONCERNS names unknown concern(s) ${unknown.map((n) => `"${n}"`).join(', ')}: known are all, ${CONCERNS.join(', ')}`)
  return [...new Set(names as Concern[])]
}
