import { createHash } from 'node:crypto'
import type { MiddlewareHandler } from 'hono'
import type { AppEnv } from './context.js'
import { ApiError } from './errors.js'

export const ROLES = ['viewer', 'accountant', 'approver', 'admin'] as const
export type Role = (typeof ROLES)[number]

export interface AuthUser {
  id: string
  roles: Role[]
}

/** Users by the SHA-256 of their token: the lookup never compares raw secrets. */
export type TokenIndex = ReadonlyMap<string, AuthUser>

/** Reading is open to every role: viewer is the least a token can have. */
export const READ_ROLES: readonly Role[] = ROLES

/**
 * Parses API_TOKENS (`token=user:role+role,...`). A malformed entry or an unknown role stops
 * the API at start-up rather than silently locking someone out or letting them in.
 */
export function parseApiTokens(text: string): TokenIndex {
  const index = new Map<string, AuthUser>()
  for (const [position, entry] of text.split(',').map((e) => e.trim()).filter(Boolean).entries()) {
    const match = /^([^=\s]+)=([^:\s]+):([a-z+]+)$/.exec(entry)
    if (!match) throw new Error(`API_TOKENS entry ${position + 1} must look like token=user:role+role`)
    const roles = match[3]!.split('+')
    const unknown = roles.filter((r) => !(ROLES as readonly string[]).includes(r))
    if (unknown.length > 0) throw new Error(`API_TOKENS entry ${position + 1} (user ${match[2]}) has unknown role(s) ${unknown.join(', ')}; roles are ${ROLES.join(', ')}`)
    const hash = hashToken(match[1]!)
    if (index.has(hash)) throw new Error(`API_TOKENS entry ${position + 1} repeats a token`)
    // User ids are compared exactly (maker-checker): "Alice" and "alice" are one person.
    index.set(hash, { id: match[2]!.toLowerCase(), roles: roles as Role[] })
  }
  return index
}

/**
 * Route middleware: the bearer token must be known (else 401) and its user must hold one of
 * `roles` (else 403). Runs before body validation, so a caller without the right learns
 * nothing about what a valid body would be.
 */
export function requireRoles(...roles: Role[]): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    // The console's own calls carry the signed-in user in-process (Hono's env, which no network request can set).
    const user = c.env?.signedInUser ?? authenticate(c.req.header('Authorization'), c.var.tokens)
    c.set('user', user)
    if (!user.roles.some((r) => roles.includes(r))) {
      throw new ApiError('FORBIDDEN', `this needs the role ${roles.join(' or ')}; ${user.id} has ${user.roles.join(', ')}`, { requiredRoles: roles })
    }
    await next()
  }
}

function authenticate(header: string | undefined, tokens: TokenIndex): AuthUser {
  const challenge = { 'WWW-Authenticate': 'Bearer realm="invoicing"' }
  if (!header) throw new ApiError('UNAUTHENTICATED', 'send Authorization: Bearer <token>', {}, challenge)
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header)
  if (!match) throw new ApiError('UNAUTHENTICATED', 'the Authorization header must use the Bearer scheme', {}, challenge)
  const user = tokens.get(hashToken(match[1]!))
  if (!user) throw new ApiError('UNAUTHENTICATED', 'unknown or revoked token', {}, { 'WWW-Authenticate': 'Bearer realm="invoicing", error="invalid_token"' })
  return user
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex')
}
