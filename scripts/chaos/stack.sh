# The chaos suite's own stack, beside the shared local services (sourced by scripts/chaos.sh):
# its own database, Temporal namespace, task queue, S3 bucket, API port, embedded ClickHouse
# directories (one per worker: the engine locks its directory) and PlanFact/Didox fakes on other
# ports, so its faults and data touch nobody else. The shared services keep the project's .env.

CHAOS_DIR="$LOCAL/chaos"
CHAOS_DB_NAME="${CHAOS_DB_NAME:-invoicing_chaos}"
CHAOS_DATABASE_URL="${DATABASE_URL%/*}/$CHAOS_DB_NAME"
# The role that owns the tables and migrates (before the app had a role of its own: the same).
CHAOS_DATABASE_OWNER_URL="${DATABASE_OWNER_URL:-$DATABASE_URL}"
CHAOS_DATABASE_OWNER_URL="${CHAOS_DATABASE_OWNER_URL%/*}/$CHAOS_DB_NAME"
CHAOS_NAMESPACE="${CHAOS_NAMESPACE:-invoicing-chaos}"
CHAOS_TASK_QUEUE=invoicing-chaos
CHAOS_BUCKET=invoices-chaos
CHAOS_API_PORT=3100
CHAOS_PLANFACT_URL=http://127.0.0.1:3102
CHAOS_DIDOX_URL=http://127.0.0.1:3103
export CHAOS_MONTHS="${CHAOS_MONTHS:-2025-05..2026-10}"
mkdir -p "$CHAOS_DIR"

# The chaos stack's settings instead of the app's: `env "${CHAOS_ENV[@]}" cmd`, or chaos_exec cmd.
CHAOS_ENV=(DATABASE_URL="$CHAOS_DATABASE_URL" DATABASE_OWNER_URL="$CHAOS_DATABASE_OWNER_URL" TEMPORAL_NAMESPACE="$CHAOS_NAMESPACE" TEMPORAL_TASK_QUEUE="$CHAOS_TASK_QUEUE"
  S3_BUCKET="$CHAOS_BUCKET" API_PORT="$CHAOS_API_PORT" PLANFACT_URL="$CHAOS_PLANFACT_URL" DIDOX_URL="$CHAOS_DIDOX_URL"
  CLICKHOUSE_PATH="$CHAOS_DIR/clickhouse" DIDOX_POLL_INTERVAL_MS=3000 LOG_LEVEL=WARN)
chaos_exec() { env "${CHAOS_ENV[@]}" "$@"; }

# A fresh database, made and migrated like the app's (scripts/services/postgres.sh,
# scripts/migrate.sh: owned by the owner role, the app's role granted its reads and writes).
# The one place to adapt when the database roles change.
chaos_create_database() {
  pg_locate
  pg_parse_url "$CHAOS_DATABASE_OWNER_URL"
  log "chaos: fresh database $DB"
  pg_psql -d postgres -c "DROP DATABASE IF EXISTS \"$DB\" WITH (FORCE)"
  pg_psql -d postgres -c "CREATE DATABASE \"$DB\" OWNER \"$U\""
  DATABASE_OWNER_URL="$CHAOS_DATABASE_OWNER_URL" DATABASE_URL="$CHAOS_DATABASE_URL" npx tsx prisma/migrate.ts >&2
}

# A fresh namespace: workflow ids of an earlier chaos run would block new starts.
chaos_create_namespace() {
  local t=(--address "$TEMPORAL_ADDRESS" --namespace "$CHAOS_NAMESPACE")
  if "$TEMPORAL_BIN" operator namespace describe "${t[@]}" >/dev/null 2>&1; then
    "$TEMPORAL_BIN" operator namespace delete "${t[@]}" --yes >/dev/null
  fi
  log "chaos: fresh Temporal namespace $CHAOS_NAMESPACE"
  local i
  for i in $(seq 1 30); do "$TEMPORAL_BIN" operator namespace create "${t[@]}" >/dev/null 2>&1 && break; sleep 1; done
  local attr
  for attr in "${TEMPORAL_SEARCH_ATTRIBUTES[@]}"; do
    for i in $(seq 1 10); do
      "$TEMPORAL_BIN" operator search-attribute create "${t[@]}" --name "${attr%%=*}" --type "${attr#*=}" >/dev/null 2>&1 && break
      sleep 1
    done
  done
}

chaos_create_bucket() {
  log "chaos: empty S3 bucket $CHAOS_BUCKET"
  chaos_exec npx tsx scripts/chaos/empty-bucket.ts >&2
}

# Source data for every drill's months; one copy of the engine's directory per worker.
chaos_generate_data() {
  log "chaos: source data for $CHAOS_MONTHS into ${CHAOS_DIR#"$ROOT"/}/clickhouse"
  npx tsx scripts/generate-data.ts --seed 42 --months "$CHAOS_MONTHS" --worklogs 30000 --reset --path "$CHAOS_DIR/clickhouse" > "$CHAOS_DIR/data.json"
  local slot
  for slot in $(seq 1 "$CHAOS_WORKERS"); do
    rm -rf "$CHAOS_DIR/clickhouse-$slot"
    cp -a "$CHAOS_DIR/clickhouse" "$CHAOS_DIR/clickhouse-$slot"
  done
}

