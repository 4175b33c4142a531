#!/usr/bin/env bash
# The month-end benchmark (bench/month-end.ts; docs/deploy.md, "How many workers") on a stack of
# its own beside the shared local services, built with the chaos suite's functions
# (scripts/chaos/stack.sh): a fresh database invoicing_bench (created and migrated like the app's),
# a fresh Temporal namespace invoicing-bench, task queue invoicing-bench, an emptied S3 bucket
# invoices-bench, the API on 127.0.0.1:3200, PlanFact and Didox fakes on 3202/3203, the embedded
# ClickHouse under .local/bench/month-end/. It never stops or restarts a shared service
# (PostgreSQL, Temporal, Gotenberg, moto, Mailpit): they must be up (bash scripts/services.sh up).
#
#   bash bench/month-end.sh [--deals 1000] [--workers all|"workflows,prefill,effects;documents,planfact"] [...]
#   bash bench/month-end.sh --help
#
# bench/month-end.ts starts the fakes, the worker processes (node --import tsx worker.ts, one per
# ';'-separated WORKER_CONCERNS value) and the API, and stops them at the end; the trap here stops
# whatever an interrupted run left. Results: bench/results/month-end.json; logs: .local/bench/month-end/.
set -euo pipefail
for arg in "$@"; do
  if [ "$arg" = --help ] || [ "$arg" = -h ]; then
    cd "$(dirname "${BASH_SOURCE[0]}")/.." && exec node --import tsx bench/month-end.ts --help
  fi
done
export CHAOS_DB_NAME=invoicing_bench CHAOS_NAMESPACE=invoicing-bench
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"
for f in "$ROOT"/scripts/services/*.sh; do source "$f"; done
source "$ROOT/scripts/chaos/stack.sh"
cd "$ROOT"

# The chaos stack's functions, pointed at the bench's own names and ports.
CHAOS_DIR="$LOCAL/bench/month-end"
CHAOS_TASK_QUEUE=invoicing-bench
CHAOS_BUCKET=invoices-bench
CHAOS_API_PORT="${BENCH_API_PORT:-3200}"
CHAOS_PLANFACT_URL="http://127.0.0.1:${BENCH_PLANFACT_PORT:-3202}"
CHAOS_DIDOX_URL="http://127.0.0.1:${BENCH_DIDOX_PORT:-3203}"
CHAOS_ENV=(DATABASE_URL="$CHAOS_DATABASE_URL" DATABASE_OWNER_URL="$CHAOS_DATABASE_OWNER_URL" TEMPORAL_NAMESPACE="$CHAOS_NAMESPACE" TEMPORAL_TASK_QUEUE="$CHAOS_TASK_QUEUE"
  S3_BUCKET="$CHAOS_BUCKET" API_PORT="$CHAOS_API_PORT" PLANFACT_URL="$CHAOS_PLANFACT_URL" DIDOX_URL="$CHAOS_DIDOX_URL"
  CLICKHOUSE_PATH="$CHAOS_DIR/clickhouse" DIDOX_POLL_INTERVAL_MS="${BENCH_DIDOX_POLL_INTERVAL_MS:-2000}" LOG_LEVEL=WARN BENCH_DIR="$CHAOS_DIR")
mkdir -p "$CHAOS_DIR"

# Only a process of this stack: a pid file left by an interrupted run may name someone else's by now.
bench_stop_leftovers() {
  local f pid
  for f in "$CHAOS_DIR"/*.pid; do
    [ -f "$f" ] || continue
    pid=$(cat "$f")
    if chaos_pid_is_ours "$pid"; then kill -TERM "$pid" 2>/dev/null || true; fi
    rm -f "$f"
  done
}

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

ensure_node_modules
bench_stop_leftovers
for port in "$CHAOS_API_PORT" "${CHAOS_PLANFACT_URL##*:}" "${CHAOS_DIDOX_URL##*:}"; do
  port_free "$port" || die "port $port is in use (BENCH_API_PORT, BENCH_PLANFACT_PORT, BENCH_DIDOX_PORT choose others)"
done
# The shared services must be up; they are not started or restarted here.
pg_locate
pg_parse_url "$DATABASE_URL"
[ -f "$PG_DATA/postmaster.pid" ] || die "PostgreSQL is not running (bash scripts/services.sh up)"
"$TEMPORAL_BIN" operator cluster health --address "$TEMPORAL_ADDRESS" >/dev/null 2>&1 || die "Temporal is not answering at $TEMPORAL_ADDRESS (bash scripts/services.sh up)"
curl -fsS "${GOTENBERG_URL:-http://127.0.0.1:3001}/health" >/dev/null || die "Gotenberg is not answering (bash scripts/services.sh up)"

trap 'bench_stop_leftovers' EXIT
chaos_create_database
chaos_create_namespace
chaos_create_bucket
# The postmaster's pid, for the whole cluster's CPU (its file is readable by its owner only).
pg_as_owner head -n 1 "$PG_DATA/postmaster.pid" > "$CHAOS_DIR/postgres.pidfile"
env "${CHAOS_ENV[@]}" BENCH_PG_PIDFILE="$CHAOS_DIR/postgres.pidfile" node --import tsx bench/month-end.ts "$@"
