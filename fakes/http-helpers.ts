import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

/**
 * The little HTTP plumbing the fakes share (node:http, no framework): bodies, JSON answers,
 * listening on a port (0 = any free one) and closing with open keep-alive sockets.
 */

export type Handler = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void>

/** Reads the whole request body as text. */
export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}

/** Parses a JSON body; `undefined` for an empty body, an Error for malformed JSON. */
export function parseJson(text: string): unknown {
  if (text.trim() === '') return undefined
  try {
    return JSON.parse(text) as unknown
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error))
  }
}

/** Answers with a JSON body. */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body)
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text), ...headers })
  res.end(text)
}

/** Answers with a status and no body at all. */
export function sendEmpty(res: ServerResponse, status: number, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Length': 0, ...headers })
  res.end()
}

export interface ListeningServer {
  url: string
  close(): Promise<void>
}

/**
 * Starts a server on 127.0.0.1 (`host` 0.0.0.0 in a container, for the other containers). A
 * handler that throws answers 500 with the message, so a bug in a fake shows up as a failed
 * request with a reason rather than a hung test.
 */
export async function listen(handler: Handler, port = 0, host = '127.0.0.1'): Promise<ListeningServer> {
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://fake.local')
    handler(req, res, url).catch((error: unknown) => {
      if (res.headersSent) {
        res.destroy()
        return
      }
      sendJson(res, 500, { fakeError: error instanceof Error ? error.message : String(error) })
    })
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => resolve())
  })
  const address = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${address.port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()))
        server.closeAllConnections()
      }),
  }
}

/** A pause of a random length in [min, max] ms, to simulate work. */
export function randomDelay(range: { min: number; max: number }): Promise<void> {
  const ms = range.min + Math.random() * Math.max(0, range.max - range.min)
  return new Promise((resolve) => setTimeout(resolve, ms))
}
