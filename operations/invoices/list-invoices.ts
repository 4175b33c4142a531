import { createHash } from 'node:crypto'
import { isGrpcServiceError, ServiceError, type Client, type RawWorkflowExecutionInfo } from '@temporalio/client'
import { defaultPayloadConverter, type Payload } from '@temporalio/common'
import { billingPeriodKey, customerIdKey, dealIdKey, invoiceNumberKey, invoiceStatusKey } from '../../workflows/search-attributes.js'
import { OperationError as ApiError } from '../operation-error.js'
import { VISIBILITY_CURSOR_PATTERN } from '../schemas.js'
import { buildInvoiceListQuery, type InvoiceListFilters } from './invoice-list-query.js'

export interface InvoiceSummary {
  /** The workflow id: the invoice's id in the API. */
  id: string
  runId: string
  /** Temporal's view of the run: RUNNING, COMPLETED, TERMINATED, ... */
  workflowStatus: string
  state: string | null
  dealId: string | null
  customerId: string | null
  period: string | null
  number: string | null
  startedAt: string | null
  closedAt: string | null
}

export interface InvoicePage {
  items: InvoiceSummary[]
  /** Pass back as `cursor` for the next page; null on the last page. */
  nextCursor: string | null
}

const STATUS_NAMES = ['UNSPECIFIED', 'RUNNING', 'COMPLETED', 'FAILED', 'CANCELLED', 'TERMINATED', 'CONTINUED_AS_NEW', 'TIMED_OUT', 'PAUSED']

/**
 * One page of invoices from Temporal visibility: every invoice is a workflow, including those
 * not yet confirmed (which have no PostgreSQL row), and operators search the same attributes in
 * Temporal Web. The cursor is Temporal's page token, opaque to clients.
 */
export async function listInvoices(options: { client: Client; filters: InvoiceListFilters; limit: number; cursor?: string }): Promise<InvoicePage> {
  const page = await listExecutions({ client: options.client, query: buildInvoiceListQuery(options.filters), limit: options.limit, cursor: options.cursor })
  const items = page.executions.map((raw): InvoiceSummary => {
    const fields = raw.searchAttributes?.indexedFields ?? {}
    return {
      ...describeExecution(raw),
      state: readKeyword(fields, invoiceStatusKey.name),
      dealId: readKeyword(fields, dealIdKey.name),
      customerId: readKeyword(fields, customerIdKey.name),
      period: readKeyword(fields, billingPeriodKey.name),
      number: readKeyword(fields, invoiceNumberKey.name),
    }
  })
  return { items, nextCursor: page.nextCursor }
}

/**
 * One page of workflow executions matching a visibility query. The cursor is Temporal's page
 * token in base64url and a checksum of it (VISIBILITY_CURSOR_PATTERN): a cursor this API did not
 * return is a 400 on `query.cursor` at once, never sent to Temporal (which took 20 s of retries to
 * refuse junk); one Temporal refuses all the same is a 400 too.
 */
export async function listExecutions(options: { client: Client; query: string; limit: number; cursor?: string }): Promise<{ executions: RawWorkflowExecutionInfo[]; nextCursor: string | null }> {
  const nextPageToken = options.cursor ? decodeCursor(options.cursor) : undefined
  let response
  try {
    response = await options.client.workflowService.listWorkflowExecutions({
      namespace: options.client.options.namespace,
      query: options.query,
      pageSize: options.limit,
      nextPageToken,
    })
  } catch (err) {
    const cause = err instanceof ServiceError ? err.cause : err
    // INVALID_ARGUMENT, or UNKNOWN: how the SQL visibility stores answer a token they cannot read.
    if (options.cursor && isGrpcServiceError(cause) && (cause.code === 3 || cause.code === 2)) {
      throw new ApiError('VALIDATION_FAILED', 'query.cursor: is not a cursor this API returned for these filters', { issues: [{ field: 'query.cursor', problem: 'not a cursor this API returned for these filters' }] })
    }
    throw err
  }
  const token = response.nextPageToken
  return { executions: response.executions ?? [], nextCursor: token && token.length > 0 ? encodeVisibilityCursor(token) : null }
}

/** Id, run, Temporal status and times of a listed execution. */
export function describeExecution(raw: RawWorkflowExecutionInfo): { id: string; runId: string; workflowStatus: string; startedAt: string | null; closedAt: string | null } {
  return {
    id: raw.execution?.workflowId ?? '',
    runId: raw.execution?.runId ?? '',
    workflowStatus: STATUS_NAMES[raw.status ?? 0] ?? 'UNKNOWN',
    startedAt: toIso(raw.startTime),
    closedAt: toIso(raw.closeTime),
  }
}

function encodeVisibilityCursor(token: Uint8Array): string {
  return `${Buffer.from(token).toString('base64url')}.${checksumOf(token)}`
}

function decodeCursor(cursor: string): Uint8Array {
  const [encoded = '', checksum] = cursor.split('.')
  const token = Buffer.from(encoded, 'base64url')
  if (!VISIBILITY_CURSOR_PATTERN.test(cursor) || checksum !== checksumOf(token)) {
    throw new ApiError('VALIDATION_FAILED', 'query.cursor: is not a cursor this API returned (pass nextCursor of the previous page as it is)', { issues: [{ field: 'query.cursor', problem: 'not a cursor this API returned' }] })
  }
  return token
}

/** Tells a cursor this API made from junk or a truncated copy; not a secret (Temporal checks the token itself). */
function checksumOf(token: Uint8Array): string {
  return createHash('sha256').update(token).digest('base64url').slice(0, 8)
}

/** A keyword search attribute (or memo field) of a listed execution, or null. */
export function readKeyword(fields: Record<string, Payload>, name: string): string | null {
  const payload = fields[name]
  if (!payload) return null
  const value: unknown = defaultPayloadConverter.fromPayload(payload)
  const first = Array.isArray(value) ? value[0] : value
  return typeof first === 'string' ? first : null
}

function toIso(timestamp: { seconds?: { toNumber(): number } | number | null; nanos?: number | null } | null | undefined): string | null {
  if (!timestamp?.seconds) return null
  const seconds = typeof timestamp.seconds === 'number' ? timestamp.seconds : timestamp.seconds.toNumber()
  return new Date(seconds * 1000 + Math.floor((timestamp.nanos ?? 0) / 1e6)).toISOString()
}
