import { isGrpcCancelledError, isGrpcDeadlineError, isGrpcServiceError, QueryNotRegisteredError, ServiceError, type Client, type WorkflowExecutionDescription } from '@temporalio/client'
import { WorkflowNotFoundError } from '@temporalio/common'
import type { InvoicePreview } from '../../billing/types.js'
import type { Invoice } from '../../generated/prisma/client.js'
import type { Database } from '../../lib/database.js'
import { getInvoiceQuery, INVOICE_STATES, type InvoiceState, type InvoiceView } from '../../workflows/invoice-contract.js'
import { billingPeriodKey, customerIdKey, dealIdKey, invoiceNumberKey, invoiceStatusKey } from '../../workflows/search-attributes.js'
import { INVOICE_WORKFLOW_TYPE } from './invoice-list-query.js'

export interface LoadedInvoice {
  description: WorkflowExecutionDescription
  view: InvoiceView
  /** `workflow` when the workflow answered the query; `database` when it did not in time. */
  source: 'workflow' | 'database'
  notice: string | null
}

/** The latest run of an invoice workflow, or null when there is no invoice with this id. */
export function describeInvoice(client: Client, workflowId: string): Promise<WorkflowExecutionDescription | null> {
  return describeWorkflowOfType(client, workflowId, INVOICE_WORKFLOW_TYPE)
}

/** The latest run of a workflow id, or null when there is none or it runs another workflow type. */
export async function describeWorkflowOfType(client: Client, workflowId: string, type: string): Promise<WorkflowExecutionDescription | null> {
  try {
    const description = await client.workflow.getHandle(workflowId).describe()
    return description.type === type ? description : null
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return null
    throw err
  }
}

/**
 * The invoice as its workflow sees it (the `getInvoice` query, which Temporal also answers
 * for closed runs while a worker is up). When no worker answers within `timeoutMs`,
 * the last state saved in PostgreSQL and the search attributes stand in, marked as such, so
 * people can still look at an invoice while the worker is down. Null for an unknown id.
 */
export async function loadInvoiceState(options: {
  client: Client
  db: Database
  workflowId: string
  timeoutMs: number
}): Promise<LoadedInvoice | null> {
  const description = await describeInvoice(options.client, options.workflowId)
  if (!description) return null
  const handle = options.client.workflow.getHandle(options.workflowId, description.runId)
  try {
    const view = await options.client.withDeadline(Date.now() + options.timeoutMs, () => handle.query(getInvoiceQuery))
    return { description, view, source: 'workflow', notice: null }
  } catch (err) {
    if (!isQueryUnanswered(err)) throw err
  }
  const row = await options.db.invoice.findUnique({ where: { workflowRunId: description.runId } })
  return {
    description,
    view: buildStoredView(description, row),
    source: 'database',
    notice: `no worker answered the query within ${options.timeoutMs} ms (is the worker running?): this is the last state saved in PostgreSQL and Temporal visibility; attention and dispatch details are not shown`,
  }
}

/**
 * Whether a query failed because no worker could answer it: no answer before the deadline
 * (worker just stopped or busy; the client reports its own deadline as DEADLINE_EXCEEDED or,
 * depending on timing, CANCELLED, and the API never cancels a query otherwise),
 * FAILED_PRECONDITION (Temporal saw no poller on the task queue recently, or the run never
 * completed a workflow task), or a handler not registered yet.
 */
export function isQueryUnanswered(err: unknown): boolean {
  if (isGrpcDeadlineError(err) || isGrpcCancelledError(err) || err instanceof QueryNotRegisteredError) return true
  const cause = err instanceof ServiceError ? err.cause : err
  return isGrpcServiceError(cause) && cause.code === 9
}

/** What PostgreSQL and the search attributes know of a run, in the shape of the query result. */
function buildStoredView(description: WorkflowExecutionDescription, row: Invoice | null): InvoiceView {
  const attributes = description.typedSearchAttributes
  const recorded = attributes.get(invoiceStatusKey) ?? row?.state
  const state: InvoiceState = INVOICE_STATES.find((s) => s === recorded) ?? 'prefilling'
  return {
    workflowId: description.workflowId,
    state,
    dealId: attributes.get(dealIdKey) ?? row?.dealId ?? '',
    customerId: attributes.get(customerIdKey) ?? row?.customerId ?? null,
    period: attributes.get(billingPeriodKey) ?? row?.period ?? '',
    preview: (row?.preview as InvoicePreview | undefined) ?? null,
    invoiceId: row?.id ?? null,
    invoiceNumber: attributes.get(invoiceNumberKey) ?? row?.number ?? null,
    pdfVersion: row?.currentPdfVersion ?? null,
    startedBy: row?.confirmedBy ?? '',
    confirmedBy: row?.confirmedBy ?? null,
    approvedBy: row?.approvedBy ?? null,
    attention: null,
    dispatch: {},
    cancelReason: row?.voidReason ?? null,
  }
}
