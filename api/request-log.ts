import type { Logger } from '@temporalio/common'
import type { MiddlewareHandler } from 'hono'
import type { AppEnv } from './context.js'

/**
 * One log line per request, with the request id the client sees in X-Request-Id and in error
 * bodies, so a support ticket leads straight to the line. Never logs headers or bodies.
 */
export function logRequests(logger: Logger): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const started = performance.now()
    await next()
    const status = c.res.status
    const meta = {
      requestId: c.var.requestId,
      method: c.req.method,
      path: c.req.path,
      status,
      durationMs: Math.round(performance.now() - started),
      ...(c.var.user ? { user: c.var.user.id } : {}),
    }
    if (status >= 500) logger.error('request failed', meta)
    else logger.info('request', meta)
  }
}
