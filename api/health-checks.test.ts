import { describe, expect, it } from 'vitest'
import { describePollers } from './health-checks.js'

const served = { workflows: ['1@a'], prefill: ['2@b'], documents: ['1@a'], effects: ['1@a'], planfact: ['1@a'] }

describe('describePollers (the worker check of /health)', () => {
  it('is ok when every concern has a process and PlanFact one', () => {
    expect(describePollers('invoicing', served)).toEqual({ status: 'ok', detail: 'processes per concern: workflows 1, prefill 1, documents 1, effects 1, planfact 1' })
  })

  it('warns, naming the queue, when no worker runs the workflows', () => {
    expect(describePollers('invoicing', { ...served, workflows: [] })).toMatchObject({ status: 'warn', detail: expect.stringContaining('no worker polls task queue invoicing:') })
  })

  it('warns about each concern nobody serves', () => {
    expect(describePollers('invoicing', { ...served, prefill: [], documents: [] }).detail).toContain('no worker serves prefill, documents (task queue invoicing-prefill, invoicing-documents)')
  })

  it('warns when two processes serve PlanFact', () => {
    const check = describePollers('invoicing', { ...served, planfact: ['1@a', '3@c'] })
    expect(check.status).toBe('warn')
    expect(check.detail).toContain('2 processes polled invoicing-planfact lately (1@a, 3@c): exactly one may serve planfact')
  })
})
