#!/usr/bin/env bash
# The README's main job: everything up on this machine, demo data in ClickHouse, the worker and
# the API started, then a real invoice through the whole flow via the API (preview, confirm,
# approve by another user, PlanFact, R2, Didox or e-mail). Safe to run again: each run bills
# the next deal/period not invoiced yet.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"
ensure_node_modules
bash scripts/prisma-generate.sh
bash scripts/services.sh up
bash scripts/services.sh status >&2

# A worker or API left by an interrupted run would hold the embedded ClickHouse directory.
for name in worker api; do
  if [ -f "$LOCAL/$name.pid" ] && kill -0 "$(cat "$LOCAL/$name.pid")" 2>/dev/null; then
    log "stopping the $name left by an earlier run"
    kill -TERM "$(cat "$LOCAL/$name.pid")" 2>/dev/null || true
    sleep 2
  fi
done

# The embedded ClickHouse engine locks its directory: write the data before the worker opens it.
log "demo data: seed 42, 2026-08..2026-10 (the same rows every run)"
npx tsx scripts/generate-data.ts --seed 42 --months 2026-08..2026-10 --reset > "$LOCAL/demo-data.json"

start_processes() {
  log "starting the worker (log: .local/worker.log) and the API on 127.0.0.1:$API_PORT (log: .local/api.log)"
  node --import tsx worker.ts >> "$LOCAL/worker.log" 2>&1 &
  worker=$!
  echo "$worker" > "$LOCAL/worker.pid"
  node --import tsx api/server.ts >> "$LOCAL/api.log" 2>&1 &
  api=$!
  echo "$api" > "$LOCAL/api.pid"
  wait_for 60 "the API" curl -fsS "http://127.0.0.1:$API_PORT/health"
}
stop() {
  kill -TERM "$api" "$worker" 2>/dev/null || true
  wait "$api" "$worker" 2>/dev/null || true
}
: > "$LOCAL/worker.log"
: > "$LOCAL/api.log"
trap stop EXIT
start_processes

log "an invoice through the API"
npx tsx scripts/demo-invoice.ts

# Late work (docs/billing.md): the sync brings a worklog of October after October was invoiced.
# The embedded engine has one writer: the worker and the API stop while the "sync" writes it.
log "late work: a worklog of 30 October reaches ClickHouse after October was invoiced"
stop
npx tsx scripts/demo-late-worklog.ts
start_processes
npx tsx scripts/demo-invoice.ts --late-work
