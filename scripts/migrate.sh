#!/usr/bin/env bash
# Applies prisma/migrations to the app database and the test database (offline, idempotent), as
# the owner role (DATABASE_OWNER_URL, TEST_DATABASE_OWNER_URL), and grants the app's role (the
# user of DATABASE_URL, TEST_DATABASE_URL) its reads and writes (prisma/migrate.ts).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
ensure_node_modules
cd "$ROOT"
DATABASE_OWNER_URL="$DATABASE_OWNER_URL" DATABASE_URL="$DATABASE_URL" npx tsx prisma/migrate.ts
if [ -n "${TEST_DATABASE_URL:-}" ]; then
  DATABASE_OWNER_URL="$TEST_DATABASE_OWNER_URL" DATABASE_URL="$TEST_DATABASE_URL" npx tsx prisma/migrate.ts
fi
