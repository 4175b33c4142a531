#!/usr/bin/env bash
# Applies prisma/migrations to the app database and the test database (offline, idempotent).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
ensure_node_modules
cd "$ROOT"
for url in "$DATABASE_URL" "${TEST_DATABASE_URL:-}"; do
  [ -n "$url" ] || continue
  DATABASE_URL="$url" npx tsx prisma/migrate.ts
done
