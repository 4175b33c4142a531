import { createRoute, OpenAPIHono, type RouteConfig } from '@hono/zod-openapi'
import type { ZodType } from 'zod'
import { requireRoles, type Role } from './auth.js'
import type { AppEnv } from './context.js'
import { buildValidationError } from './errors.js'
import { ErrorSchema } from '../operations/schemas.js'

/**
 * A router for one resource. Validation failures are thrown, not answered here, so the one
 * central onError shapes every error the same way.
 */
export function createRouter(): OpenAPIHono<AppEnv> {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) throw buildValidationError(result.error, result.target)
    },
  })
}

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid request: malformed JSON, a field that fails validation, or an unknown field',
  401: 'No token, or an unknown one',
  403: 'The token lacks the role, or maker-checker forbids it',
  404: 'Not found',
  409: 'Conflicts with the current state',
  413: 'Body too large',
  415: 'Body is not application/json',
  422: 'The workflow refused the action as invalid, or the deal\'s customer is unknown',
  503: 'A service the request needs is unavailable',
}

/** OpenAPI entries for the error statuses a route can answer, all with the shared error body. */
export function errorResponses(...statuses: number[]): RouteConfig['responses'] {
  return Object.fromEntries(
    statuses.map((status) => [status, { description: ERROR_DESCRIPTIONS[status] ?? 'Error', content: jsonContent(ErrorSchema) }]),
  )
}

/**
 * A route that needs a bearer token holding one of `roles`: the role check is the route's
 * own middleware and its `x-roles` in the OpenAPI document, so both come from one place.
 * The 401/403 responses are added for the document only; handlers never return them. So are 400
 * for a route that takes parameters, a query or a body (they are validated), and 503 for every
 * route (each reads PostgreSQL or Temporal, and either may be unreachable).
 */
export function defineSecuredRoute<R extends RouteConfig>(roles: readonly Role[], route: R): R {
  const full = createRoute({
    ...route,
    middleware: [requireRoles(...roles)],
    security: [{ bearerAuth: [] }],
    'x-roles': roles,
    responses: { ...errorResponses(...(route.request ? [400] : []), 401, 403, 503), ...route.responses },
  })
  return full as unknown as R
}

/** The `content` of a JSON request or response, keeping the schema's type for the handler. */
export function jsonContent<T extends ZodType>(schema: T): { 'application/json': { schema: T } } {
  return { 'application/json': { schema } }
}
