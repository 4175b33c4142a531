import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

/**
 * The figures of a fuzz run (scripts/fuzz.sh), from schemathesis' NDJSON event reports: per role,
 * the operations tested, the requests sent, the 5xx answers, the response-schema violations,
 * the failures of every other check and the duration; then each failing check and operation.
 * Exits 1 when a check failed or a role sent no request.
 *
 *   npx tsx scripts/fuzz-summary.ts .local/fuzz viewer accountant approver admin
 */

interface RoleFigures {
  role: string
  operations: number
  requests: number
  serverErrors: number
  schemaViolations: number
  otherFailures: number
  /** schemathesis' own errors (a generator crash): reported, they say nothing of the API. */
  toolErrors: number
  interrupted: boolean
  seconds: number
  failures: Map<string, Set<string>>
}

interface Interaction {
  request?: { method?: string; uri?: string }
  response?: { status_code?: number } | null
}
interface ScenarioFinished {
  recorder: { label: string; checks?: Record<string, { name: string; status: string }[]>; interactions?: Record<string, Interaction> }
}

function summarizeRole(dir: string, role: string): RoleFigures {
  const figures: RoleFigures = { role, operations: 0, requests: 0, serverErrors: 0, schemaViolations: 0, otherFailures: 0, toolErrors: 0, interrupted: false, seconds: 0, failures: new Map() }
  const file = join(dir, `${role}.ndjson`)
  if (!existsSync(file)) return figures
  const operations = new Set<string>()
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim()) continue
    const event = JSON.parse(line) as Record<string, unknown>
    const finished = event.ScenarioFinished as ScenarioFinished | undefined
    if (finished) {
      const { label, checks = {}, interactions = {} } = finished.recorder
      if (/^[A-Z]+ \//.test(label)) operations.add(label)
      for (const interaction of Object.values(interactions)) {
        figures.requests += 1
        if ((interaction.response?.status_code ?? 0) >= 500) figures.serverErrors += 1
      }
      for (const results of Object.values(checks)) {
        for (const check of results) {
          if (check.status !== 'failure') continue
          if (check.name === 'response_schema_conformance') figures.schemaViolations += 1
          else if (check.name !== 'not_a_server_error') figures.otherFailures += 1
          figures.failures.set(check.name, (figures.failures.get(check.name) ?? new Set()).add(label))
        }
      }
    }
    if (event.NonFatalError) figures.toolErrors += 1
    if (event.Interrupted) figures.interrupted = true
    const engine = event.EngineFinished as { running_time?: number } | undefined
    if (engine?.running_time) figures.seconds = Math.round(engine.running_time)
  }
  figures.operations = operations.size
  return figures
}

function run(): void {
  const [dir, ...roles] = process.argv.slice(2)
  if (!dir || roles.length === 0) {
    console.error('usage: npx tsx scripts/fuzz-summary.ts <report dir> <role>...')
    process.exit(2)
  }
  const all = roles.map((role) => summarizeRole(dir, role))
  console.log('| role | operations | requests | 5xx | schema violations | other check failures | schemathesis errors | duration |')
  console.log('|---|---|---|---|---|---|---|---|')
  for (const f of all) {
    console.log(`| ${f.role} | ${f.operations} | ${f.requests} | ${f.serverErrors} | ${f.schemaViolations} | ${f.otherFailures} | ${f.toolErrors} | ${f.seconds} s${f.interrupted ? ' (stopped at the bound)' : ''} |`)
  }
  for (const f of all) {
    for (const [check, labels] of f.failures) console.log(`${f.role}: ${check}: ${[...labels].sort().join(', ')}`)
  }
  // The verdict of scripts/fuzz.sh: a role that found anything, or sent nothing, fails.
  if (all.some((f) => f.failures.size > 0 || f.requests === 0)) process.exit(1)
}

run()
