# Gotenberg 8 (HTML -> PDF), Chromium-only build: compiled from the Go module proxy into
# .local/bin, run with Debian's Chromium, bound to 127.0.0.1, network fetches denied.

GOTENBERG_VERSION=8.36.0
PDFCPU_VERSION=0.15.0
GOTENBERG_DIR="$LOCAL/gotenberg"
GOTENBERG_BIN="$LOCAL/bin/gotenberg-chromium"
PDFCPU_BIN="$LOCAL/bin/pdfcpu"
GOTENBERG_PID="$GOTENBERG_DIR/server.pid"
GOTENBERG_LOG="$GOTENBERG_DIR/server.log"

gotenberg_port() { local p="${GOTENBERG_URL##*:}"; printf '%s' "${p%%/*}"; }

gotenberg_install() {
  local pkgs=()
  command -v chromium >/dev/null || pkgs+=(chromium)
  command -v qpdf >/dev/null || pkgs+=(qpdf)
  command -v exiftool >/dev/null || pkgs+=(libimage-exiftool-perl)
  command -v pdftk >/dev/null || pkgs+=(pdftk-java)
  command -v pdftotext >/dev/null || pkgs+=(poppler-utils)
  [ -d /usr/share/fonts/truetype/liberation ] || pkgs+=(fonts-liberation)
  [ -d /usr/share/fonts/truetype/dejavu ] || pkgs+=(fonts-dejavu)
  [ -d /usr/share/fonts/truetype/noto ] || pkgs+=(fonts-noto-core)
  # Emoji in descriptions and names print as themselves, not as empty boxes.
  [ -f /usr/share/fonts/truetype/noto/NotoColorEmoji.ttf ] || pkgs+=(fonts-noto-color-emoji)
  [ ${#pkgs[@]} -eq 0 ] || apt_install "${pkgs[@]}"
  command -v go >/dev/null || die "Go (>= 1.26.5) is needed to build Gotenberg"
  mkdir -p "$LOCAL/bin"
  if [ ! -x "$GOTENBERG_BIN" ] || ! "$GOTENBERG_BIN" --help 2>&1 | grep -q chromium; then
    log "gotenberg: building v$GOTENBERG_VERSION from the Go module proxy (2-3 minutes)"
    # A module of our own that requires Gotenberg: `go install pkg@version` would ask the proxy
    # for the module's version list, which it refuses for this module.
    local build="$LOCAL/gotenberg-build"
    mkdir -p "$build"
    printf 'module local/gotenberg-build\n\ngo 1.26.5\n\nrequire github.com/gotenberg/gotenberg/v8 v%s\n' "$GOTENBERG_VERSION" > "$build/go.mod"
    (cd "$build" && GOFLAGS=-mod=mod go build -o "$GOTENBERG_BIN" \
      -ldflags "-X github.com/gotenberg/gotenberg/v8/cmd.Version=$GOTENBERG_VERSION" \
      github.com/gotenberg/gotenberg/v8/cmd/gotenberg-chromium) >&2
  fi
  if [ ! -x "$PDFCPU_BIN" ]; then
    log "gotenberg: building pdfcpu v$PDFCPU_VERSION"
    GOBIN="$LOCAL/bin" go install "github.com/pdfcpu/pdfcpu/cmd/pdfcpu@v$PDFCPU_VERSION" >&2
  fi
}

gotenberg_healthy() { curl -fsS "${GOTENBERG_URL%/}/health" >/dev/null 2>&1; }
gotenberg_running() { [ -f "$GOTENBERG_PID" ] && kill -0 "$(cat "$GOTENBERG_PID")" 2>/dev/null; }

gotenberg_up() {
  gotenberg_install
  mkdir -p "$GOTENBERG_DIR"
  if gotenberg_running; then
    log "gotenberg: already running at $GOTENBERG_URL"
  else
    log "gotenberg: starting at $GOTENBERG_URL"
    local hyphen
    hyphen="$(cd "$LOCAL/gotenberg-build" 2>/dev/null && go list -m -f '{{.Dir}}' github.com/gotenberg/gotenberg/v8 2>/dev/null || true)/build/chromium-hyphen-data"
    [ -d "$hyphen" ] || hyphen="$(go env GOMODCACHE)/github.com/gotenberg/gotenberg/v8@v$GOTENBERG_VERSION/build/chromium-hyphen-data"
    # Gotenberg maps environment variables to its flags (API_PORT, LOG_LEVEL...): start it with
    # a clean environment so ours never leak in. Telemetry export is off (no collector here).
    # --chromium-restart-after 0: when Gotenberg restarts its Chromium (every 100 conversions by
    # default) it kills every process on the machine whose command line holds "chromium/chromium",
    # which includes the browser tests' Chromium (console/*.browser.test.ts) mid-run; in Docker it
    # only sees its own container, here it sees everything.
    env -i PATH="$PATH" HOME="$GOTENBERG_DIR" \
      CHROMIUM_BIN_PATH="$(command -v chromium)" QPDF_BIN_PATH="$(command -v qpdf)" \
      EXIFTOOL_BIN_PATH="$(command -v exiftool)" PDFTK_BIN_PATH="$(command -v pdftk)" \
      PDFCPU_BIN_PATH="$PDFCPU_BIN" CHROMIUM_HYPHEN_DATA_DIR_PATH="$hyphen" PDFENGINES_CONVERT_ENGINES= \
      OTEL_SDK_DISABLED=true OTEL_TRACES_EXPORTER=none OTEL_METRICS_EXPORTER=none OTEL_LOGS_EXPORTER=none \
      setsid nohup "$GOTENBERG_BIN" --api-bind-ip 127.0.0.1 --api-port "$(gotenberg_port)" \
        --api-timeout 30s --chromium-auto-start --chromium-max-concurrency 2 --chromium-restart-after 0 \
        --chromium-deny-list '^https?://.*' --chromium-deny-list '^ftp://.*' --chromium-disable-javascript \
        --log-level error >>"$GOTENBERG_LOG" 2>&1 < /dev/null &
    echo $! > "$GOTENBERG_PID"
  fi
  wait_for 60 gotenberg gotenberg_healthy
}

gotenberg_down() {
  if gotenberg_running; then
    log "gotenberg: stopping"
    local pid; pid=$(cat "$GOTENBERG_PID")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -9 "$pid" 2>/dev/null || true
  else
    log "gotenberg: not running"
  fi
  rm -f "$GOTENBERG_PID"
}

gotenberg_status() {
  if gotenberg_running && gotenberg_healthy; then echo "gotenberg  running  $GOTENBERG_URL"
  elif gotenberg_running; then echo "gotenberg  starting"
  else echo "gotenberg  stopped"; fi
}
