import type { Prisma } from '../generated/prisma/client.js'
import type { Database } from '../lib/database.js'

/**
 * Writes one setting as `actor`. The trigger on `settings` records the change in
 * `setting_changes` (before, after, who, when); the actor reaches it through a transaction-local
 * setting, so the record and the change commit together or not at all.
 */
export async function saveSetting(db: Database, input: { key: string; value: Prisma.InputJsonValue; actor: string }) {
  return db.$transaction(async (tx) => {
    await tx.$executeRaw`SELECT set_config('invoicing.actor', ${input.actor}, true)`
    return tx.setting.upsert({
      where: { key: input.key },
      create: { key: input.key, value: input.value, updatedBy: input.actor },
      update: { value: input.value, updatedBy: input.actor },
    })
  })
}
