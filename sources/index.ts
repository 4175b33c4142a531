/**
 * The read side of the synced ClickHouse sources: names, DDL, readers, errors and row types.
 * The data generator (`generate/`) is dev and test tooling and is imported from its own path.
 */
export * from './columns.js'
export * from './count-latest-rows.js'
export * from './errors.js'
export * from './read-contacts.js'
export * from './read-customer.js'
export * from './read-deal.js'
export * from './read-deal-worklogs.js'
export * from './read-issues.js'
export * from './schema.js'
export type * from './types.js'
