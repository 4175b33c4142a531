#!/usr/bin/env bash
# API fuzzing (docs/api.md, "Fuzzing"): schemathesis generates requests from /openapi.json and
# checks every answer against the document (no 5xx, status codes, content types, response
# schemas, ...), once per role token. It runs its own worker and API on the test namespace, the
# test bucket, a task queue and port of their own, an embedded ClickHouse directory of its own and
# a clone of the test database; then settles what it started and runs the invariant check, if
# there is one. Bounded in time; the logs, reports and figures stay in .local/fuzz/.
#   bash scripts/fuzz.sh                                 # seed 1, 8 examples per operation, ~5 min
#   FUZZ_SEED=7 FUZZ_MAX_EXAMPLES=50 FUZZ_PHASES=examples,coverage,fuzzing,stateful FUZZ_ROLE_TIMEOUT_S=900 bash scripts/fuzz.sh
#   FUZZ_ROLES="viewer admin" bash scripts/fuzz.sh       # some roles only
# Needs the local services (bash scripts/services.sh up); never stops them.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

SCHEMATHESIS_VERSION=4.32.5
FUZZ_SEED="${FUZZ_SEED:-1}"
FUZZ_MAX_EXAMPLES="${FUZZ_MAX_EXAMPLES:-8}"
FUZZ_PHASES="${FUZZ_PHASES:-examples,fuzzing}"
# The coverage phase (each field's boundaries and wrong values, deterministic, the longest) runs
# as the role every route lets through, so its requests reach validation and the handlers.
FUZZ_COVERAGE_ROLE="${FUZZ_COVERAGE_ROLE:-admin}"
# A bound per role, not a target (a role takes 30 s to 2 min): a role cut short still reports
# what it ran, and a failure it found still fails the run.
FUZZ_ROLE_TIMEOUT_S="${FUZZ_ROLE_TIMEOUT_S:-150}"
FUZZ_PORT="${FUZZ_PORT:-3010}"
FUZZ_DIR="$LOCAL/fuzz"
read -r -a ROLES <<< "${FUZZ_ROLES:-viewer accountant approver admin}"

: "${TEST_DATABASE_URL:?TEST_DATABASE_URL is not set (.env)}"
: "${TEST_TEMPORAL_NAMESPACE:?TEST_TEMPORAL_NAMESPACE is not set (.env)}"
: "${TEST_S3_BUCKET:?TEST_S3_BUCKET is not set (.env)}"
mkdir -p "$FUZZ_DIR"

if [ "$(.local/venv/bin/schemathesis --version 2>/dev/null)" != "schemathesis, version $SCHEMATHESIS_VERSION" ]; then
  log "installing schemathesis $SCHEMATHESIS_VERSION into .local/venv"
  .local/venv/bin/pip install --quiet "schemathesis==$SCHEMATHESIS_VERSION" >&2
fi

# A clone of the test database, named like the test files' clones so that a run that was killed
# is cleaned up by the next test run (test-support/drop-stale-clones.ts).
FUZZ_DB="$(python3 -c 'import sys, urllib.parse; print(urllib.parse.urlparse(sys.argv[1]).path[1:])' "$TEST_DATABASE_URL")_clone_$$_fuzz"
worker="" api=""
stop() {
  local status=$?
  [ -z "$api" ] || kill -TERM "$api" 2>/dev/null || true
  [ -z "$worker" ] || kill -TERM "$worker" 2>/dev/null || true
  wait $api $worker 2>/dev/null || true
  npx tsx scripts/fuzz-database.ts drop "$FUZZ_DB" >/dev/null 2>&1 || log "database $FUZZ_DB not dropped: the next test run drops it"
  log "logs and reports in ${FUZZ_DIR#"$ROOT/"}/"
  exit "$status"
}
trap stop EXIT

log "database: a clone of the test database ($FUZZ_DB)"
FUZZ_DATABASE_URL="$(npx tsx scripts/fuzz-database.ts create "$FUZZ_DB")"

# The embedded engine locks its directory: the data is written before the worker opens it.
log "ClickHouse data (seed 42) in ${FUZZ_DIR#"$ROOT/"}/clickhouse"
npx tsx scripts/generate-data.ts --path "$FUZZ_DIR/clickhouse" --reset --seed 42 --months 2026-08..2026-10 --worklogs 2000 > "$FUZZ_DIR/data.json"

export DATABASE_URL="$FUZZ_DATABASE_URL"
export TEMPORAL_NAMESPACE="$TEST_TEMPORAL_NAMESPACE" S3_BUCKET="$TEST_S3_BUCKET"
export TEMPORAL_TASK_QUEUE=fuzz API_PORT="$FUZZ_PORT" CLICKHOUSE_PATH="$FUZZ_DIR/clickhouse" LOG_FORMAT=json
# Hypothesis (under schemathesis) keeps its example database with the other outputs, not in the checkout.
export HYPOTHESIS_STORAGE_DIRECTORY="$FUZZ_DIR/hypothesis"

