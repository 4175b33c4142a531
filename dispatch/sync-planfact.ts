import { z } from 'zod'
import {
  PlanFactUnavailableError,
  type PlanFactClient,
  type PlanFactContrAgent,
  type PlanFactId,
  type PlanFactOperation,
} from '../clients/planfact.js'
import type { ExternalReference } from '../generated/prisma/client.js'
import type { Database } from '../lib/database.js'
import { ERROR_TYPES } from '../lib/error-types.js'
import { PermanentError } from '../lib/permanent-error.js'
import {
  findReference,
  markReferenceDone,
  markReferenceFailed,
  markReferencePending,
  readDetails,
  type ReferenceKey,
} from './external-reference.js'

/** What PlanFact needs to know about an approved invoice. */
export interface PlanFactInvoice {
  invoiceId: string
  number: string
  /** YYYY-MM-DD: the operation and accrual date. */
  issueDate: string
  /** ISO 4217; picks the PlanFact account. */
  currency: string
  /** Decimal string, at most 2 decimals: the operation's value. */
  total: string
  /** Our customer id: the counterparty's externalId (the only key of a customer without TIN). */
  customerId: string
  buyer: { name: string; legalName: string; tin: string | null }
  /** e.g. "2026-10". */
  periodLabel: string
}

export interface SyncInvoiceToPlanFactInput {
  db: Database
  planfact: PlanFactClient
  invoice: PlanFactInvoice
  /** config.planfact.incomeCategoryId; unset = the Income category titled "Sales". */
  incomeCategoryId?: string
  /** config.planfact.projectId; unset = no project. */
  projectId?: string
}

export interface PlanFactSyncResult {
  operationId: string
  contrAgentId: string
  accountId: string
  /** True when this call created the operation; false when it was found (done or adopted). */
  created: boolean
}

/** Category looked up when none is configured. */
export const DEFAULT_INCOME_CATEGORY_TITLE = 'Sales'
/** Days either side of the issue date searched for an operation carrying our marker. */
export const MARKER_SEARCH_DAYS = 31

const SYSTEM = 'planfact'
const PURPOSE = 'operation'

/**
 * Books an approved invoice in PlanFact as an unpaid income operation, once in effect however
 * often it is retried. PlanFact has no idempotency key and does not enforce unique externalIds,
 * so the guarantee is ours: the ExternalReference row is written `pending` before the create and
 * `done` with the operation id after; a retry returns a `done` id, and otherwise searches
 * PlanFact for the invoice id (the marker in comment and externalId) and adopts what it finds
 * before creating anything. Callers run one at a time per business (the `planfact` task
 * queue's single slot, workers/concerns.ts), because PlanFact refuses parallel writes (429) and
 * because find-then-create of a counterparty is only safe when nobody else does the same at the
 * same time.
 */
export async function syncInvoiceToPlanFact(input: SyncInvoiceToPlanFactInput): Promise<PlanFactSyncResult> {
  const { db, planfact, invoice } = input
  const key: ReferenceKey = { invoiceId: invoice.invoiceId, system: SYSTEM, purpose: PURPOSE }

  const known = await findReference(db, key)
  if (known?.status === 'done') return resultFromReference(known)

  const value = parseAmount(invoice)
  const accountId = await pickAccount(planfact, invoice.currency)
  const operationCategoryId = await resolveIncomeCategory(planfact, input.incomeCategoryId)
  const projectId = input.projectId ? toPlanFactId(input.projectId) : null

  const contrAgentId = await findOrCreateContrAgent(planfact, invoice)
  const details = { accountId, contrAgentId, operationCategoryId, projectId, marker: invoice.invoiceId }

  const earlier = await findMarkedOperations(planfact, invoice, accountId)
  if (earlier.length > 0) return adopt({ db, key, details, operations: earlier, accountId, contrAgentId })

  await markReferencePending(db, key, { ...details, attempts: readAttempts(known) + 1 })
  let operationId: PlanFactId | null
  try {
    operationId = await planfact.createIncomeOperation({
      operationDate: invoice.issueDate,
      accountId,
      contrAgentId,
      comment: buildComment(invoice),
      externalId: invoice.invoiceId,
      items: [{ calculationDate: invoice.issueDate, contrAgentId, operationCategoryId, projectId, value }],
    })
  } catch (error) {
    if (error instanceof PermanentError) await markReferenceFailed(db, key, { ...details, error: error.message })
    throw error
  }

  if (operationId === null) {
    // An empty-bodied success: the operation exists, find it by the marker.
    const created = await findMarkedOperations(planfact, invoice, accountId)
    if (created.length === 0) {
      throw new PlanFactUnavailableError(
        `PlanFact accepted the operation of invoice ${invoice.number} with an empty answer and the search does not show it yet; the retry searches again before writing`,
        200,
      )
    }
    return adopt({ db, key, details, operations: created, accountId, contrAgentId, created: true })
  }
  await markReferenceDone(db, key, String(operationId), { ...details, adopted: false })
  return { operationId: String(operationId), contrAgentId: String(contrAgentId), accountId: String(accountId), created: true }
}

