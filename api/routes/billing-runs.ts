import { labelPeriod } from '../../billing/period.js'
import { startBillingRun } from '../../operations/start-billing-run.js'
import { parseBillingPeriod } from '../../prefill/billing-period.js'
import { READ_ROLES } from '../auth.js'
import { listBillingRuns } from '../../operations/billing-runs/list-billing-runs.js'
import { billingRunHref, readBillingRun, resolveBillingRunId } from '../../operations/billing-runs/read-billing-run.js'
import { ApiError } from '../errors.js'
import { createRouter, defineSecuredRoute, errorResponses, jsonContent } from '../router.js'
import {
  BillingRunIdParamsSchema,
  BillingRunPageSchema,
  BillingRunSchema,
  ListBillingRunsQuerySchema,
  StartBillingRunBodySchema,
  StartedBillingRunSchema,
} from '../../operations/billing-runs/billing-run-schemas.js'

const startRoute = defineSecuredRoute(['accountant'], {
  method: 'post',
  path: '/',
  summary: 'Start the month-end billing run of a period: one invoice per active deal (or per listed deal), a few prefilling at once',
  request: { body: { required: true, content: jsonContent(StartBillingRunBodySchema) } },
  responses: {
    202: { description: 'Started. Location names the run', content: jsonContent(StartedBillingRunSchema) },
    ...errorResponses(400, 409, 413, 415),
  },
})
const listRoute = defineSecuredRoute(READ_ROLES, {
  method: 'get',
  path: '/',
  summary: 'Billing runs from Temporal visibility (running first, then by close time, newest first)',
  request: { query: ListBillingRunsQuerySchema },
  responses: { 200: { description: 'A page', content: jsonContent(BillingRunPageSchema) }, ...errorResponses(400) },
})
const getRoute = defineSecuredRoute(READ_ROLES, {
  method: 'get',
  path: '/{id}',
  summary: "A billing run: its progress and deals, each invoice's state read live",
  request: { params: BillingRunIdParamsSchema },
  responses: { 200: { description: 'The billing run', content: jsonContent(BillingRunSchema) }, ...errorResponses(404) },
})

/** /billing-runs: starts and reads month-end billing runs; the run itself is a workflow. */
export const billingRunsRouter = createRouter()
  .openapi(startRoute, async (c) => {
    const { deps, user } = c.var
    const { period, dealIds, concurrency } = c.req.valid('json')
    const result = await startBillingRun({ client: deps.temporal, taskQueue: deps.taskQueue, input: { period, startedBy: user.id, dealIds, concurrency } })
    if (!result.started && result.reason === 'invalid_period') {
      throw new ApiError('VALIDATION_FAILED', `body.period: ${result.message}`, { issues: [{ field: 'body.period', problem: result.message }] })
    }
    if (!result.started) {
      throw new ApiError('ALREADY_EXISTS', result.message, { workflowId: result.workflowId, runId: result.runId, workflowStatus: 'RUNNING', href: billingRunHref(result.workflowId) })
    }
    c.header('Location', billingRunHref(result.workflowId))
    return c.json({ id: result.workflowId, runId: result.runId, period: result.period, href: billingRunHref(result.workflowId) }, 202)
  })
  .openapi(listRoute, async (c) => {
    const { limit, cursor, period } = c.req.valid('query')
    const parsed = period === undefined ? undefined : parseBillingPeriod(period)
    const label = parsed && 'period' in parsed ? labelPeriod(parsed.period).label : undefined
    return c.json(await listBillingRuns({ client: c.var.deps.temporal, period: label, limit, cursor }), 200)
  })
  .openapi(getRoute, async (c) => {
    const { id } = c.req.valid('param')
    const run = await readBillingRun({ client: c.var.deps.temporal, db: c.var.deps.db, workflowId: resolveBillingRunId(id), timeoutMs: c.var.deps.queryTimeoutMs })
    if (!run) throw new ApiError('NOT_FOUND', `no billing run with id ${id}`)
    return c.json(run, 200)
  })
