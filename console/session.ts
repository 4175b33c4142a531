import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import type { AuthUser, Role } from '../api/auth.js'

/**
 * The console's session: a token exchanged once for an HttpOnly, SameSite=Strict cookie holding
 * the user, roles and expiry, signed with a key derived from API_TOKENS (so rotating the tokens
 * ends every session, and no secret lives in the repo). Forms carry a CSRF token bound to the
 * session (`csrfFor`), checked on every POST.
 */

export const SESSION_COOKIE = 'invoicing_session'
/** Sessions last a working day. */
export const SESSION_TTL_MS = 12 * 3_600_000

export interface Session {
  user: AuthUser
  expiresAt: number
  /** Random per sign-in: the CSRF token is bound to it. */
  nonce: string
}

export function sessionKey(apiTokens: string): Buffer {
  return createHash('sha256').update(`console-session\n${apiTokens}`).digest()
}

export function signSession(key: Buffer, user: AuthUser, now = Date.now()): string {
  const payload = Buffer.from(JSON.stringify({ id: user.id, roles: user.roles, exp: now + SESSION_TTL_MS, nonce: randomBytes(12).toString('hex') })).toString('base64url')
  return `${payload}.${mac(key, payload)}`
}

/** The session a cookie names, or null when it is missing, forged or expired. */
export function readSession(key: Buffer, cookie: string | undefined, now = Date.now()): Session | null {
  if (!cookie) return null
  const [payload, signature] = cookie.split('.')
  if (!payload || !signature || !same(signature, mac(key, payload))) return null
  try {
    const data = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { id: string; roles: Role[]; exp: number; nonce: string }
    if (typeof data.exp !== 'number' || data.exp < now) return null
    return { user: { id: data.id, roles: data.roles }, expiresAt: data.exp, nonce: data.nonce }
  } catch {
    return null
  }
}

export function csrfFor(key: Buffer, session: Session): string {
  return mac(key, `csrf:${session.user.id}:${session.nonce}`)
}

export function checkCsrf(key: Buffer, session: Session, token: unknown): boolean {
  return typeof token === 'string' && same(token, csrfFor(key, session))
}

function mac(key: Buffer, text: string): string {
  return createHmac('sha256', key).update(text).digest('base64url')
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a)
  const y = Buffer.from(b)
  return x.length === y.length && timingSafeEqual(x, y)
}
