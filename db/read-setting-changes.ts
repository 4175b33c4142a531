import type { Database } from '../lib/database.js'

export interface SettingChange {
  key: string
  /** Null when the key was first written. */
  before: unknown
  /** Null when the key was deleted. */
  after: unknown
  /** The API user, or `db:<role>` for a change made in the database directly. */
  changedBy: string
  changedAt: string
}

/**
 * The latest changes of one setting, or of all when `key` is left out, newest first
 * (setting_changes, written by a trigger on settings).
 */
export async function readSettingChanges(db: Database, query: { key?: string; limit: number }): Promise<SettingChange[]> {
  const rows = await db.settingChange.findMany({ where: query.key === undefined ? {} : { key: query.key }, orderBy: { id: 'desc' }, take: query.limit })
  return rows.map((r) => ({ key: r.key, before: r.valueBefore, after: r.valueAfter, changedBy: r.changedBy, changedAt: r.changedAt.toISOString() }))
}
