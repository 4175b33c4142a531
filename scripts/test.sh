#!/usr/bin/env bash
# The README's test command (and all .ci/run does): installs what is missing, starts the local
# services, then lint, type-check, the whole vitest suite against real services, the API fuzzing
# (scripts/fuzz.sh) and the short chaos subset (scripts/chaos.sh --quick). With arguments (vitest
# filters) only the vitest files they name run.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"
started=$(date +%s)
ensure_node_modules
bash scripts/prisma-generate.sh
bash scripts/services.sh up
bash scripts/services.sh status >&2
bash scripts/services/test-server.sh
log "lint"
npx eslint . --max-warnings=0
log "type-check"
npx tsc --noEmit
log "tests"
# Tests use the test database, namespace and bucket; everything else comes from .env.
results="$LOCAL/vitest-results.json"
rm -f "$results"
status=0
DATABASE_URL="$TEST_DATABASE_URL" DATABASE_OWNER_URL="$TEST_DATABASE_OWNER_URL" TEMPORAL_NAMESPACE="$TEST_TEMPORAL_NAMESPACE" S3_BUCKET="$TEST_S3_BUCKET" \
  npx vitest run --reporter=default --reporter=json --outputFile.json="$results" "$@" || status=$?
# The plain closing line CI reads, whatever the reporter printed above.
if [ -f "$results" ]; then
  node -e 'const r = require(process.argv[1]); console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests + r.numTodoTests} skipped`)' "$results"
fi
# Against real processes, after the suite (they take the services over): the API fuzzed from its
# OpenAPI document with every role's token, then the chaos suite's short subset (worker kill -9 at
# three activity boundaries, Temporal kill -9). The full drills: bash scripts/chaos.sh.
if [ "$status" = 0 ] && [ $# -eq 0 ]; then
  log "API fuzzing"
  bash scripts/fuzz.sh || status=$?
fi
if [ "$status" = 0 ] && [ $# -eq 0 ]; then
  log "chaos drills (short subset)"
  bash scripts/chaos.sh --quick || status=$?
fi
[ "$status" = 0 ] || exit "$status"
log "all green in $(( $(date +%s) - started ))s"
