#!/usr/bin/env bash
# Writes a new migration from the change to prisma/schema.prisma since a git revision, with
# Prisma's own diff, offline: Prisma 6.19's CLI runs its schema engine as WebAssembly when
# configured with engine 'js' (Prisma 7's CLI wants to download a native engine).
#   bash scripts/new-migration.sh <name> [base-revision, default HEAD]
# Review the SQL, add what Prisma cannot express by hand, then `npm run migrate`.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
name="${1:?usage: new-migration.sh <name> [base-revision]}"; base="${2:-HEAD}"
tool="$LOCAL/prisma6"
if [ ! -x "$tool/node_modules/.bin/prisma" ]; then
  log "installing prisma@6.19 (diff tool only) into .local/prisma6"
  mkdir -p "$tool" && (cd "$tool" && npm init -y >/dev/null && npm install --no-audit --no-fund --loglevel=error prisma@6.19 @prisma/adapter-pg@6.19 pg >&2)
fi
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
# Prisma 6 wants a url in the datasource block; 7 wants it in prisma.config.ts.
add_url() { sed 's/provider = "postgresql"/provider = "postgresql"\n  url      = env("DATABASE_URL")/'; }
git -C "$ROOT" show "$base:prisma/schema.prisma" 2>/dev/null | add_url > "$work/old.prisma" || true
add_url < "$ROOT/prisma/schema.prisma" > "$work/new.prisma"
cat > "$tool/prisma.config.ts" <<CFG
import { defineConfig } from 'prisma/config'
import { PrismaPg } from '@prisma/adapter-pg'
export default defineConfig({
  experimental: { adapter: true },
  engine: 'js',
  schema: '$work/new.prisma',
  adapter: async () => new PrismaPg({ connectionString: process.env.DATABASE_URL }),
})
CFG
from=(--from-empty); [ -s "$work/old.prisma" ] && from=(--from-schema-datamodel "$work/old.prisma")
dir="$ROOT/prisma/migrations/$(date -u +%Y%m%d%H%M%S)_${name}"
mkdir -p "$dir"
(cd "$tool" && PRISMA_QUERY_ENGINE_LIBRARY=/bin/true npx prisma migrate diff "${from[@]}" --to-schema-datamodel "$work/new.prisma" --script) > "$dir/migration.sql"
log "wrote ${dir#$ROOT/}/migration.sql"
