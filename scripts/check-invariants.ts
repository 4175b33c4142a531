import { readFileSync, writeFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { loadConfig } from '../lib/config.js'
import { createDatabase, type Database } from '../lib/database.js'
import { countMessages, listBucketKeys, readDidoxDocuments, readPlanFactOperations } from './chaos/read-effects.js'

const USAGE = `Checks what must hold after any fault: every invoice settled, each effect made once,
gapless numbers, no duplicate events, a consistent ledger. Prints one row per invariant and
exits 1 on any violation.

  npx tsx scripts/check-invariants.ts [--since ISO] [--ids id,id] [--ids-file drive.json] [--json out.json]

  --since ISO      invoices (workflow runs) started at or after this time
  --ids            invoice workflow ids (invoice:<deal>:<period>) and credit note ids
  --ids-file       a JSON file with invoices[].id and creditNotes[].id (scripts/chaos/drive.ts --out)
  --json           also write the rows as JSON
Without --since or ids: every invoice in the database. Numbers and the ledger are always
checked over the whole database. Reads DATABASE_URL, PLANFACT_URL, DIDOX_URL, S3_*, MAILPIT_URL.`

const DELIVERED = ['awaiting_payment', 'partially_paid', 'overdue', 'paid', 'completed']

interface InvariantRow {
  invariant: string
  /** duplicate: a second effect or a double billing; gap: a number skipped. */
  kind: 'settled' | 'duplicate' | 'gap' | 'consistency'
  checked: number
  violations: number
  examples: string[]
}

interface RunRow {
  workflow_id: string
  state: string
  invoice_id: string | null
  attention: { reason?: string } | null
}
interface InvoiceRow {
  id: string
  number: string | null
  total: string
  approved_at: Date | null
  ledger_recorded: boolean
}
interface RefRow {
  invoice_id: string
  system: string
  purpose: string
  status: string
  external_id: string | null
  message_id: string | null
}
interface CreditNoteRow {
  id: string
  workflow_id: string
  invoice_id: string
  state: string
  total: string
  attention: { reason?: string } | null
}

async function run(): Promise<void> {
  const { values } = parseArgs({ options: { since: { type: 'string' }, ids: { type: 'string' }, 'ids-file': { type: 'string' }, json: { type: 'string' }, help: { type: 'boolean', default: false } }, strict: true })
  if (values.help) return console.log(USAGE)
  const config = loadConfig(process.env, { needsApiTokens: false })
  const db = createDatabase(config.database.url)
  try {
    const scope = readScope(values)
    const rows = await checkAll(db, config, scope)
    printTable(rows)
    if (values.json) writeFileSync(values.json, JSON.stringify(rows, null, 2))
    if (rows.some((r) => r.violations > 0)) process.exitCode = 1
  } finally {
    await db.$disconnect()
  }
}

type Scope = { since?: string; ids?: string[] }

function readScope(values: { since?: string; ids?: string; 'ids-file'?: string }): Scope {
  if (values['ids-file']) {
    const file = JSON.parse(readFileSync(values['ids-file'], 'utf8')) as { invoices: { id: string }[]; creditNotes: { id: string }[] }
    return { ids: [...file.invoices.map((i) => i.id), ...file.creditNotes.map((c) => c.id)] }
  }
  if (values.ids) return { ids: values.ids.split(',').filter(Boolean) }
  return { since: values.since }
}

async function checkAll(db: Database, config: ReturnType<typeof loadConfig>, scope: Scope): Promise<InvariantRow[]> {
  const q = <T>(sql: string, ...params: unknown[]) => db.$queryRawUnsafe<T[]>(sql, ...params)
  const since = scope.since ? new Date(scope.since) : new Date(0)
  const ids = scope.ids ?? null
  const runs = await q<RunRow>(
    `SELECT DISTINCT ON (workflow_id) workflow_id, state, invoice_id::text, view->'attention' AS attention FROM invoice_runs
     WHERE ($1::text[] IS NULL OR workflow_id = ANY($1)) AND started_at >= $2 ORDER BY workflow_id, started_at DESC`,
    ids,
    since,
  )
  const invoiceIds = runs.map((r) => r.invoice_id).filter((id): id is string => id !== null)
  const invoices = await q<InvoiceRow>(`SELECT id::text, number, total::text, approved_at, ledger_recorded FROM invoices WHERE id = ANY($1::uuid[]) AND voided_at IS NULL`, invoiceIds)
  const refs = await q<RefRow>(`SELECT invoice_id::text, system, purpose, status, external_id, details->>'messageId' AS message_id FROM external_references WHERE invoice_id = ANY($1::uuid[])`, invoiceIds)
  const notes = await q<CreditNoteRow>(
    `SELECT id::text, workflow_id, invoice_id::text, state, total::text, view->'attention' AS attention FROM credit_notes WHERE invoice_id = ANY($1::uuid[]) AND ($2::text[] IS NULL OR workflow_id = ANY($2))`,
    invoiceIds,
    ids,
  )
  const stateOf = new Map(runs.filter((r) => r.invoice_id).map((r) => [r.invoice_id!, r.state]))
  const delivered = invoices.filter((i) => DELIVERED.includes(stateOf.get(i.id) ?? ''))
  const refsOf = (invoiceId: string, system: string) => refs.filter((r) => r.invoice_id === invoiceId && r.system === system && r.status === 'done')

  const rows: InvariantRow[] = []
  const row = (invariant: string, kind: InvariantRow['kind'], checked: number, bad: string[]) => rows.push({ invariant, kind, checked, violations: bad.length, examples: bad.slice(0, 3) })

  row(
    'invoice settled: delivered, paid, void or cancelled, or needs_attention with a reason',
    'settled',
    runs.length,
    runs.filter((r) => !([...DELIVERED, 'void', 'cancelled'].includes(r.state) || (r.state === 'needs_attention' && r.attention?.reason))).map((r) => `${r.workflow_id}: ${r.state}`),
  )
  row(
    'credit note settled: completed or cancelled, or needs_attention with a reason',
    'settled',
    notes.length,
    notes.filter((n) => !(['completed', 'cancelled'].includes(n.state) || (n.state === 'needs_attention' && n.attention?.reason))).map((n) => `${n.workflow_id}: ${n.state}`),
  )

  // PlanFact: one income per invoice (found by the marker in externalId or comment), lowered once per credit note.
  const operations = await readPlanFactOperations(config.planfact.url)
  const booked = invoices.filter((i) => refsOf(i.id, 'planfact').some((r) => r.purpose === 'operation') || DELIVERED.includes(stateOf.get(i.id) ?? ''))
  row(
    'one PlanFact income operation per invoice',
    'duplicate',
    booked.length,
    booked.flatMap((i) => {
      const found = operations.filter((o) => o.operationType === 'Income' && (o.externalId === i.id || o.comment.includes(i.id)))
      return found.length === 1 ? [] : [`${i.number}: ${found.length} operations`]
    }),
  )
  const credited = notes.filter((n) => refs.some((r) => r.system === 'planfact' && r.purpose === `credit-note:${n.id}` && r.status === 'done'))
  row(
    'PlanFact income lowered exactly once per credit note (value = total - credits), refunds once',
    'duplicate',
    booked.length + credited.length,
    [
      ...booked.flatMap((i) => {
        const op = operations.find((o) => o.operationType === 'Income' && (o.externalId === i.id || o.comment.includes(i.id)))
        const credits = credited.filter((n) => n.invoice_id === i.id).reduce((sum, n) => sum + Number(n.total), 0)
        const expected = Math.max(0, Number(i.total) - credits)
        if (!op) return expected === 0 ? [] : [] // counted by the row above; a fully credited income is deleted
        return Math.abs(op.value - expected) < 0.005 ? [] : [`${i.number}: PlanFact ${op.value}, expected ${expected.toFixed(2)}`]
      }),
      ...credited.flatMap((n) => {
        const outcomes = operations.filter((o) => o.operationType === 'Outcome' && (o.externalId === n.id || o.comment.includes(n.id)))
        return outcomes.length <= 1 ? [] : [`${n.workflow_id}: ${outcomes.length} refunds`]
      }),
    ],
  )

  // R2: every recorded upload is there, and an invoice's folder holds exactly its recorded versions.
  const keys = await listBucketKeys(config.s3)
  const uploads = refs.filter((r) => r.system === 'r2' && r.status === 'done')
  const folders = new Map<string, number>()
  for (const u of uploads) {
    const folder = invoiceFolder(u.external_id ?? '')
    folders.set(folder, (folders.get(folder) ?? 0) + 1)
  }
  row(
    'one R2 object per PDF version (invoice and credit note PDFs)',
    'duplicate',
    uploads.length,
    [
      ...uploads.filter((u) => !keys.includes(u.external_id ?? '')).map((u) => `missing ${u.external_id}`),
      ...[...folders].flatMap(([folder, count]) => {
        const stored = keys.filter((k) => invoiceFolder(k) === folder).length
        return stored === count ? [] : [`${folder}: ${stored} objects for ${count} recorded versions`]
      }),
    ],
  )
  row(
    'every delivered invoice stored in R2',
    'consistency',
    delivered.length,
    delivered.filter((i) => refsOf(i.id, 'r2').length === 0).map((i) => `${i.number}: no R2 object`),
  )

  // Delivery: one e-mail (Mailpit, by Message-ID) or one Didox document (by number) per delivery.
  // Sent (done) exactly once; skipped by an operator after a crash (found in the mailbox) or still uncertain: at most once.
  const mails = refs.filter((r) => r.system === 'email' && (r.message_id ?? r.external_id))
  const mailBad: string[] = []
  // An uncertain e-mail (its record stays pending) an operator skipped because it had arrived: delivered once.
  const foundInMailbox = new Set<string>()
  for (const m of mails) {
    const id = (m.message_id ?? m.external_id)!
    const count = await countMessages(process.env.MAILPIT_URL ?? 'http://127.0.0.1:8025', id)
    if (m.status !== 'done' && count === 1) foundInMailbox.add(m.invoice_id)
    if (m.status === 'done' ? count !== 1 : count > 1) mailBad.push(`${id} (${m.status}): ${count} messages`)
  }
  row('one e-mail per e-mail delivery (invoices and credit notes; a skipped uncertain one at most once)', 'duplicate', mails.length, mailBad)
  const documents = await readDidoxDocuments(config.didox.url)
  const esfs = invoices.filter((i) => refsOf(i.id, 'didox').some((r) => r.purpose === 'esf'))
  row(
    'one Didox document per Didox delivery',
    'duplicate',
    esfs.length,
    esfs.flatMap((i) => {
      const found = documents.filter((d) => d.name === i.number && (d.json.FacturaType ?? 0) === 0 && d.doc_status !== 5)
      return found.length === 1 ? [] : [`${i.number}: ${found.length} documents`]
    }),
  )
  row(
    'every delivered invoice delivered once: e-mail (sent, or skipped once found in the mailbox) or Didox',
    'consistency',
    delivered.length,
    delivered
      .filter((i) => {
        // An e-mail an operator skipped because it had arrived counts as delivered.
        const mailed = refs.filter((r) => r.invoice_id === i.id && r.system === 'email' && r.purpose.startsWith('email:v') && (['done', 'skipped'].includes(r.status) || foundInMailbox.has(i.id))).length
        return mailed + refsOf(i.id, 'didox').filter((r) => r.purpose === 'esf').length !== 1
      })
      .map((i) => `${i.number}: not exactly one delivery`),
  )

  // Numbers: per year 1..n, none skipped (the whole database).
  for (const table of ['invoices', 'credit_notes']) {
    const years = await q<{ number_year: number; seqs: number[] }>(`SELECT number_year, array_agg(number_seq ORDER BY number_seq) AS seqs FROM ${table} WHERE number_seq IS NOT NULL GROUP BY 1`)
    row(
      `gapless ${table === 'invoices' ? 'invoice' : 'credit note'} numbers per year (whole database)`,
      'gap',
      years.reduce((n, y) => n + y.seqs.length, 0),
      years.flatMap((y) => y.seqs.flatMap((s, i) => (s === i + 1 ? [] : [`${y.number_year}: #${i + 1} is ${s}`]))).slice(0, 10),
    )
  }

  // Events: an effect recorded twice, the same state entered twice in a row, a key used twice.
  const workflowIds = runs.map((r) => r.workflow_id)
  const effectDupes = await q<{ workflow_id: string; type: string; n: number }>(
    `SELECT workflow_id, type, count(*)::int AS n FROM invoice_events WHERE workflow_id = ANY($1) AND type IN ('finalized', 'pdf_rendered', 'planfact_done', 'r2_done', 'email_done', 'didox_done')
     GROUP BY workflow_run_id, workflow_id, type HAVING count(*) > 1`,
    workflowIds,
  )
  const eventCount = await q<{ n: number }>(`SELECT count(*)::int AS n FROM invoice_events WHERE workflow_id = ANY($1)`, workflowIds)
  row('no effect event twice in a run (finalized, pdf_rendered, planfact/r2/email/didox_done)', 'duplicate', eventCount[0]?.n ?? 0, effectDupes.map((d) => `${d.workflow_id}: ${d.type} x${d.n}`))
  const repeated = await q<{ workflow_id: string; type: string }>(
    `SELECT workflow_id, type FROM (SELECT workflow_id, type, lag(type) OVER (PARTITION BY workflow_run_id ORDER BY id) AS previous FROM invoice_events
     WHERE workflow_id = ANY($1) AND type LIKE 'state\\_%') t WHERE type = previous`,
    workflowIds,
  )
  row('no transition recorded twice in a row', 'duplicate', eventCount[0]?.n ?? 0, repeated.map((d) => `${d.workflow_id}: ${d.type} twice`))
  const keyDupes = await q<{ idempotency_key: string }>(`SELECT idempotency_key FROM invoice_events GROUP BY 1 HAVING count(*) > 1`)
  row('event idempotency keys unique (whole database)', 'duplicate', 1, keyDupes.map((k) => k.idempotency_key))

  // The ledger: a worklog on one live row; each time line's hours are its worklogs' minutes
  // (hours are stored with 4 decimals: 27.8333 h is 1669.998 min, so within 0.006 min).
  const doubleBilled = await q<{ worklog_id: string; n: number }>(`SELECT worklog_id::text, count(*)::int AS n FROM billed_work WHERE released_at IS NULL GROUP BY 1 HAVING count(*) > 1`)
  const liveRows = await q<{ n: number }>(`SELECT count(*)::int AS n FROM billed_work WHERE released_at IS NULL`)
  row('billed_work: no worklog on two live rows (whole database)', 'duplicate', liveRows[0]?.n ?? 0, doubleBilled.map((d) => `worklog ${d.worklog_id} x${d.n}`))
  const ledgered = invoices.filter((i) => i.ledger_recorded && i.approved_at).map((i) => i.id)
  const mismatched = await q<{ number: string; line_key: string; line_minutes: string; billed_minutes: string }>(
    `SELECT i.number, l.line_key, (l.quantity * 60)::text AS line_minutes, coalesce(sum(b.billable_minutes), 0)::text AS billed_minutes
     FROM invoice_line_items l JOIN invoices i ON i.id = l.invoice_id
     LEFT JOIN billed_work b ON b.invoice_id = l.invoice_id AND b.line_key = l.line_key AND b.released_at IS NULL
     WHERE l.kind = 'time' AND l.invoice_id = ANY($1::uuid[]) GROUP BY i.number, l.line_key, l.quantity HAVING abs(l.quantity * 60 - coalesce(sum(b.billable_minutes), 0)) > 0.006`,
    ledgered,
  )
  const orphans = await q<{ number: string; line_key: string }>(
    `SELECT DISTINCT i.number, b.line_key FROM billed_work b JOIN invoices i ON i.id = b.invoice_id
     WHERE b.invoice_id = ANY($1::uuid[]) AND b.released_at IS NULL AND NOT EXISTS (SELECT 1 FROM invoice_line_items l WHERE l.invoice_id = b.invoice_id AND l.line_key = b.line_key)`,
    ledgered,
  )
  row(
    "billed_work matches each approved invoice's time lines (minutes = hours x 60, no row off its lines)",
    'consistency',
    ledgered.length,
    [...mismatched.map((m) => `${m.number} ${m.line_key}: lines ${m.line_minutes} min, ledger ${m.billed_minutes} min`), ...orphans.map((o) => `${o.number}: row on unknown line ${o.line_key}`)],
  )
  return rows
}

/** `invoices/<year>/<number>/` of an invoice's or its credit notes' PDF key. */
function invoiceFolder(key: string): string {
  return key.split('/').slice(0, 3).join('/')
}

function printTable(rows: InvariantRow[]): void {
  const width = Math.max(...rows.map((r) => r.invariant.length))
  console.log(`${'invariant'.padEnd(width)}  checked  violations  examples`)
  for (const r of rows) {
    console.log(`${r.invariant.padEnd(width)}  ${String(r.checked).padStart(7)}  ${String(r.violations).padStart(10)}  ${r.examples.join('; ')}`)
  }
  const bad = rows.filter((r) => r.violations > 0).length
  console.log(bad === 0 ? 'all invariants hold' : `${bad} invariant(s) violated`)
}

run().catch((err) => {
  console.error(err)
  process.exit(1)
})
