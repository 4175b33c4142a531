import { bodyLimit } from 'hono/body-limit'
import { requestId } from 'hono/request-id'
import type { OpenAPIHono } from '@hono/zod-openapi'
import type { Context } from 'hono'
import { createLogger } from '../lib/logger.js'
import { createAllowedMethods } from './allowed-methods.js'
import { parseApiTokens } from './auth.js'
import type { AppDeps, AppEnv, ResolvedDeps } from './context.js'
import { renderDocsPage } from './docs-page.js'
import { ApiError, describeError } from './errors.js'
import { createDefaultChecks } from './health-checks.js'
import { logRequests } from './request-log.js'
import { createRouter } from './router.js'
import { createApiClient } from '../console/api-client.js'
import { createConsoleRouter } from '../console/router.js'
import { creditNotesRouter, invoiceAfterDeliveryRouter, receivablesRouter } from './routes/after-delivery.js'
import { billingRunsRouter } from './routes/billing-runs.js'
import { categoryRulesRouter } from './routes/category-rules.js'
import { driftReportsRouter } from './routes/drift-reports.js'
import { healthRouter } from './routes/health.js'
import { invoicesRouter } from './routes/invoices.js'
import { rateRulesRouter } from './routes/rate-rules.js'
import { settingsRouter } from './routes/settings.js'

const OPENAPI_INFO = { title: 'Invoicing API', version: '1.0.0', description: 'Starts invoices, acts on them (each action answered with its outcome) and reads them; month-end billing runs; drift of billed work; rate rules, category rules and settings.' }

/**
 * The HTTP API as a Hono app, with its dependencies passed in so tests run it through
 * `app.request()` against the real services without opening a port.
 */
export function createApp(deps: AppDeps): OpenAPIHono<AppEnv> {
  const logger = deps.logger ?? createLogger(deps.config.log)
  const resolved: ResolvedDeps = {
    checks: createDefaultChecks(deps),
    logger,
    queryTimeoutMs: 3_000,
    actionWaitMs: 30_000,
    startWaitMs: 10_000,
    bodyLimitBytes: 64 * 1024,
    ...stripUndefined(deps),
  }
  const tokens = parseApiTokens(deps.config.apiTokens)
  const app = createRouter()

  app.use(requestId())
  app.use(logRequests(resolved.logger))
  app.use(async (c, next) => {
    c.set('deps', resolved)
    c.set('tokens', tokens)
    await next()
  })
  app.use(
    bodyLimit({
      maxSize: resolved.bodyLimitBytes,
      onError: () => {
        throw new ApiError('PAYLOAD_TOO_LARGE', `the body is larger than ${resolved.bodyLimitBytes} bytes`)
      },
    }),
  )

  app.route('/invoices', invoicesRouter)
  app.route('/invoices', invoiceAfterDeliveryRouter)
  app.route('/credit-notes', creditNotesRouter)
  app.route('/receivables', receivablesRouter)
  app.route('/billing-runs', billingRunsRouter)
  app.route('/drift-reports', driftReportsRouter)
  app.route('/rate-rules', rateRulesRouter)
  app.route('/category-rules', categoryRulesRouter)
  app.route('/settings', settingsRouter)
  app.route('/health', healthRouter)
  // The finance console (docs/console.md): pages, not part of the OpenAPI document.
  app.route('/app', createConsoleRouter(createApiClient(app)) as never)

  app.openAPIRegistry.registerComponent('securitySchemes', 'bearerAuth', { type: 'http', scheme: 'bearer', description: 'A token from API_TOKENS' })
  app.doc31('/openapi.json', { openapi: '3.1.0', info: OPENAPI_INFO })
  app.get('/docs', (c) => c.html(renderDocsPage(app.getOpenAPI31Document({ openapi: '3.1.0', info: OPENAPI_INFO }))))

  const allowedMethods = createAllowedMethods(() => app.routes)
  app.notFound((c) => {
    const allowed = allowedMethods(c.req.path)
    if (allowed.length === 0) return respondWithError(c, new ApiError('NOT_FOUND', `no route ${c.req.method} ${c.req.path}`), resolved)
    const refusal = new ApiError('METHOD_NOT_ALLOWED', `${c.req.path} does not take ${c.req.method}; it takes ${allowed.join(', ')}`, { allowed }, { Allow: allowed.join(', ') })
    return respondWithError(c, refusal, resolved)
  })
  app.onError((err, c) => respondWithError(c, err, resolved))
  return app
}

/** The one place errors become responses: `{ code, message, requestId, ...details }`. */
function respondWithError(c: Context<AppEnv>, err: unknown, deps: ResolvedDeps): Response {
  const { status, body, headers, unexpected } = describeError(err)
  if (unexpected) {
    const cause = err instanceof Error && err.cause instanceof Error ? err.cause.message : undefined
    deps.logger.error('request error', { requestId: c.var.requestId, method: c.req.method, path: c.req.path, error: err, cause })
  }
  for (const [name, value] of Object.entries(headers)) c.header(name, value)
  return c.json({ ...body, requestId: c.var.requestId }, status)
}

function stripUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T
}
