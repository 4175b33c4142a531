import { createHash, randomBytes, randomUUID } from 'node:crypto'
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3'
import { afterAll, describe, expect, it } from 'vitest'
import { createR2Client } from '../clients/r2.js'
import { createDatabase } from '../lib/database.js'
import { loadConfig } from '../lib/config.js'
import { ERROR_TYPES } from '../lib/error-types.js'
import { createTestInvoice } from '../test-support/test-invoice.js'
import { testDatabaseUrl } from '../test-support/env.js'
import { buildInvoicePdfKey, uploadInvoicePdfToR2, type R2InvoiceRef } from './upload-pdf-to-r2.js'

// Real services: moto_server and PostgreSQL (`bash scripts/services.sh up s3 postgres`).
const config = loadConfig({ ...process.env, DATABASE_URL: testDatabaseUrl() })
const db = createDatabase(testDatabaseUrl())
const s3 = createR2Client(config.s3)
const bucket = config.s3.bucket
afterAll(async () => {
  s3.destroy()
  await db.$disconnect()
})

/** ExternalReference rows need an invoice (foreign key). */
async function createInvoiceRow(): Promise<string> {
  return (await createTestInvoice(db, { currency: 'USD', subtotal: '100.00', vatAmount: '12.00', total: '112.00' })).invoiceId
}

/** Random bytes that look like a PDF: every test gets its own content. */
function fakePdf(): { pdf: Uint8Array; sha256: string } {
  const pdf = new Uint8Array(Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(20_000), Buffer.from('\n%%EOF\n')]))
  return { pdf, sha256: createHash('sha256').update(pdf).digest('hex') }
}

async function newInvoice(): Promise<R2InvoiceRef> {
  const invoiceId = await createInvoiceRow()
  // A unique number per test: keys never collide with another test or an earlier run.
  return { invoiceId, number: `TEST-${invoiceId.slice(0, 8)}`, year: 2026, pdfVersion: 1 }
}

async function readObject(key: string): Promise<Uint8Array> {
  const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }))
  return got.Body!.transformToByteArray()
}

async function countObjects(prefix: string): Promise<number> {
  const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }))
  return listed.KeyCount ?? 0
}

