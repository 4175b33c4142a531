import { createHash } from 'node:crypto'
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3'
import { describeR2Error, isRetryableR2Error, readR2Status } from '../clients/r2.js'
import type { Prisma } from '../generated/prisma/client.js'
import type { Database } from '../lib/database.js'
import { ERROR_TYPES } from '../lib/error-types.js'
import { PermanentError } from '../lib/permanent-error.js'

/** `system` of the ExternalReference rows this step writes. */
export const R2_SYSTEM = 'r2'

export interface R2InvoiceRef {
  invoiceId: string
  /** The invoice number, e.g. INV-2026-00042. */
  number: string
  /** The year of the number (its counter's year). */
  year: number
  pdfVersion: number
}

export interface UploadInvoicePdfToR2Input {
  db: Database
  s3: S3Client
  bucket: string
  invoice: R2InvoiceRef
  pdf: Uint8Array
  /** Hex SHA-256 of `pdf`, as stored with the PDF version. */
  sha256: string
  /** Cancels the S3 calls, e.g. when the activity is cancelled. */
  signal?: AbortSignal
  /** Another document of the invoice (a credit note): its key, record purpose and metadata. */
  document?: { key: string; purpose: string; metadata: Record<string, string> }
}

export interface UploadedInvoicePdf {
  bucket: string
  key: string
  etag: string
  sha256: string
  sizeBytes: number
  /** True when an earlier attempt had stored these bytes (found by the record or the conditional write). */
  alreadyStored: boolean
}

/** What the ExternalReference row keeps in `details`. */
interface StoredDetails {
  bucket: string
  key: string
  etag: string
  sha256: string
  sizeBytes: number
}

/**
 * The object key of one PDF version: `invoices/<year>/<number>/v<version>.pdf`. Derived from the
 * business key only, so every attempt of the same version targets the same object. The number is
 * URI-encoded so that a prefix with a slash or a space cannot change the key's shape.
 */
export function buildInvoicePdfKey(invoice: Pick<R2InvoiceRef, 'number' | 'year' | 'pdfVersion'>): string {
  return `invoices/${invoice.year}/${encodeURIComponent(invoice.number)}/v${invoice.pdfVersion}.pdf`
}

/** A credit note's PDF, beside its invoice's: `invoices/<year>/<invoice number>/credit-notes/<number>-v<version>.pdf`. */
export function buildCreditNotePdfKey(invoice: Pick<R2InvoiceRef, 'number' | 'year'>, creditNote: { number: string; pdfVersion: number }): string {
  return `invoices/${invoice.year}/${encodeURIComponent(invoice.number)}/credit-notes/${encodeURIComponent(creditNote.number)}-v${creditNote.pdfVersion}.pdf`
}

/**
 * Stores an approved invoice's PDF in R2 exactly once in effect. The write is conditional
 * (`If-None-Match: *`), so a retry, a duplicate activity or a stale worker can never replace an
 * object: when the key is taken, the stored bytes are read back and compared, and the same bytes
 * count as success while different bytes are a permanent `R2ObjectConflict`. The key and ETag
 * are recorded in ExternalReference (system `r2`, purpose `pdf:v<version>`); a recorded upload is
 * returned without calling R2 at all.
 */
