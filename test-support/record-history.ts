import { execFileSync } from 'node:child_process'
import { writeFile } from 'node:fs/promises'
import type { TestWorkflowEnvironment } from '@temporalio/testing'
import { temporalCli } from './temporal-server.js'

/**
 * With RECORD_HISTORIES=1, saves a workflow's history as workflows/histories/<name>.json for
 * the replay test (workflows/replay.test.ts), which fails when a change breaks determinism.
 */
export async function recordHistory(env: TestWorkflowEnvironment, workflowId: string, name: string): Promise<void> {
  if (process.env.RECORD_HISTORIES !== '1') return
  const file = new URL(`../workflows/histories/${name}.json`, import.meta.url)
  // The CLI writes the proto JSON that Worker.runReplayHistory reads.
  const json = execFileSync(
    temporalCli,
    ['workflow', 'show', '--workflow-id', workflowId, '--output', 'json', '--namespace', env.namespace!, '--address', process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233'],
    { encoding: 'utf8', maxBuffer: 64 * 2 ** 20 },
  )
  await writeFile(file, json)
}
