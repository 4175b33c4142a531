import { readdir, readFile } from 'node:fs/promises'
import { Worker } from '@temporalio/worker'
import { describe, expect, it } from 'vitest'
import { bundleWorkflows } from '../test-support/temporal.js'

/**
 * Replays recorded invoice histories (workflows/histories/*.json, recorded from the end-to-end
 * tests with RECORD_HISTORIES=1) against the current workflow code: a change that would break
 * invoices already running in production fails here. Re-record only when old runs are gone
 * or the change is versioned with `patched()`.
 */
const dir = new URL('./histories/', import.meta.url)

describe('replay of recorded invoice histories', async () => {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.json')).sort()

  it('has recorded histories to replay', () => {
    expect(files.length).toBeGreaterThanOrEqual(5)
  })

  it.each(files)('%s replays without nondeterminism', async (file) => {
    const history = JSON.parse(await readFile(new URL(file, dir), 'utf8'))
    await Worker.runReplayHistory({ workflowBundle: await bundleWorkflows() }, history, file.replace('.json', ''))
  })
})
