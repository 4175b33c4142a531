# Shared helpers for the project's shell scripts. Source it; it sets ROOT and loads .env.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LOCAL="$ROOT/.local"
mkdir -p "$LOCAL"

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# Node 24 first on PATH, installed into .local/node when the machine's is older.
source "$ROOT/scripts/node.sh"

# .env is created from .env.example on first use; variables already set in the environment win.
load_env() {
  if [ ! -f "$ROOT/.env" ]; then
    # In production the settings come from the environment; the development defaults never do.
    if [ "${NODE_ENV:-}" = production ]; then return 0; fi
    cp "$ROOT/.env.example" "$ROOT/.env"; log "created .env from .env.example"
  fi
  upgrade_env_for_app_role "$ROOT/.env"
  local line key value
  while IFS= read -r line || [ -n "$line" ]; do
    case "$line" in ''|'#'*) continue ;; esac
    key="${line%%=*}"; value="${line#*=}"
    # "quoted" values, as dotenv files allow (and Node's loadEnvFile reads)
    if [[ "$value" =~ ^\"(.*)\"$ ]]; then value="${BASH_REMATCH[1]}"; fi
    [ -n "${!key+x}" ] || export "$key=$value"
  done < "$ROOT/.env"
  derive_owner_urls
}

# The app connects as a role that owns nothing (DATABASE_URL); the owner role only migrates
# (DATABASE_OWNER_URL). Without an owner URL (an environment from before the app role),
# DATABASE_URL is taken as the owner's: the app then runs as the owner (migrate warns).
derive_owner_urls() {
  if [ -z "${DATABASE_OWNER_URL:-}" ] && [ -n "${DATABASE_URL:-}" ]; then export DATABASE_OWNER_URL="$DATABASE_URL"; fi
  if [ -z "${TEST_DATABASE_OWNER_URL:-}" ] && [ -n "${TEST_DATABASE_URL:-}" ]; then export TEST_DATABASE_OWNER_URL="$TEST_DATABASE_URL"; fi
}

# A local .env from before the app role connects as the owner: its DATABASE_URL becomes
# DATABASE_OWNER_URL and DATABASE_URL connects as <owner>_app (same dev password), likewise for the
# test database; `services.sh up` creates the role. Only the local cluster's URLs are rewritten.
upgrade_env_for_app_role() {
  local file="$1"
  [ "${NODE_ENV:-}" != production ] || return 0
  grep -q '^DATABASE_OWNER_URL=' "$file" && return 0
  grep -q '^DATABASE_URL=postgresql://[^:@/]*:invoicing-local@' "$file" || return 0
  local line out=""
  while IFS= read -r line || [ -n "$line" ]; do
    if [[ "$line" =~ ^(TEST_)?DATABASE_URL=(postgresql://)([^:@/]+)(:invoicing-local@.*)$ ]]; then
      out+="${BASH_REMATCH[1]}DATABASE_OWNER_URL=${BASH_REMATCH[2]}${BASH_REMATCH[3]}${BASH_REMATCH[4]}"$'\n'
      line="${BASH_REMATCH[1]}DATABASE_URL=${BASH_REMATCH[2]}${BASH_REMATCH[3]}_app${BASH_REMATCH[4]}"
    fi
    out+="$line"$'\n'
  done < "$file"
  printf '%s' "$out" > "$file"
  log "upgraded .env: the app connects as its own role (DATABASE_URL), migrations as the owner (DATABASE_OWNER_URL)"
}

# Waits until a command succeeds, printing a dot a second; fails after $1 seconds.
wait_for() {
  local seconds="$1" what="$2"; shift 2
  local i
  for ((i = 0; i < seconds; i++)); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 1
  done
  die "$what did not come up within ${seconds}s"
}

is_root() { [ "$(id -u)" = 0 ]; }

apt_install() {
  is_root || die "missing Debian packages ($*): install them with apt-get as root"
  log "apt-get install $*"
  if [ ! -f "$LOCAL/.apt-updated" ]; then apt-get update -qq >&2 && touch "$LOCAL/.apt-updated"; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >&2
}

# Installs node_modules from the lock file when they are missing or older than the lock.
# A change of Node major needs no reinstall: the native addons (chdb, Temporal's core-bridge,
# swc, rolldown, lightningcss) are all N-API, and no install script builds against Node's ABI.
ensure_node_modules() {
  if [ ! -d "$ROOT/node_modules" ] || [ "$ROOT/package-lock.json" -nt "$ROOT/node_modules/.package-lock.json" ]; then
    log "npm install from the lock file (first run downloads ~700 MB, mostly the embedded ClickHouse engine)"
    # Not `npm ci`: it insists on chdb's optional engines for other platforms (macOS, arm64),
    # which the registry reachable here does not serve. --no-save keeps the lock file as it is.
    (cd "$ROOT" && npm install --no-save --no-audit --no-fund --loglevel=error >&2)
  fi
}

load_env
