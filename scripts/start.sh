#!/usr/bin/env bash
# Runs the worker and the API in the foreground on the local services (started if needed), for
# exploring after the demo: the API at http://127.0.0.1:$API_PORT, Temporal Web at
# $TEMPORAL_UI_URL. Ctrl-C stops both gracefully; the services keep running.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"
ensure_node_modules
bash scripts/prisma-generate.sh
bash scripts/services.sh up
node --import tsx worker.ts &
worker=$!
node --import tsx api/server.ts &
api=$!
echo "$worker" > "$LOCAL/worker.pid"
echo "$api" > "$LOCAL/api.pid"
trap 'kill -TERM "$api" "$worker" 2>/dev/null; wait "$api" "$worker" 2>/dev/null' INT TERM EXIT
wait_for 60 "the API" curl -fsS "http://127.0.0.1:$API_PORT/health"
log "worker and API running: API http://127.0.0.1:$API_PORT (OpenAPI /openapi.json, tokens in .env API_TOKENS), Temporal Web $TEMPORAL_UI_URL; Ctrl-C stops them"
wait "$api" "$worker"
