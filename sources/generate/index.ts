/** The deterministic source-data generator (dev and test tooling). */
export * from './catalog.js'
export type { EdgeCaseKind, EdgeCaseWorklog, ExpectedWorklog } from './edge-cases.js'
export * from './generate-sources.js'
export { parseMonths } from './months.js'
