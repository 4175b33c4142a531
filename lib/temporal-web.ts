import type { Config } from './config.js'

/** A workflow's page in Temporal Web (the console's link, the CLI's `temporal` line). */
export function temporalWorkflowUrl(temporal: Config['temporal'], workflowId: string): string {
  return `${temporal.uiUrl}/namespaces/${encodeURIComponent(temporal.namespace)}/workflows/${encodeURIComponent(workflowId)}`
}
