import { appendFileSync, existsSync, readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'

/**
 * A drill's figures (docs/reliability.md): invoices, faults injected, completed, duplicates,
 * gaps, time to recover (from the fault's end to the last invoice or credit note settled).
 * Prints the summary line and appends the figures to the results file (JSON lines).
 * With --table: prints the figures of one chaos run (--run) as a Markdown table.
 */
const { values } = parseArgs({
  options: {
    drill: { type: 'string' },
    mode: { type: 'string', default: 'full' },
    run: { type: 'string' },
    drive: { type: 'string' },
    invariants: { type: 'string' },
    faults: { type: 'string', default: '0' },
    'fault-end': { type: 'string' },
    started: { type: 'string' },
    note: { type: 'string', default: '' },
    results: { type: 'string', default: '.local/chaos/results.jsonl' },
    table: { type: 'boolean', default: false },
  },
  strict: true,
})

interface Figures {
  run: string
  drill: string
  mode: string
  at: string
  invoices: number
  creditNotes: number
  faults: number
  completed: number
  needsAttention: number
  duplicates: number
  gaps: number
  violations: number
  recoverSeconds: number | null
  durationSeconds: number
  note: string
}

const DELIVERED = ['awaiting_payment', 'partially_paid', 'overdue', 'paid', 'completed']

if (values.table) printTable()
else record()

function record(): void {
  const drive = JSON.parse(readFileSync(values.drive!, 'utf8')) as {
    invoices: { state: string; settledAt: string | null }[]
    creditNotes: { state: string; settledAt: string | null }[]
  }
  const rows = existsSync(values.invariants!) ? (JSON.parse(readFileSync(values.invariants!, 'utf8')) as { kind: string; violations: number }[]) : []
  const settled = [...drive.invoices, ...drive.creditNotes].map((r) => r.settledAt).filter((t): t is string => t !== null)
  const lastSettled = settled.length ? Math.max(...settled.map((t) => Date.parse(t))) : null
  const faultEnd = values['fault-end'] ? Number(values['fault-end']) * 1000 : null
  const sum = (kind: string) => rows.filter((r) => r.kind === kind).reduce((n, r) => n + r.violations, 0)
  const figures: Figures = {
    run: values.run ?? '',
    drill: values.drill!,
    mode: values.mode!,
    at: new Date().toISOString(),
    invoices: drive.invoices.length,
    creditNotes: drive.creditNotes.length,
    faults: Number(values.faults),
    completed: drive.invoices.filter((r) => DELIVERED.includes(r.state)).length,
    needsAttention: drive.invoices.filter((r) => r.state === 'needs_attention').length,
    duplicates: sum('duplicate'),
    gaps: sum('gap'),
    violations: rows.reduce((n, r) => n + r.violations, 0),
    recoverSeconds: lastSettled !== null && faultEnd !== null ? Math.max(0, Math.round((lastSettled - faultEnd) / 1000)) : null,
    durationSeconds: Math.round((Date.now() - Number(values.started) * 1000) / 1000),
    note: values.note!,
  }
  appendFileSync(values.results!, `${JSON.stringify(figures)}\n`)
  console.log(
    `${figures.drill}: invoices ${figures.invoices} (+${figures.creditNotes} credit notes), faults ${figures.faults}, completed ${figures.completed}, needs_attention ${figures.needsAttention}, duplicates ${figures.duplicates}, gaps ${figures.gaps}, violations ${figures.violations}, time to recover ${figures.recoverSeconds ?? '-'} s, drill ${figures.durationSeconds} s${figures.note ? `; ${figures.note}` : ''}`,
  )
}

function printTable(): void {
  const all = existsSync(values.results!) ? readFileSync(values.results!, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Figures) : []
  const rows = all.filter((f) => f.run === values.run)
  console.log('| drill | invoices (+credit notes) | faults injected | completed | needs attention | duplicates | gaps | violations | time to recover | drill time |')
  console.log('|---|---|---|---|---|---|---|---|---|---|')
  for (const f of rows) {
    console.log(`| ${f.drill} | ${f.invoices} (+${f.creditNotes}) | ${f.faults} | ${f.completed} | ${f.needsAttention} | ${f.duplicates} | ${f.gaps} | ${f.violations} | ${f.recoverSeconds ?? '-'} s | ${f.durationSeconds} s |`)
  }
}
