// Every workflow the worker registers. Workflow code is bundled for Temporal's sandbox:
// import activity *types* only, and no Node built-ins or I/O libraries.
export { smokeWorkflow } from './smoke.js'
export { invoiceWorkflow } from './invoice-workflow.js'
export { billingRunWorkflow } from './billing-run-workflow.js'
