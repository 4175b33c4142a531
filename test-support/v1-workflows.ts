// Workflows for operations/invoices/act-on-invoice.test.ts: a run of the code before actions
// were Updates (as the patch leaves it for runs started before), and a workflow that is no invoice.
import { condition } from '@temporalio/workflow'
export { invoiceWorkflowV1 as invoiceWorkflow } from '../workflows/v1/invoice-workflow-v1.js'

export async function notAnInvoice(): Promise<void> {
  await condition(() => false)
}
