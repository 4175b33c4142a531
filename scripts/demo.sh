#!/usr/bin/env bash
# The README's main job: everything up on this machine, demo data in ClickHouse, the worker
# started, a workflow run through it end to end, results printed. Safe to run again.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"
ensure_node_modules
bash scripts/prisma-generate.sh
bash scripts/services.sh up
bash scripts/services.sh status >&2

# The embedded ClickHouse engine locks its directory: write the data before the worker opens it.
log "demo data: seed 42, 2026-08..2026-10 (same rows every run)"
npx tsx scripts/generate-data.ts --seed 42 --months 2026-08..2026-10 --reset > "$LOCAL/demo-data.json"

log "starting the worker (log: .local/worker.log)"
npx tsx worker.ts > "$LOCAL/worker.log" 2>&1 &
worker=$!
stop_worker() { kill -TERM "$worker" 2>/dev/null && wait "$worker" 2>/dev/null || true; }
trap stop_worker EXIT

log "running the smoke workflow"
npx tsx scripts/run-smoke.ts
log "done; Temporal Web: $TEMPORAL_UI_URL"
