import { createHash } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { listen, parseJson, readBody, sendJson } from './http-helpers.js'

/**
 * A stand-in for the E-IMZO signing agent behind DIDOX_SIGNER_URL: takes
 * `{ documentId, data }` (data = base64 of the document JSON) and answers `{ signature }`, a
 * deterministic fake PKCS#7 token. `failWith` makes it answer an error status instead.
 */
export interface SignerFakeState {
  requests: number
  /** Document ids signed, in order. */
  signed: string[]
}

export interface SignerFake {
  url: string
  state: SignerFakeState
  setBehavior(change: { failWith?: number | null }): void
  close(): Promise<void>
}

/** Starts the signing agent fake on 127.0.0.1; POST / signs. */
export async function startSignerFake(options: { port?: number } = {}): Promise<SignerFake> {
  const state: SignerFakeState = { requests: 0, signed: [] }
  let failWith: number | null = null

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = parseJson(await readBody(req))
    state.requests += 1
    if (failWith !== null) return sendJson(res, failWith, { error: `signer failure ${failWith}` })
    const payload = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {}
    if (typeof payload.documentId !== 'string' || typeof payload.data !== 'string') {
      return sendJson(res, 400, { error: 'documentId and data (base64) are required' })
    }
    state.signed.push(payload.documentId)
    const digest = createHash('sha256').update(payload.data).digest('hex')
    sendJson(res, 200, { signature: Buffer.from(`pkcs7:${payload.documentId}:${digest}`).toString('base64') })
  }

  const server = await listen(handle, options.port ?? 0)
  return {
    url: server.url,
    state,
    setBehavior: (change) => {
      if (change.failWith !== undefined) failWith = change.failWith
    },
    close: server.close,
  }
}
