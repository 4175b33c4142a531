import { CreateBucketCommand, DeleteObjectsCommand, HeadBucketCommand } from '@aws-sdk/client-s3'
import { createR2Client } from '../../clients/r2.js'
import { loadConfig } from '../../lib/config.js'
import { listBucketKeys } from './read-effects.js'

/**
 * Makes S3_BUCKET exist and be empty: a chaos run starts from a fresh database whose invoice
 * numbers restart at 1, and the conditional write would find an earlier run's PDF at the key.
 */
async function run(): Promise<void> {
  const { s3 } = loadConfig(process.env, { needsApiTokens: false })
  if (s3.bucket === 'invoices' || s3.bucket === process.env.TEST_S3_BUCKET) throw new Error(`refusing to empty the shared bucket ${s3.bucket}`)
  const client = createR2Client(s3)
  try {
    const exists = await client.send(new HeadBucketCommand({ Bucket: s3.bucket })).then(() => true, () => false)
    if (!exists) await client.send(new CreateBucketCommand({ Bucket: s3.bucket }))
    const keys = await listBucketKeys(s3)
    for (let i = 0; i < keys.length; i += 1000) {
      await client.send(new DeleteObjectsCommand({ Bucket: s3.bucket, Delete: { Objects: keys.slice(i, i + 1000).map((Key) => ({ Key })) } }))
    }
    console.log(`bucket ${s3.bucket}: ${keys.length} objects removed`)
  } finally {
    client.destroy()
  }
}

run().catch((err) => {
  console.error(err)
  process.exit(1)
})