/** The comment PlanFact users see; it carries the invoice id, the marker the search looks for. */
export function buildComment(invoice: Pick<PlanFactInvoice, 'invoiceId' | 'number' | 'periodLabel'>): string {
  return `Invoice ${invoice.number} for ${invoice.periodLabel} [invoice ${invoice.invoiceId}]`
}

async function adopt(options: {
  db: Database
  key: ReferenceKey
  details: Record<string, PlanFactId | string | null>
  operations: PlanFactOperation[]
  accountId: PlanFactId
  contrAgentId: PlanFactId
  created?: boolean
}): Promise<PlanFactSyncResult> {
  const [first, ...others] = sortById(options.operations, (o) => o.operationId)
  const operationId = first!.operationId
  await markReferenceDone(options.db, options.key, String(operationId), {
    ...options.details,
    adopted: options.created !== true,
    // PlanFact does not stop duplicates: name any for the operator instead of hiding them.
    duplicates: others.map((o) => String(o.operationId)),
  })
  return {
    operationId: String(operationId),
    contrAgentId: String(options.contrAgentId),
    accountId: String(options.accountId),
    created: options.created === true,
  }
}

async function findMarkedOperations(planfact: PlanFactClient, invoice: PlanFactInvoice, accountId: PlanFactId): Promise<PlanFactOperation[]> {
  const found = await planfact.searchOperations({
    operationDateStart: shiftDate(invoice.issueDate, -MARKER_SEARCH_DAYS),
    operationDateEnd: shiftDate(invoice.issueDate, MARKER_SEARCH_DAYS),
    searchString: invoice.invoiceId,
    accountIds: [accountId],
  })
  // The search is a text match: keep only operations that really carry this invoice's id.
  return found.filter((o) => o.externalId === invoice.invoiceId || (o.comment ?? '').includes(invoice.invoiceId))
}

async function pickAccount(planfact: PlanFactClient, currency: string): Promise<PlanFactId> {
  const accounts = await planfact.listAccounts({ currencyCode: currency })
  const account = accounts.find((a) => a.currencyCode?.toUpperCase() === currency.toUpperCase())
  if (!account) {
    throw new PermanentError(
      ERROR_TYPES.planfactMisconfigured,
      `PlanFact has no account in ${currency}: add one (the operation's currency follows its account), then retry`,
    )
  }
  return account.accountId
}

async function resolveIncomeCategory(planfact: PlanFactClient, configured: string | undefined): Promise<PlanFactId> {
  if (configured) return toPlanFactId(configured)
  const categories = await planfact.listOperationCategories({ type: 'Income' })
  const sales = categories.find((c) => c.title.trim().toLowerCase() === DEFAULT_INCOME_CATEGORY_TITLE.toLowerCase())
  if (!sales) {
    const titles = categories.map((c) => JSON.stringify(c.title)).join(', ') || 'none'
    throw new PermanentError(
      ERROR_TYPES.planfactMisconfigured,
      `PlanFact has no Income category titled "${DEFAULT_INCOME_CATEGORY_TITLE}" (found ${titles}); set PLANFACT_INCOME_CATEGORY_ID`,
    )
  }
  return sales.operationCategoryId
}

