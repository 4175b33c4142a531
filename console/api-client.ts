import type { AuthUser } from '../api/auth.js'

/** What the API answered: its status and JSON body (`{ code, message, issues? }` when refused). */
export interface ApiAnswer<T = Record<string, unknown>> {
  status: number
  ok: boolean
  body: T
}

export interface ApiProblem {
  code: string
  message: string
  issues?: { field: string; problem: string }[]
}

export interface ApiCall {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE'
  path: string
  user: AuthUser
  body?: unknown
  /** Becomes the Idempotency-Key: a form sent twice is the same action. */
  idempotencyKey?: string
  /** Prefer: wait=N seconds for an action's outcome. */
  waitSeconds?: number
}

export type CallApi = <T = Record<string, unknown>>(call: ApiCall) => Promise<ApiAnswer<T>>

/**
 * The console's way to act: the API's own routes, called in-process with the signed-in user
 * (Hono's env, which no network request can set). So a form is validated by the same schemas,
 * runs the same operation and is refused with the same code and message as a JSON client.
 */
export function createApiClient(app: { request: (input: string, init: RequestInit, env: { signedInUser: AuthUser }) => Response | Promise<Response> }): CallApi {
  return async <T>(call: ApiCall) => {
    const headers: Record<string, string> = { Accept: 'application/json' }
    if (call.body !== undefined) headers['Content-Type'] = 'application/json'
    if (call.idempotencyKey) headers['Idempotency-Key'] = call.idempotencyKey
    if (call.waitSeconds !== undefined) headers.Prefer = `wait=${call.waitSeconds}`
    const res = await app.request(call.path, { method: call.method, headers, ...(call.body === undefined ? {} : { body: JSON.stringify(call.body) }) }, { signedInUser: call.user })
    const text = await res.text()
    const body = (text ? JSON.parse(text) : {}) as T
    return { status: res.status, ok: res.ok, body }
  }
}

export function problemOf(answer: ApiAnswer<unknown>): ApiProblem {
  const body = answer.body as Partial<ApiProblem>
  return { code: body.code ?? String(answer.status), message: body.message ?? `the API answered ${answer.status}`, ...(body.issues ? { issues: body.issues } : {}) }
}
