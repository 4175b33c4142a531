#!/usr/bin/env bash
# The README's test command (and all .ci/run does): installs what is missing, starts the local
# services, then lint, type-check and the whole vitest suite against real services.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"
started=$(date +%s)
ensure_node_modules
bash scripts/prisma-generate.sh
bash scripts/services.sh up
bash scripts/services.sh status >&2
log "lint"
npx eslint . --max-warnings=0
log "type-check"
npx tsc --noEmit
log "tests"
# Tests use the test database and the test namespace; everything else comes from .env.
DATABASE_URL="$TEST_DATABASE_URL" TEMPORAL_NAMESPACE="$TEST_TEMPORAL_NAMESPACE" npx vitest run "$@"
log "all green in $(( $(date +%s) - started ))s"
