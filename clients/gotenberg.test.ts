import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { GOTENBERG_ERROR_TYPES, GotenbergError, createGotenbergClient, isGotenbergError } from './gotenberg.js'

// The real Gotenberg started by `scripts/services.sh up gotenberg`.
const GOTENBERG_URL = process.env.GOTENBERG_URL ?? 'http://127.0.0.1:3001'
const PAGE = '<!DOCTYPE html><html><head><meta charset="utf-8"><title>t</title></head><body><p>Hello</p></body></html>'

interface CapturedRequest {
  method: string
  url: string
  headers: IncomingMessage['headers']
  form: FormData
}

const servers: Server[] = []

afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections()
    await new Promise<void>((resolve) => server.close(() => resolve()))
  }
})

/** A local stand-in for Gotenberg that records the request and answers as told. */
async function startFakeGotenberg(answer: (res: ServerResponse) => void): Promise<{ url: string; requests: CapturedRequest[] }> {
  const requests: CapturedRequest[] = []
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      const body = Buffer.concat(chunks)
      const parse = body.length === 0
        ? Promise.resolve(new FormData())
        : new Response(body, { headers: { 'content-type': req.headers['content-type'] ?? '' } }).formData()
      void parse.then((form) => {
        requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, form })
        answer(res)
      })
    })
  })
  servers.push(server)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests }
}

async function catchError(promise: Promise<unknown>): Promise<GotenbergError> {
  try {
    await promise
  } catch (error) {
    if (isGotenbergError(error)) return error
    throw error
  }
  throw new Error('expected the call to fail')
}

describe('Gotenberg client against the real server', () => {
  const client = createGotenbergClient({ url: GOTENBERG_URL })

  it('converts HTML to a PDF', async () => {
    const pdf = await client.convertHtml({ html: PAGE, footerHtml: '<html><body><span class="pageNumber"></span></body></html>', traceId: 'test:convert' })
    expect(new TextDecoder().decode(pdf.subarray(0, 5))).toBe('%PDF-')
    expect(pdf.byteLength).toBeGreaterThan(1000)
  })

  it('reports health', async () => {
    const health = await client.health()
    expect(health.up).toBe(true)
    expect(health.body).toMatchObject({ status: 'up' })
  })

  it('turns a paper size Chromium refuses into a non-retryable error carrying the body', async () => {
    const tiny = createGotenbergClient({ url: GOTENBERG_URL, paper: { width: '0.1', height: '0.1' } })
    const error = await catchError(tiny.convertHtml({ html: PAGE, traceId: 'test:bad-paper' }))
    expect(error).toBeInstanceOf(GotenbergError)
    expect(error.retryable).toBe(false)
    expect(error.type).toBe(GOTENBERG_ERROR_TYPES.rejected)
    expect(error.name).toBe('GotenbergRejectedError')
    expect(error.status).toBe(400)
    expect(error.traceId).toBe('test:bad-paper')
    expect(error.message).toContain('Chromium does not handle the provided settings')
  })

  it('turns an invalid form field into a non-retryable error naming the field', async () => {
    const malformed = createGotenbergClient({ url: GOTENBERG_URL, margins: { top: '1qq', bottom: '1', left: '1', right: '1' } })
    const error = await catchError(malformed.convertHtml({ html: PAGE }))
    expect(error.retryable).toBe(false)
    expect(error.status).toBe(400)
    expect(error.message).toContain("form field 'marginTop' is invalid")
  })
})