describe('uploadInvoicePdfToR2', () => {
  it('stores the exact bytes under invoices/<year>/<number>/v<version>.pdf with the sha256 in the metadata, and records it', async () => {
    const invoice = await newInvoice()
    const { pdf, sha256 } = fakePdf()
    const uploaded = await uploadInvoicePdfToR2({ db, s3, bucket, invoice, pdf, sha256 })

    expect(uploaded.key).toBe(`invoices/2026/${invoice.number}/v1.pdf`)
    expect(uploaded.alreadyStored).toBe(false)
    expect(Buffer.from(await readObject(uploaded.key)).equals(Buffer.from(pdf))).toBe(true)
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: uploaded.key, ChecksumMode: 'ENABLED' }))
    expect(head.ContentType).toBe('application/pdf')
    expect(head.Metadata).toMatchObject({ sha256, 'invoice-id': invoice.invoiceId, 'pdf-version': '1' })
    expect(head.ChecksumSHA256).toBe(Buffer.from(sha256, 'hex').toString('base64'))

    const record = await db.externalReference.findUniqueOrThrow({
      where: { invoiceId_system_purpose: { invoiceId: invoice.invoiceId, system: 'r2', purpose: 'pdf:v1' } },
    })
    expect(record).toMatchObject({ status: 'done', externalId: uploaded.key, pdfVersion: 1 })
    expect(record.details).toMatchObject({ bucket, key: uploaded.key, etag: head.ETag, sha256, sizeBytes: pdf.byteLength })
  })

  it('accepts a retry of the same bytes after the object was written but the record was not (conditional write finds it)', async () => {
    const invoice = await newInvoice()
    const { pdf, sha256 } = fakePdf()
    const first = await uploadInvoicePdfToR2({ db, s3, bucket, invoice, pdf, sha256 })
    // The crash window: the object exists, the record does not.
    await db.externalReference.deleteMany({ where: { invoiceId: invoice.invoiceId } })

    const retried = await uploadInvoicePdfToR2({ db, s3, bucket, invoice, pdf, sha256 })
    expect(retried).toMatchObject({ key: first.key, etag: first.etag, sha256, alreadyStored: true })
    expect(await countObjects(`invoices/2026/${invoice.number}/`)).toBe(1)
    expect(await db.externalReference.count({ where: { invoiceId: invoice.invoiceId, system: 'r2', status: 'done' } })).toBe(1)
  })

  it('returns a recorded upload without writing again', async () => {
    const invoice = await newInvoice()
    const { pdf, sha256 } = fakePdf()
    const first = await uploadInvoicePdfToR2({ db, s3, bucket, invoice, pdf, sha256 })
    // A client whose every request fails: the recorded result must not need R2.
    const offline = createR2Client({ ...config.s3, endpoint: 'http://127.0.0.1:9', timeoutMs: 1_000 })
    try {
      const again = await uploadInvoicePdfToR2({ db, s3: offline, bucket, invoice, pdf, sha256 })
      expect(again).toEqual({ ...first, alreadyStored: true })
    } finally {
      offline.destroy()
    }
  })

  it('refuses, permanently, to replace an object with different bytes under the same key', async () => {
    const invoice = await newInvoice()
    const original = fakePdf()
    const key = buildInvoicePdfKey(invoice)
    // Someone (or an earlier, different render) got there first.
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: original.pdf, ContentType: 'application/pdf' }))

    const other = fakePdf()
    const attempt = uploadInvoicePdfToR2({ db, s3, bucket, invoice, pdf: other.pdf, sha256: other.sha256 })
    await expect(attempt).rejects.toMatchObject({ type: ERROR_TYPES.r2ObjectConflict, message: expect.stringContaining(key) as unknown })
    expect(Buffer.from(await readObject(key)).equals(Buffer.from(original.pdf))).toBe(true)
    expect(await db.externalReference.count({ where: { invoiceId: invoice.invoiceId } })).toBe(0)
  })

  it('refuses different bytes for a version already recorded, without touching R2', async () => {
    const invoice = await newInvoice()
    const first = fakePdf()
    await uploadInvoicePdfToR2({ db, s3, bucket, invoice, ...first })
    const other = fakePdf()
    await expect(uploadInvoicePdfToR2({ db, s3, bucket, invoice, ...other })).rejects.toMatchObject({ type: ERROR_TYPES.r2ObjectConflict })
  })

  it('keeps versions apart: v2 of the same invoice is a new object', async () => {
    const invoice = await newInvoice()
    const v1 = fakePdf()
    const v2 = fakePdf()
    await uploadInvoicePdfToR2({ db, s3, bucket, invoice, ...v1 })
    const second = await uploadInvoicePdfToR2({ db, s3, bucket, invoice: { ...invoice, pdfVersion: 2 }, ...v2 })
    expect(second.key).toBe(`invoices/2026/${invoice.number}/v2.pdf`)
    expect(await countObjects(`invoices/2026/${invoice.number}/`)).toBe(2)
  })

  it('rejects a sha256 that does not match the bytes before calling R2', async () => {
    const invoice = await newInvoice()
    const { pdf } = fakePdf()
    await expect(uploadInvoicePdfToR2({ db, s3, bucket, invoice, pdf, sha256: 'a'.repeat(64) })).rejects.toMatchObject({
      type: ERROR_TYPES.invalidInput,
    })
    expect(await countObjects(`invoices/2026/${invoice.number}/`)).toBe(0)
  })

  it('fails permanently when the bucket does not exist (a 4xx), and retryably when R2 cannot be reached', async () => {
    const invoice = await newInvoice()
    const { pdf, sha256 } = fakePdf()
    const missing = uploadInvoicePdfToR2({ db, s3, bucket: `missing-${randomUUID()}`, invoice, pdf, sha256 })
    await expect(missing).rejects.toMatchObject({ type: ERROR_TYPES.r2Rejected })

    const offline = createR2Client({ ...config.s3, endpoint: 'http://127.0.0.1:9', timeoutMs: 1_000 })
    try {
      const error: unknown = await uploadInvoicePdfToR2({ db, s3: offline, bucket, invoice, pdf, sha256 }).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(Error)
      expect((error as { type?: string }).type).toBeUndefined()
      expect((error as Error).message).toMatch(/^R2 PutObject .* failed: no answer/)
    } finally {
      offline.destroy()
    }
  })
})