log "starting the worker (log: .local/fuzz/worker.log) and the API on 127.0.0.1:$FUZZ_PORT (log: .local/fuzz/api.log)"
node --import tsx worker.ts > "$FUZZ_DIR/worker.log" 2>&1 &
worker=$!
node --import tsx api/server.ts > "$FUZZ_DIR/api.log" 2>&1 &
api=$!
wait_for 60 "the API" curl -fsS "http://127.0.0.1:$FUZZ_PORT/health"
wait_for 60 "the worker" grep -q '"worker started"' "$FUZZ_DIR/worker.log"

# Every check schemathesis has (scripts/fuzz.toml tunes two). A server error, a status, header or
# content type the document does not declare, or a body that does not match its schema fails the
# run. 15 s per answer: POST /invoices waits up to 10 s for the prefill by design.
failed=0
for role in "${ROLES[@]}"; do
  phases="$FUZZ_PHASES"
  if [ "$role" = "$FUZZ_COVERAGE_ROLE" ] && [[ "$phases" != *coverage* ]]; then phases="$phases,coverage"; fi
  log "schemathesis as dev-$role: seed $FUZZ_SEED, at most $FUZZ_MAX_EXAMPLES examples per operation, phases $phases"
  started=$(date +%s)
  set +e
  timeout --signal=INT "$FUZZ_ROLE_TIMEOUT_S" .local/venv/bin/schemathesis --config-file scripts/fuzz.toml run "http://127.0.0.1:$FUZZ_PORT/openapi.json" \
    --header "Authorization: Bearer dev-$role" \
    --checks all \
    --max-examples "$FUZZ_MAX_EXAMPLES" \
    --seed "$FUZZ_SEED" \
    --phases "$phases" \
    --max-response-time 15 \
    --workers 1 \
    --request-timeout 40 \
    --suppress-health-check all \
    --report ndjson --report-ndjson-path "$FUZZ_DIR/$role.ndjson" \
    --report junit --report-junit-path "$FUZZ_DIR/$role.junit.xml" \
    --no-color > "$FUZZ_DIR/$role.txt" 2>&1
  rc=$?
  set -e
  echo "$(( $(date +%s) - started ))" > "$FUZZ_DIR/$role.seconds"
  case "$rc" in
    0) ;;
    1) log "dev-$role: schemathesis found failures (see .local/fuzz/$role.txt)" ;;
    124) log "dev-$role: stopped at the ${FUZZ_ROLE_TIMEOUT_S} s bound; the figures are of what ran" ;;
    *) failed=1; log "dev-$role: schemathesis exited $rc (see .local/fuzz/$role.txt)" ;;
  esac
done

# The figures, and the verdict: any failed check of any role fails the run.
npx tsx scripts/fuzz-summary.ts "$FUZZ_DIR" "${ROLES[@]}" > "$FUZZ_DIR/summary.md" || failed=1
cat "$FUZZ_DIR/summary.md" >&2

# The fuzzer never confirms, so its invoices wait for a person: cancel them (and end its billing
# runs) so that the invariant check finds everything settled.
log "settling what the fuzzing started"
npx tsx scripts/fuzz-settle.ts 2> "$FUZZ_DIR/settle.log" || { failed=1; log "settling failed (see .local/fuzz/settle.log)"; }
tail -n 1 "$FUZZ_DIR/settle.log" >&2

if [ -f scripts/check-invariants.ts ]; then
  log "invariants after the fuzzing"
  npx tsx scripts/check-invariants.ts || { failed=1; log "an invariant is violated"; }
fi

# Anything still running on the fuzz task queue (a drift report, say) is ended: the test namespace
# is shared, and the next run starts from nothing.
log "terminating the workflows left running on task queue fuzz"
.local/venv/bin/temporal workflow terminate --address "$TEMPORAL_ADDRESS" --namespace "$TEST_TEMPORAL_NAMESPACE" \
  --query "TaskQueue = 'fuzz' AND ExecutionStatus = 'Running'" --reason "end of scripts/fuzz.sh" --yes >/dev/null 2>&1 || log "could not terminate them (see Temporal Web)"
# The worker made the nightly drift report's schedule at its start, pointed at this task queue.
.local/venv/bin/temporal schedule delete --address "$TEMPORAL_ADDRESS" --namespace "$TEST_TEMPORAL_NAMESPACE" \
  --schedule-id drift-report-nightly >/dev/null 2>&1 || true

[ "$failed" = 0 ] || die "fuzzing found failures: .local/fuzz/<role>.txt"
log "fuzzing passed"
