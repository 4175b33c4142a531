import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { writeCanonicalJson } from './canonical-json.js'
import { hashRenderInput } from './hash-render-input.js'
import type { InvoiceDocument } from './invoice-document.js'
import { makeLargeDocument } from './test-documents.js'

describe('writeCanonicalJson', () => {
  it('sorts keys at every level and keeps array order', () => {
    expect(writeCanonicalJson({ b: 1, a: { d: [2, { y: 1, x: 0 }], c: 'é' }, e: null })).toBe(
      '{"a":{"c":"é","d":[2,{"x":0,"y":1}]},"b":1,"e":null}',
    )
  })

  it('refuses values JSON cannot carry exactly', () => {
    expect(() => writeCanonicalJson({ a: Number.NaN })).toThrow(TypeError)
    expect(() => writeCanonicalJson({ a: 1n })).toThrow(TypeError)
  })
})

describe('hashRenderInput', () => {
  it('is the SHA-256 of the canonical JSON', () => {
    const tiny = { number: 'INV-1', language: 'en' } as unknown as InvoiceDocument
    const expected = createHash('sha256').update('{"language":"en","number":"INV-1"}').digest('hex')
    expect(hashRenderInput(tiny)).toBe(expected)
    expect(hashRenderInput(tiny)).toMatch(/^[0-9a-f]{64}$/)
  })

  it('does not depend on key order', () => {
    const document = makeLargeDocument({ lineCount: 3, issueCount: 2 })
    const reordered = Object.fromEntries(Object.entries(document).reverse()) as unknown as InvoiceDocument
    expect(hashRenderInput(reordered)).toBe(hashRenderInput(document))
  })

  it('changes with any figure and with the template version', () => {
    const document = makeLargeDocument({ lineCount: 3, issueCount: 2 })
    const base = hashRenderInput(document)
    expect(hashRenderInput({ ...document, total: '0.01' })).not.toBe(base)
    expect(hashRenderInput({ ...document, templateVersion: 'invoice-v3' })).not.toBe(base)
    expect(hashRenderInput({ ...document, language: 'ru' })).not.toBe(base)
  })
})