chaos_start_fakes() {
  log "chaos: PlanFact fake at $CHAOS_PLANFACT_URL, Didox fake at $CHAOS_DIDOX_URL"
  env "${CHAOS_ENV[@]}" node --import tsx scripts/run-fakes.ts >> "$CHAOS_DIR/fakes.log" 2>&1 < /dev/null &
  echo $! > "$CHAOS_DIR/fakes.pid"
  wait_for 60 "the chaos fakes" curl -fsS "$CHAOS_DIDOX_URL/__control/state"
}

# A process kept running by a loop of its own, as a process manager would (restarted when it
# dies, e.g. killed at a boundary), until the stop file exists.
#   supervise <name> <command...>   (pid of the current process in $CHAOS_DIR/<name>.pid)
supervise() {
  local name="$1"; shift
  (
    while [ ! -f "$CHAOS_DIR/stop" ]; do
      # The kill list is read at each start, so a drill turns the kills on or off.
      CHAOS_KILL_BOUNDARIES="$(cat "$CHAOS_DIR/kill-boundaries" 2>/dev/null || true)" \
        CHAOS_KILL_LOG="$CHAOS_DIR/kills.jsonl" CHAOS_KILLS_PER_BOUNDARY="$(cat "$CHAOS_DIR/kills-per-boundary" 2>/dev/null || echo 20)" \
        "$@" >> "$CHAOS_DIR/$name.log" 2>&1 < /dev/null &
      echo $! > "$CHAOS_DIR/$name.pid"
      wait $! || true
      echo "$(date +%s) $name exited" >> "$CHAOS_DIR/restarts.log"
      sleep 0.5
    done
  ) 2>/dev/null &
  echo $! > "$CHAOS_DIR/$name.supervisor.pid"
}

chaos_start_processes() {
  rm -f "$CHAOS_DIR/stop"
  local slot
  for slot in $(seq 1 "$CHAOS_WORKERS"); do
    supervise "worker-$slot" env "${CHAOS_ENV[@]}" CLICKHOUSE_PATH="$CHAOS_DIR/clickhouse-$slot" \
      WORKER_CONCERNS="${CHAOS_WORKER_CONCERNS[$((slot - 1))]}" node --import tsx worker.ts
  done
  supervise api env "${CHAOS_ENV[@]}" node --import tsx api/server.ts
  wait_for 90 "the chaos API" curl -fsS "http://127.0.0.1:$CHAOS_API_PORT/openapi.json"
}

# Only a process of this stack: a pid file left by an interrupted run may name someone else's by now.
chaos_pid_is_ours() { [ -r "/proc/$1/environ" ] && tr '\0' '\n' < "/proc/$1/environ" 2>/dev/null | grep -qx "TEMPORAL_TASK_QUEUE=$CHAOS_TASK_QUEUE"; }

chaos_signal() { # <signal> <pid file>...
  local sig="$1" f pid; shift
  for f in "$@"; do
    [ -f "$f" ] || continue
    pid=$(cat "$f")
    if chaos_pid_is_ours "$pid"; then kill "-$sig" "$pid" 2>/dev/null || true; fi
  done
}

chaos_stop_processes() {
  touch "$CHAOS_DIR/stop"
  chaos_signal TERM "$CHAOS_DIR"/worker-?.pid "$CHAOS_DIR/api.pid"
  local f
  for f in "$CHAOS_DIR"/*.supervisor.pid; do [ -f "$f" ] && { wait "$(cat "$f")" 2>/dev/null || true; rm -f "$f"; }; done
  sleep 1
}

# Turns worker kills on for the listed activities, at most <per boundary> each (or off with no
# argument); the workers read both files when they (re)start, so the running ones are restarted.
chaos_set_kills() { # [<per boundary> <activity>...]
  if [ $# -gt 0 ]; then
    echo "$1" > "$CHAOS_DIR/kills-per-boundary"; shift
    (IFS=,; echo "$*") > "$CHAOS_DIR/kill-boundaries"
  else
    rm -f "$CHAOS_DIR/kill-boundaries" "$CHAOS_DIR/kills-per-boundary"
  fi
  chaos_signal TERM "$CHAOS_DIR"/worker-?.pid
}

chaos_fake() { # <planfact|didox> <control path> [json body]
  local url="$CHAOS_PLANFACT_URL"; [ "$1" = didox ] && url="$CHAOS_DIDOX_URL"
  if [ $# -ge 3 ]; then curl -fsS -X POST -H 'content-type: application/json' -d "$3" "$url$2"; else curl -fsS "$url$2"; fi
}
