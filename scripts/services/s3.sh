# S3 API standing in for Cloudflare R2: moto_server (PyPI moto[server]) in the project venv,
# bound to 127.0.0.1 on the port of S3_ENDPOINT. In memory: every object and bucket is lost when
# it stops (fine for development and tests); `up` creates the bucket S3_BUCKET again each time.

MOTO_VERSION=5.2.5
S3_DIR="$LOCAL/s3"
S3_PID="$S3_DIR/server.pid"
S3_LOG="$S3_DIR/server.log"
# The same venv as the Temporal CLI (scripts/services/temporal.sh).
VENV="${VENV:-$LOCAL/venv}"

s3_url() { printf '%s' "${S3_ENDPOINT%/}"; }
s3_port() { local p="${S3_ENDPOINT##*:}"; printf '%s' "${p%%/*}"; }

s3_install() {
  local have
  have=$("$VENV/bin/python" -c 'import importlib.metadata as m; print(m.version("moto"))' 2>/dev/null || true)
  if [ "$have" = "$MOTO_VERSION" ] && [ -x "$VENV/bin/moto_server" ]; then return; fi
  log "s3: installing moto[server]==$MOTO_VERSION into .local/venv (about 2 minutes)"
  command -v python3 >/dev/null || apt_install python3 python3-venv
  [ -x "$VENV/bin/pip" ] || python3 -m venv "$VENV" >&2 || { apt_install python3-venv; python3 -m venv "$VENV" >&2; }
  "$VENV/bin/pip" install -q --disable-pip-version-check "moto[server]==$MOTO_VERSION" >&2
}

# moto answers an unsigned ListBuckets; any HTTP answer at all means it is serving.
s3_healthy() { curl -sS -o /dev/null --max-time 2 "$(s3_url)/" 2>/dev/null; }
s3_running() { [ -f "$S3_PID" ] && kill -0 "$(cat "$S3_PID")" 2>/dev/null; }

# moto does not check signatures, so plain curl can create the bucket. HEAD first: idempotent.
# The app's bucket and the tests' own (their invoice numbers come from another database, so
# they would collide with the app's keys in one bucket).
s3_create_bucket() {
  local code bucket
  for bucket in "$S3_BUCKET" ${TEST_S3_BUCKET:+"$TEST_S3_BUCKET"}; do
    code=$(curl -sS -o /dev/null -w '%{http_code}' --max-time 5 -I "$(s3_url)/$bucket")
    if [ "$code" = 200 ]; then continue; fi
    code=$(curl -sS -o /dev/null -w '%{http_code}' --max-time 5 -X PUT "$(s3_url)/$bucket")
    [ "$code" = 200 ] || die "s3: creating bucket $bucket answered HTTP $code"
    log "s3: created bucket $bucket"
  done
}

s3_up() {
  s3_install
  mkdir -p "$S3_DIR"
  if s3_running; then
    log "s3: already running at $(s3_url)"
  else
    log "s3: starting moto_server at $(s3_url) (in memory)"
    setsid nohup "$VENV/bin/moto_server" -H 127.0.0.1 -p "$(s3_port)" >>"$S3_LOG" 2>&1 < /dev/null &
    echo $! > "$S3_PID"
  fi
  wait_for 30 s3 s3_healthy
  s3_create_bucket
}

s3_down() {
  if s3_running; then
    log "s3: stopping (its objects are gone)"
    local pid; pid=$(cat "$S3_PID")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -9 "$pid" 2>/dev/null || true
  else
    log "s3: not running"
  fi
  rm -f "$S3_PID"
}

s3_status() {
  if s3_running && s3_healthy; then echo "s3  running  $(s3_url)  bucket $S3_BUCKET  moto $MOTO_VERSION, in memory"
  elif s3_running; then echo "s3  starting"
  else echo "s3  stopped"; fi
}
