import { ListObjectsV2Command } from '@aws-sdk/client-s3'
import { createR2Client } from '../../clients/r2.js'
import type { Config } from '../../lib/config.js'

/**
 * What the outside world holds, read the way a person would check it: the PlanFact and Didox
 * fakes' control state, the S3 bucket's listing, Mailpit's search. Used by
 * scripts/check-invariants.ts to count effects.
 */
export interface PlanFactOperation {
  operationId: number
  operationType: 'Income' | 'Outcome'
  comment: string
  externalId: string | null
  value: number
}

export async function readPlanFactOperations(url: string): Promise<PlanFactOperation[]> {
  const res = await fetch(`${url.replace(/\/$/, '')}/__control/state`)
  if (!res.ok) throw new Error(`PlanFact fake state: HTTP ${res.status}`)
  return ((await res.json()) as { state: { operations: PlanFactOperation[] } }).state.operations
}

export interface DidoxDocument {
  _id: string
  name: string
  doc_status: number
  json: { FacturaType?: number }
}

export async function readDidoxDocuments(url: string): Promise<DidoxDocument[]> {
  const res = await fetch(`${url.replace(/\/$/, '')}/__control/state`)
  if (!res.ok) throw new Error(`Didox fake state: HTTP ${res.status}`)
  return ((await res.json()) as { state: { documents: DidoxDocument[] } }).state.documents
}

/** Every key in the bucket. */
export async function listBucketKeys(s3: Config['s3']): Promise<string[]> {
  const client = createR2Client(s3)
  const keys: string[] = []
  let token: string | undefined
  try {
    do {
      const page = await client.send(new ListObjectsV2Command({ Bucket: s3.bucket, ContinuationToken: token }))
      for (const o of page.Contents ?? []) if (o.Key) keys.push(o.Key)
      token = page.IsTruncated ? page.NextContinuationToken : undefined
    } while (token)
  } finally {
    client.destroy()
  }
  return keys
}

/** How many messages in Mailpit carry exactly this Message-ID (with or without the angle brackets). */
export async function countMessages(mailpitUrl: string, messageId: string): Promise<number> {
  const bare = messageId.replace(/^<|>$/g, '')
  const query = encodeURIComponent(`message-id:"${bare}"`)
  const res = await fetch(`${mailpitUrl.replace(/\/$/, '')}/api/v1/search?query=${query}&limit=50`)
  if (!res.ok) throw new Error(`Mailpit search: HTTP ${res.status}`)
  const body = (await res.json()) as { messages: { MessageID: string }[] }
  return body.messages.filter((m) => m.MessageID.replace(/^<|>$/g, '') === bare).length
}
