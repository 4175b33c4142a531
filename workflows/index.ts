// Every workflow the production worker registers (the smoke workflow is the tests' own). Workflow code is bundled for Temporal's sandbox:
// import activity *types* only, and no Node built-ins or I/O libraries.
export { invoiceWorkflow } from './invoice-workflow.js'
export { billingRunWorkflow } from './billing-run-workflow.js'
export { driftReportWorkflow, invoiceDriftWorkflow } from './drift-workflows.js'
export { creditNoteWorkflow } from './credit-note-workflow.js'
