// A workflow for workers/worker-group.test.ts only: calls activities of several concerns at once.
import type { Activities } from '../activities/index.js'
import { proxyActivitiesByConcern } from '../workflows/proxy-activities-by-concern.js'

type Probe = (input: { index: number }) => Promise<{ taskQueue: string }>
const { syncPlanFact, renderInvoicePdf, createCreditNoteDraft } = proxyActivitiesByConcern<Record<keyof Pick<Activities, 'syncPlanFact' | 'renderInvoicePdf' | 'createCreditNoteDraft'>, Probe>>({
  startToCloseTimeout: '30s',
})

/** Runs `count` of each probe at once and returns the task queue each ran on. */
export async function concernsProbeWorkflow(count: number): Promise<Record<string, string[]>> {
  const all = (probe: Probe) => Promise.all(Array.from({ length: count }, (_, index) => probe({ index }).then((r) => r.taskQueue)))
  const [planfact, documents, workflows] = await Promise.all([all(syncPlanFact), all(renderInvoicePdf), all(createCreditNoteDraft)])
  return { planfact, documents, workflows }
}
