# Shared helpers for the project's shell scripts. Source it; it sets ROOT and loads .env.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LOCAL="$ROOT/.local"
mkdir -p "$LOCAL"

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# .env is created from .env.example on first use; variables already set in the environment win.
load_env() {
  if [ ! -f "$ROOT/.env" ]; then
    # In production the settings come from the environment; the development defaults never do.
    if [ "${NODE_ENV:-}" = production ]; then return 0; fi
    cp "$ROOT/.env.example" "$ROOT/.env"; log "created .env from .env.example"
  fi
  local line key value
  while IFS= read -r line || [ -n "$line" ]; do
    case "$line" in ''|'#'*) continue ;; esac
    key="${line%%=*}"; value="${line#*=}"
    # "quoted" values, as dotenv files allow (and Node's loadEnvFile reads)
    if [[ "$value" =~ ^\"(.*)\"$ ]]; then value="${BASH_REMATCH[1]}"; fi
    [ -n "${!key+x}" ] || export "$key=$value"
  done < "$ROOT/.env"
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
ensure_node_modules() {
  if [ ! -d "$ROOT/node_modules" ] || [ "$ROOT/package-lock.json" -nt "$ROOT/node_modules/.package-lock.json" ]; then
    log "npm install from the lock file (first run downloads ~700 MB, mostly the embedded ClickHouse engine)"
    # Not `npm ci`: it insists on chdb's optional engines for other platforms (macOS, arm64),
    # which the registry reachable here does not serve. --no-save keeps the lock file as it is.
    (cd "$ROOT" && npm install --no-save --no-audit --no-fund --loglevel=error >&2)
  fi
}

load_env
