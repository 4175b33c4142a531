#!/usr/bin/env bash
# Generates the Prisma client into generated/prisma, offline. The CLI insists on locating its
# schema engine even though `generate` does not use it; any existing file satisfies it.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
ensure_node_modules
cd "$ROOT"
if [ ! -f generated/prisma/client.ts ] || [ prisma/schema.prisma -nt generated/prisma/client.ts ]; then
  log "prisma generate"
  PRISMA_SCHEMA_ENGINE_BINARY="${PRISMA_SCHEMA_ENGINE_BINARY:-/bin/true}" npx prisma generate >/dev/null
fi
