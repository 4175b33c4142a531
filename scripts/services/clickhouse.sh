# ClickHouse: the embedded engine (npm chdb) runs inside the processes that use it, so there is
# nothing to start; with CLICKHOUSE_URL set the code talks HTTP to that server instead.

clickhouse_up() {
  if [ -n "${CLICKHOUSE_URL:-}" ]; then
    log "clickhouse: using the server at $CLICKHOUSE_URL"
    curl -fsS "${CLICKHOUSE_URL%/}/ping" >/dev/null || die "clickhouse at $CLICKHOUSE_URL does not answer /ping"
  else
    [ -d "$ROOT/node_modules/@chdb" ] || die "the embedded ClickHouse engine is missing: run npm ci"
    mkdir -p "$ROOT/${CLICKHOUSE_PATH#./}"
  fi
}
clickhouse_down() { :; }
clickhouse_status() {
  if [ -n "${CLICKHOUSE_URL:-}" ]; then echo "clickhouse  server  $CLICKHOUSE_URL"
  else echo "clickhouse  embedded (chdb)  data $CLICKHOUSE_PATH"; fi
}
