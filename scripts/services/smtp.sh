# SMTP server that keeps what it receives: Mailpit, compiled from the Go module proxy into
# .local/bin. SMTP on SMTP_HOST:SMTP_PORT, its REST API (how tests read what arrived) on
# MAILPIT_URL, messages in a SQLite file under .local/mailpit. Its web UI may be blank when
# built this way (the UI assets are not in the Go module); the API works.

MAILPIT_VERSION=1.27.11
MAILPIT_DIR="$LOCAL/mailpit"
MAILPIT_BIN="$LOCAL/bin/mailpit"
MAILPIT_PID="$MAILPIT_DIR/server.pid"
MAILPIT_LOG="$MAILPIT_DIR/server.log"
MAILPIT_URL="${MAILPIT_URL:-http://127.0.0.1:8025}"

mailpit_http_port() { local p="${MAILPIT_URL##*:}"; printf '%s' "${p%%/*}"; }

smtp_install() {
  if [ -x "$MAILPIT_BIN" ] && "$MAILPIT_BIN" version --no-release-check 2>/dev/null | grep -q "v$MAILPIT_VERSION"; then return; fi
  command -v go >/dev/null || die "Go is needed to build Mailpit"
  mkdir -p "$LOCAL/bin"
  log "smtp: building Mailpit v$MAILPIT_VERSION from the Go module proxy (about 2 minutes)"
  local ldflags="-X github.com/axllent/mailpit/config.Version=v$MAILPIT_VERSION"
  if ! GOBIN="$LOCAL/bin" go install -ldflags "$ldflags" "github.com/axllent/mailpit@v$MAILPIT_VERSION" >&2; then
    # As for Gotenberg: when the proxy refuses the module's version list, a module of our own
    # that requires the exact version still resolves it.
    log "smtp: go install failed; building through a local go.mod"
    local build="$LOCAL/mailpit-build"
    mkdir -p "$build"
    printf 'module local/mailpit-build\n\ngo 1.24.3\n\nrequire github.com/axllent/mailpit v%s\n' "$MAILPIT_VERSION" > "$build/go.mod"
    (cd "$build" && GOFLAGS=-mod=mod go build -o "$MAILPIT_BIN" -ldflags "$ldflags" github.com/axllent/mailpit) >&2
  fi
}

smtp_healthy() { curl -fsS --max-time 2 "${MAILPIT_URL%/}/readyz" >/dev/null 2>&1; }
smtp_running() { [ -f "$MAILPIT_PID" ] && kill -0 "$(cat "$MAILPIT_PID")" 2>/dev/null; }

smtp_up() {
  smtp_install
  mkdir -p "$MAILPIT_DIR"
  if smtp_running; then
    log "smtp: already running, SMTP $SMTP_HOST:$SMTP_PORT, API $MAILPIT_URL"
  else
    log "smtp: starting Mailpit, SMTP $SMTP_HOST:$SMTP_PORT, API $MAILPIT_URL"
    # Mailpit maps MP_* variables to its flags: a clean environment keeps ours out. No update
    # check (offline), no reverse DNS of the client, room for a few thousand test messages.
    env -i PATH="$PATH" HOME="$MAILPIT_DIR" \
      setsid nohup "$MAILPIT_BIN" --smtp "127.0.0.1:$SMTP_PORT" --listen "127.0.0.1:$(mailpit_http_port)" \
        --database "$MAILPIT_DIR/mailpit.db" --max 5000 --smtp-disable-rdns --disable-version-check \
        --smtp-auth-accept-any --smtp-auth-allow-insecure --quiet >>"$MAILPIT_LOG" 2>&1 < /dev/null &
    echo $! > "$MAILPIT_PID"
  fi
  wait_for 30 smtp smtp_healthy
}

smtp_down() {
  if smtp_running; then
    log "smtp: stopping"
    local pid; pid=$(cat "$MAILPIT_PID")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -9 "$pid" 2>/dev/null || true
  else
    log "smtp: not running"
  fi
  rm -f "$MAILPIT_PID"
}

smtp_status() {
  if smtp_running && smtp_healthy; then echo "smtp  running  smtp://127.0.0.1:$SMTP_PORT  api $MAILPIT_URL  data .local/mailpit/mailpit.db  mailpit v$MAILPIT_VERSION"
  elif smtp_running; then echo "smtp  starting"
  else echo "smtp  stopped"; fi
}
