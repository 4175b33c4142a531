import { ServiceError } from '@temporalio/client'
import { HTTPException } from 'hono/http-exception'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { ApiError, buildValidationError, describeError, ERROR_STATUS } from './errors.js'

/** A gRPC error as @grpc/grpc-js makes it (14 = UNAVAILABLE). */
function grpcError(code: number, details: string): Error {
  return Object.assign(new Error(`${code} ${details}`), { code, details, metadata: {} })
}

describe('errors: one class, one table, one shape', () => {
  it('maps every code through the table and adds details to the body', () => {
    const err = new ApiError('WRONG_STATE', '"approve" cannot be taken while the invoice is completed', { state: 'completed' })
    expect(describeError(err)).toEqual({ status: 409, body: { code: 'WRONG_STATE', message: err.message, state: 'completed' }, headers: {}, unexpected: false })
    expect(ERROR_STATUS.MAKER_CHECKER).toBe(403)
    expect(ERROR_STATUS.INVALID_EDIT).toBe(422)
  })

  it("maps Hono's own errors (malformed JSON, 413, 415) to their codes", () => {
    expect(describeError(new HTTPException(400, { message: 'Malformed JSON in request body' })).body).toEqual({ code: 'MALFORMED_JSON', message: 'the request body is not valid JSON' })
    expect(describeError(new HTTPException(415, { message: 'Unsupported Media Type' })).status).toBe(415)
    expect(describeError(new HTTPException(413)).body.code).toBe('PAYLOAD_TOO_LARGE')
  })

  it('answers 503 when Temporal is unreachable and 500 for anything unexpected, revealing nothing', () => {
    const unavailable = new ServiceError('Failed to list workflows', { cause: grpcError(14, 'No connection established') })
    expect(describeError(unavailable)).toMatchObject({ status: 503, body: { code: 'SERVICE_UNAVAILABLE' }, headers: { 'Retry-After': '5' }, unexpected: true })
    const bug = describeError(new TypeError("Cannot read properties of undefined (reading 'password')"))
    expect(bug).toMatchObject({ status: 500, body: { code: 'INTERNAL' }, unexpected: true })
    expect(JSON.stringify(bug.body)).not.toContain('password')
  })

  it('names each failing field with its problem, unknown fields one by one', () => {
    const schema = z.strictObject({ dealId: z.string(), period: z.string().regex(/^\d{4}-\d{2}$/, 'must be YYYY-MM'), nested: z.strictObject({ n: z.number() }).optional() })
    const parsed = schema.safeParse({ period: '2026-1', extra: 1, other: 2, nested: { n: 'x' } })
    const err = buildValidationError(parsed.error!, 'json')
    expect(err.code).toBe('VALIDATION_FAILED')
    expect(err.details.issues).toEqual([
      { field: 'body.dealId', problem: 'is required' },
      { field: 'body.period', problem: 'must be YYYY-MM' },
      { field: 'body.nested.n', problem: 'Invalid input: expected number, received string' },
      { field: 'body.extra', problem: 'unknown field' },
      { field: 'body.other', problem: 'unknown field' },
    ])
    expect(err.message).toBe('body.dealId: is required; body.period: must be YYYY-MM; body.nested.n: Invalid input: expected number, received string; body.extra: unknown field; body.other: unknown field')
  })
})