export async function uploadInvoicePdfToR2(input: UploadInvoicePdfToR2Input): Promise<UploadedInvoicePdf> {
  const { db, s3, bucket, invoice, pdf, signal } = input
  const sha256 = input.sha256.toLowerCase()
  checkInput(input, sha256)
  const key = input.document?.key ?? buildInvoicePdfKey(invoice)
  const purpose = input.document?.purpose ?? `pdf:v${invoice.pdfVersion}`
  const where = { invoiceId_system_purpose: { invoiceId: invoice.invoiceId, system: R2_SYSTEM, purpose } }

  const recorded = await db.externalReference.findUnique({ where })
  if (recorded?.status === 'done') {
    const details = recorded.details as unknown as StoredDetails
    if (details.sha256 === sha256 && details.key === key && details.bucket === bucket) return { ...details, alreadyStored: true }
    throw conflict(key, `the record of an earlier upload says ${details.bucket}/${details.key} holds sha256 ${details.sha256}`)
  }

  let etag: string
  let alreadyStored = false
  try {
    const put = await s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: key,
        Body: pdf,
        ContentLength: pdf.byteLength,
        ContentType: 'application/pdf',
        // R2 and S3 verify the bytes against it and keep it with the object (moto keeps it only).
        ChecksumAlgorithm: 'SHA256',
        ChecksumSHA256: Buffer.from(sha256, 'hex').toString('base64'),
        Metadata: {
          'invoice-id': invoice.invoiceId,
          'invoice-number': encodeURIComponent(invoice.number),
          'pdf-version': String(invoice.pdfVersion),
          sha256,
          ...input.document?.metadata,
        },
        IfNoneMatch: '*',
      }),
      { abortSignal: signal },
    )
    etag = put.ETag ?? ''
  } catch (error) {
    if (readR2Status(error) !== 412) throw toFailure(error, `PutObject ${bucket}/${key}`)
    etag = await confirmStoredObject({ s3, bucket, key, sha256, signal })
    alreadyStored = true
  }

  const details: StoredDetails = { bucket, key, etag, sha256, sizeBytes: pdf.byteLength }
  const record = { status: 'done', externalId: key, details: details as unknown as Prisma.InputJsonObject }
  await db.externalReference.upsert({
    where,
    create: { invoiceId: invoice.invoiceId, system: R2_SYSTEM, purpose, pdfVersion: input.document ? null : invoice.pdfVersion, ...record },
    update: record,
  })
  return { ...details, alreadyStored }
}

/** The key is taken: reads the object back and accepts it only when it holds exactly our bytes. */
async function confirmStoredObject(options: { s3: S3Client; bucket: string; key: string; sha256: string; signal?: AbortSignal }): Promise<string> {
  const { s3, bucket, key, sha256 } = options
  let stored: Uint8Array
  let etag: string
  try {
    const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }), { abortSignal: options.signal })
    if (!got.Body) throw new Error(`GetObject ${bucket}/${key} answered without a body`)
    stored = await got.Body.transformToByteArray()
    etag = got.ETag ?? ''
  } catch (error) {
    // 404 here: the object that refused our write is gone again; a retry writes it.
    throw toFailure(error, `GetObject ${bucket}/${key} (after the conditional write found the key taken)`)
  }
  const storedSha256 = createHash('sha256').update(stored).digest('hex')
  if (storedSha256 !== sha256) {
    throw conflict(key, `it holds ${stored.byteLength} bytes with sha256 ${storedSha256}`)
  }
  return etag
}

function conflict(key: string, what: string): PermanentError {
  return new PermanentError(
    ERROR_TYPES.r2ObjectConflict,
    `R2 object ${key} already exists with different content (${what}); it is never overwritten. ` +
      'Find out who wrote it before removing it or skipping this step.',
  )
}

/** A refusal becomes a permanent error; anything retrying can fix stays a plain error with its cause. */
function toFailure(error: unknown, what: string): Error {
  if (isRetryableR2Error(error)) return new Error(`R2 ${what} failed: ${describeR2Error(error)}`, { cause: error })
  return new PermanentError(ERROR_TYPES.r2Rejected, `R2 refused ${what}: ${describeR2Error(error)}`)
}

function checkInput(input: UploadInvoicePdfToR2Input, sha256: string): void {
  const { invoice, pdf } = input
  const problems: string[] = []
  if (!Number.isInteger(invoice.pdfVersion) || invoice.pdfVersion < 1) problems.push(`pdfVersion ${invoice.pdfVersion} is not a positive integer`)
  if (!Number.isInteger(invoice.year) || invoice.year < 2000 || invoice.year > 9999) problems.push(`year ${invoice.year} is out of range`)
  if (invoice.number.trim() === '') problems.push('the invoice number is empty')
  if (pdf.byteLength === 0) problems.push('the PDF is empty')
  if (!/^[0-9a-f]{64}$/.test(sha256)) problems.push('sha256 is not 64 hex digits')
  else if (createHash('sha256').update(pdf).digest('hex') !== sha256) problems.push('sha256 does not match the PDF bytes')
  if (problems.length > 0) {
    throw new PermanentError(ERROR_TYPES.invalidInput, `Cannot upload the PDF of invoice ${invoice.invoiceId}: ${problems.join('; ')}`)
  }
}