/**
 * The counterparty by TIN (or by our customer id for customers without one), created when
 * missing. Runs one at a time per business, so two invoices of a new customer create it once.
 */
async function findOrCreateContrAgent(planfact: PlanFactClient, invoice: PlanFactInvoice): Promise<PlanFactId> {
  const tin = invoice.buyer.tin?.trim() || null
  const byTin = tin === null ? [] : await planfact.findContrAgents({ inn: tin })
  const existing = byTin.length > 0 ? byTin : await planfact.findContrAgents({ externalId: invoice.customerId })
  if (existing.length > 0) return oldest(existing)

  const created = await planfact.createContrAgent({
    title: invoice.buyer.name,
    longTitle: invoice.buyer.legalName || invoice.buyer.name,
    contrAgentInn: tin,
    contrAgentType: 'Mixed',
    externalId: invoice.customerId,
  })
  if (created !== null) return created
  const after = await planfact.findContrAgents({ externalId: invoice.customerId })
  if (after.length === 0) {
    throw new PlanFactUnavailableError(`PlanFact accepted counterparty ${invoice.customerId} with an empty answer and does not list it yet`, 200)
  }
  return oldest(after)
}

function oldest(contrAgents: PlanFactContrAgent[]): PlanFactId {
  return sortById(contrAgents, (c) => c.contrAgentId)[0]!.contrAgentId
}

/** Numeric ids in numeric order (the oldest first), other ids in text order: deterministic. */
function sortById<T>(items: T[], idOf: (item: T) => PlanFactId): T[] {
  return [...items].sort((a, b) => {
    const x = idOf(a)
    const y = idOf(b)
    if (typeof x === 'number' && typeof y === 'number') return x - y
    return String(x).localeCompare(String(y), 'en', { numeric: true })
  })
}

function parseAmount(invoice: PlanFactInvoice): number {
  // Two decimals and under 2^53 cents: the JSON number PlanFact receives is exactly this text.
  if (!/^\d{1,13}(\.\d{1,2})?$/.test(invoice.total) || Number(invoice.total) <= 0) {
    throw new PermanentError(ERROR_TYPES.invalidInput, `invoice ${invoice.number}: total ${JSON.stringify(invoice.total)} is not a positive amount with at most 2 decimals`)
  }
  return Number(invoice.total)
}

function toPlanFactId(value: string): PlanFactId {
  return /^\d+$/.test(value) ? Number(value) : value
}

function shiftDate(date: string, days: number): string {
  const time = Date.parse(`${date}T00:00:00Z`)
  if (Number.isNaN(time) || !/^\d{4}-\d{2}-\d{2}$/.test(date)) {
    throw new PermanentError(ERROR_TYPES.invalidInput, `issue date ${JSON.stringify(date)} is not YYYY-MM-DD`)
  }
  return new Date(time + days * 86_400_000).toISOString().slice(0, 10)
}

const storedId = z.union([z.number(), z.string()])
const doneDetailsSchema = z.object({ accountId: storedId, contrAgentId: storedId })

function resultFromReference(reference: ExternalReference): PlanFactSyncResult {
  const details = doneDetailsSchema.safeParse(readDetails(reference))
  if (!details.success || reference.externalId === null) {
    throw new PermanentError(
      ERROR_TYPES.invalidInput,
      `the PlanFact reference of invoice ${reference.invoiceId} is marked done but lacks its ids; repair the external_references row`,
    )
  }
  return {
    operationId: reference.externalId,
    contrAgentId: String(details.data.contrAgentId),
    accountId: String(details.data.accountId),
    created: false,
  }
}

function readAttempts(reference: ExternalReference | null): number {
  const attempts = reference === null ? 0 : readDetails(reference).attempts
  return typeof attempts === 'number' ? attempts : 0
}