describe('Gotenberg client request contract', () => {
  it('posts index.html, footer.html, A4 paper, margins and the trace header', async () => {
    const fake = await startFakeGotenberg((res) => {
      res.writeHead(200, { 'content-type': 'application/pdf' })
      res.end('%PDF-1.4 fake')
    })
    const client = createGotenbergClient({ url: `${fake.url}/` })
    const pdf = await client.convertHtml({
      html: PAGE,
      footerHtml: '<p>footer</p>',
      filename: 'invoice-INV-1',
      traceId: 'inv-1:pdf:v2',
      metadata: { Title: 'INV-1', Keywords: ['a', 'b'] },
    })
    expect(new TextDecoder().decode(pdf)).toBe('%PDF-1.4 fake')

    const [request] = fake.requests
    expect(request?.method).toBe('POST')
    expect(request?.url).toBe('/forms/chromium/convert/html')
    expect(request?.headers['gotenberg-trace']).toBe('inv-1:pdf:v2')
    expect(request?.headers['gotenberg-output-filename']).toBe('invoice-INV-1')
    const files = request!.form.getAll('files') as File[]
    expect(files.map((f) => f.name)).toEqual(['index.html', 'footer.html'])
    expect(await files[0]!.text()).toBe(PAGE)
    expect(await files[1]!.text()).toBe('<p>footer</p>')
    const field = (name: string) => request!.form.get(name)
    expect([field('paperWidth'), field('paperHeight')]).toEqual(['8.27', '11.7'])
    expect([field('marginTop'), field('marginBottom'), field('marginLeft'), field('marginRight')]).toEqual(['14mm', '16mm', '14mm', '14mm'])
    expect(field('printBackground')).toBe('true')
    expect(field('preferCssPageSize')).toBe('false')
    expect(field('skipNetworkIdleEvent')).toBe('true')
    expect(field('skipNetworkAlmostIdleEvent')).toBe('true')
    expect(JSON.parse(field('metadata') as string)).toEqual({ Title: 'INV-1', Keywords: ['a', 'b'] })
  })

  it('sends no footer and no trace header when none is given', async () => {
    const fake = await startFakeGotenberg((res) => {
      res.writeHead(200)
      res.end('%PDF-1.7')
    })
    await createGotenbergClient({ url: fake.url }).convertHtml({ html: PAGE })
    const [request] = fake.requests
    expect((request!.form.getAll('files') as File[]).map((f) => f.name)).toEqual(['index.html'])
    expect(request?.headers['gotenberg-trace']).toBeUndefined()
  })
})

describe('Gotenberg client error mapping', () => {
  it.each([
    [503, 'Service Unavailable: the conversion timed out', true],
    [429, 'Too Many Requests', true],
    [500, 'Internal Server Error', true],
    [400, "Invalid form data: form file 'index.html' is required", false],
    [403, 'Forbidden: http://example.com is denied', false],
    [409, 'Conflict: invalid HTTP status code', false],
    [413, 'Request Entity Too Large', false],
  ])('%i is retryable: %s', async (status, body, retryable) => {
    const fake = await startFakeGotenberg((res) => {
      res.writeHead(status, { 'content-type': 'text/plain' })
      res.end(body)
    })
    const error = await catchError(createGotenbergClient({ url: fake.url }).convertHtml({ html: PAGE, traceId: 't-1' }))
    expect(error.retryable).toBe(retryable)
    expect(error.type).toBe(retryable ? 'GotenbergUnavailableError' : 'GotenbergRejectedError')
    expect(error.status).toBe(status)
    expect(error.message).toContain(`answered ${status}`)
    expect(error.message).toContain(body)
  })

  it('rejects a 200 answer that is not a PDF', async () => {
    const fake = await startFakeGotenberg((res) => {
      res.writeHead(200, { 'content-type': 'text/html' })
      res.end('<html>proxy login</html>')
    })
    const error = await catchError(createGotenbergClient({ url: fake.url }).convertHtml({ html: PAGE }))
    expect(error.retryable).toBe(false)
    expect(error.message).toContain('not a PDF')
    expect(error.message).toContain('"<html"')
  })

  it('gives up after timeoutMs when Gotenberg never answers, retryably', async () => {
    const fake = await startFakeGotenberg(() => {
      // Never answers.
    })
    const started = Date.now()
    const error = await catchError(createGotenbergClient({ url: fake.url, timeoutMs: 300 }).convertHtml({ html: PAGE }))
    expect(Date.now() - started).toBeLessThan(5_000)
    expect(error.retryable).toBe(true)
    expect(error.type).toBe(GOTENBERG_ERROR_TYPES.unavailable)
    expect(error.status).toBeNull()
    expect(error.message).toContain('did not answer within 300 ms')
  })

  it('treats a refused connection as retryable', async () => {
    const server = createServer()
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const { port } = server.address() as AddressInfo
    await new Promise<void>((resolve) => server.close(() => resolve()))

    const error = await catchError(createGotenbergClient({ url: `http://127.0.0.1:${port}` }).convertHtml({ html: PAGE }))
    expect(error.retryable).toBe(true)
    expect(error.status).toBeNull()
    expect(error.message).toContain('ECONNREFUSED')
    await expect(createGotenbergClient({ url: `http://127.0.0.1:${port}` }).health()).rejects.toMatchObject({ retryable: true })
  })

  it("lets the caller's own cancellation through unchanged", async () => {
    const fake = await startFakeGotenberg(() => {
      // Never answers.
    })
    const controller = new AbortController()
    const call = createGotenbergClient({ url: fake.url }).convertHtml({ html: PAGE, signal: controller.signal })
    controller.abort()
    const error = await call.catch((e: unknown) => e)
    expect(isGotenbergError(error)).toBe(false)
    expect((error as Error).name).toBe('AbortError')
  })
})
