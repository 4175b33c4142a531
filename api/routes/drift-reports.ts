import { findDriftReport, listDriftReports } from '../../db/drift-reports.js'
import { DriftReportPageSchema, DriftReportSchema, ListDriftReportsQuerySchema } from '../../operations/drift/drift-schemas.js'
import { UuidParamsSchema } from '../../operations/schemas.js'
import { READ_ROLES } from '../auth.js'
import { ApiError } from '../errors.js'
import { createRouter, defineSecuredRoute, errorResponses, jsonContent } from '../router.js'

/** Where a drift report lives in this API. */
export function driftReportHref(id: string): string {
  return `/drift-reports/${id}`
}

const listRoute = defineSecuredRoute(READ_ROLES, {
  method: 'get',
  path: '/',
  summary: 'Drift reports, latest first, without their worklogs',
  request: { query: ListDriftReportsQuerySchema },
  responses: { 200: { description: 'The latest reports', content: jsonContent(DriftReportPageSchema) }, ...errorResponses(400) },
})
const getRoute = defineSecuredRoute(READ_ROLES, {
  method: 'get',
  path: '/{id}',
  summary: 'A drift report: each invoice with drift, its lines and changed worklogs, totals per currency',
  request: { params: UuidParamsSchema },
  responses: { 200: { description: 'The report', content: jsonContent(DriftReportSchema) }, ...errorResponses(400, 404) },
})

/** /drift-reports: the stored reports (nightly, or run by an operator), read from PostgreSQL. */
export const driftReportsRouter = createRouter()
  .openapi(listRoute, async (c) => {
    const reports = await listDriftReports(c.var.deps.db, c.req.valid('query').limit)
    return c.json({ items: reports.map((report) => ({ ...report, href: driftReportHref(report.id) })) }, 200)
  })
  .openapi(getRoute, async (c) => {
    const { id } = c.req.valid('param')
    const report = await findDriftReport(c.var.deps.db, id)
    if (!report) throw new ApiError('NOT_FOUND', `no drift report with id ${id}`)
    return c.json({ ...report, href: driftReportHref(report.id) }, 200)
  })
