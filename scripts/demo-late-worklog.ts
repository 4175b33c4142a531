import { createClickHouse } from '../clients/clickhouse.js'
import { loadConfig } from '../lib/config.js'
import { WORKLOGS as W } from '../sources/columns.js'
import { toWorklogRow } from '../sources/generate/rows.js'

/**
 * The demo's late work: one worklog of APP-1001 (project TRY) dated 30 October 2026, 2.5 h,
 * written as the sync would write it after October was invoiced. Run while no worker holds the
 * embedded ClickHouse. Once per data set: a second run finds it and writes nothing.
 */
const DESCRIPTION = 'demo: logged late, synced after October was invoiced'
const config = loadConfig()
const client = createClickHouse(config.clickhouse)
try {
  const found = await client.query({ query: `SELECT count() AS n FROM ${W.table} WHERE ${W.description} = {d:String}`, query_params: { d: DESCRIPTION }, format: 'JSONEachRow' })
  if (Number((await found.json<{ n: string }>())[0]?.n) > 0) {
    console.error('the late worklog is there already')
  } else {
    // An issue of the project the deal bills, and an id after every generated one.
    const result = await client.query({
      query: `SELECT toString(max(${W.worklogId}) + 1) AS id, toString(any(${W.issueId})) AS issueId, any(${W.issueKey}) AS issueKey FROM ${W.table} WHERE ${W.projectKey} = 'TRY'`,
      format: 'JSONEachRow',
    })
    const [row] = await result.json<{ id: string; issueId: string; issueKey: string }>()
    if (!row?.issueKey) throw new Error('no TRY worklog in the demo data: run scripts/demo.sh')
    const now = Date.now()
    await client.insert({
      table: W.table,
      format: 'JSONEachRow',
      values: [
        toWorklogRow({
          worklogId: Number(row.id),
          issueId: Number(row.issueId),
          issueKey: row.issueKey,
          projectKey: 'TRY',
          accountKey: '',
          authorAccountId: 'demo-late',
          authorName: 'Demo Late Logger',
          startedAtMs: Date.parse('2026-10-30T05:00:00Z'),
          timeSpentSeconds: 9000,
          billableSeconds: 9000,
          description: DESCRIPTION,
          version: now,
          deleted: false,
          syncedAtMs: now,
          pass: 1,
        }),
      ],
    })
    console.error(`wrote worklog ${row.id} on ${row.issueKey}: 2026-10-30, 2.5 h`)
  }
} finally {
  await client.close()
}
