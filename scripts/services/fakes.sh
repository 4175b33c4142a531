# Fakes of the SaaS we cannot run here, PlanFact and Didox.uz (fakes/), following the documented
# APIs, errors included. One node process serves both, on the ports of PLANFACT_URL and DIDOX_URL.

FAKES_DIR="$LOCAL/fakes"
FAKES_PID="$FAKES_DIR/server.pid"
FAKES_LOG="$FAKES_DIR/server.log"

fakes_healthy() {
  curl -fsS "${PLANFACT_URL%/}/__control/state" >/dev/null 2>&1 && curl -fsS "${DIDOX_URL%/}/__control/state" >/dev/null 2>&1
}
fakes_running() { [ -f "$FAKES_PID" ] && kill -0 "$(cat "$FAKES_PID")" 2>/dev/null; }

fakes_up() {
  mkdir -p "$FAKES_DIR"
  if fakes_running; then
    log "fakes: already running (PlanFact $PLANFACT_URL, Didox $DIDOX_URL)"
  else
    log "fakes: starting PlanFact at $PLANFACT_URL and Didox at $DIDOX_URL"
    # node itself (not npx) holds the pid, so SIGTERM reaches the process that must stop.
    cd "$ROOT"
    setsid nohup node --import tsx scripts/run-fakes.ts >>"$FAKES_LOG" 2>&1 < /dev/null &
    echo $! > "$FAKES_PID"
  fi
  wait_for 60 fakes fakes_healthy
}

fakes_down() {
  if fakes_running; then
    log "fakes: stopping"
    local pid; pid=$(cat "$FAKES_PID")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -9 "$pid" 2>/dev/null || true
  else
    log "fakes: not running"
  fi
  rm -f "$FAKES_PID"
}

fakes_status() {
  if fakes_running && fakes_healthy; then echo "fakes  running  PlanFact $PLANFACT_URL  Didox $DIDOX_URL"
  else echo "fakes  stopped"; fi
}
