#!/usr/bin/env bash
# The chaos suite (docs/reliability.md): real processes as in production (worker, API, Temporal,
# PostgreSQL, Gotenberg, S3, SMTP, the PlanFact and Didox fakes), many invoices driven through the
# API as finance would (scripts/chaos/drive.ts), faults injected, then the invariants checked
# (scripts/check-invariants.ts): every invoice settled, each effect once, gapless numbers, no
# duplicate events, a consistent ledger. Loopback only; bounded in time.
#
#   bash scripts/chaos.sh [--quick] [drill...]
#   drills: worker-kills planfact-outage planfact-429-storm didox-503 temporal-kill postgres-stop gotenberg-stop smtp-refusing
#   --quick: worker kills at three boundaries and one Temporal kill -9 (scripts/test.sh, ~4 min)
#
# It has its own database (invoicing_chaos, made afresh), Temporal namespace (invoicing-chaos,
# made afresh), task queue, S3 bucket, API port (3100), ClickHouse directories and fakes (ports
# 3102/3103). But it TAKES OVER THE SHARED LOCAL SERVICES while it runs: temporal-kill kills the
# Temporal server with kill -9, postgres-stop, gotenberg-stop and smtp-refusing stop PostgreSQL,
# Gotenberg and Mailpit for a minute each (anyone else's tests fail meanwhile); each is started
# again through scripts/services.sh. Figures: .local/chaos/results.jsonl; logs: .local/chaos/.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
for f in "$ROOT"/scripts/services/*.sh; do source "$f"; done
source "$ROOT/scripts/chaos/stack.sh"
cd "$ROOT"

ALL_DRILLS=(worker-kills planfact-outage planfact-429-storm didox-503 temporal-kill postgres-stop gotenberg-stop smtp-refusing)
quick=0
drills=()
for arg in "$@"; do
  case "$arg" in
    --quick) quick=1 ;;
    -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
    *) [[ " ${ALL_DRILLS[*]} " == *" $arg "* ]] || die "unknown drill '$arg' (known: ${ALL_DRILLS[*]})"; drills+=("$arg") ;;
  esac
done
if [ ${#drills[@]} -eq 0 ]; then
  if [ "$quick" = 1 ]; then drills=(worker-kills temporal-kill); else drills=("${ALL_DRILLS[@]}"); fi
fi
MODE=full; [ "$quick" = 1 ] && MODE=quick
# Two worker processes split by concern (workers/concerns.ts), as a deployment would run them:
# the first serves everything (it alone serves PlanFact, one write at a time, and reads
# ClickHouse), the second the workflows and the PDFs, with no ClickHouse opened at all.
CHAOS_WORKER_CONCERNS=(all workflows,documents)
CHAOS_WORKERS=${#CHAOS_WORKER_CONCERNS[@]}
RUN_ID="$(date -u +%Y%m%dT%H%M%SZ)-$MODE"
# The invoice flow's boundaries; the credit note's are killed too, while it has kills left.
KILL_ACTIVITIES=(finalizeInvoice renderInvoicePdf syncPlanFact uploadPdfToR2 createDidoxDraft sendInvoiceEmail bookCreditNoteInPlanFact uploadCreditNotePdfToR2 sendCreditNoteEmail)
REQUIRED_KILLS="${CHAOS_REQUIRED_KILLS:-20}"
# Stand-in for PlanFact's ten-minute outage: the retry back-off is capped at a minute, so after
# two minutes every step retries once a minute whatever the outage's length (docs/reliability.md).
PLANFACT_OUTAGE_SECONDS="${PLANFACT_OUTAGE_SECONDS:-180}"
SERVICE_STOP_SECONDS="${SERVICE_STOP_SECONDS:-60}"
STORM_SECONDS="${STORM_SECONDS:-60}"

cleanup() {
  chaos_stop_processes
  chaos_signal TERM "$CHAOS_DIR/fakes.pid"
  # A drill interrupted mid-fault must not leave a shared service down.
  bash scripts/services.sh up >/dev/null 2>&1 || log "WARNING: bash scripts/services.sh up failed; check the shared services"
}

started_all=$(date +%s)
ensure_node_modules
bash scripts/prisma-generate.sh
bash scripts/services.sh up
chaos_stop_processes # a worker left by an interrupted run would hold the ClickHouse directory
chaos_signal TERM "$CHAOS_DIR/fakes.pid"
rm -f "$CHAOS_DIR"/*.pid "$CHAOS_DIR/kill-boundaries" "$CHAOS_DIR/kills-per-boundary"
chaos_create_database
chaos_create_namespace
chaos_create_bucket
chaos_generate_data
chaos_start_fakes
trap cleanup EXIT
chaos_start_processes
log "chaos run $RUN_ID: drills ${drills[*]} ($CHAOS_WORKERS worker(s), API on 127.0.0.1:$CHAOS_API_PORT)"

# ---- helpers of the drills ----

# Starts the finance driver in the background: drive <email> <didox> <credit notes> <timeout s>
drive() {
  rm -f "$CHAOS_DIR/progress.json"
  env "${CHAOS_ENV[@]}" node --import tsx scripts/chaos/drive.ts --email "$1" --didox "$2" --credit-notes "$3" --timeout "$4" \
    --out "$DRIVE_OUT" --progress "$CHAOS_DIR/progress.json" --kill-log "$CHAOS_DIR/kills.jsonl" &
  DRIVER=$!
}

# The driver's exit status: not 0 when an invoice did not settle within its time bound.
wait_driver() { DRIVER_STATUS=0; wait "$DRIVER" || DRIVER_STATUS=$?; }

progress() { node -e 'try { console.log(require(process.argv[1])[process.argv[2]] ?? 0) } catch { console.log(0) }' "$CHAOS_DIR/progress.json" "$1"; }

# Waits until the driver reports <field> >= <n> (or it ended): the moment to inject the fault.
wait_progress() {
  local field="$1" n="$2" i
  for ((i = 0; i < 600; i++)); do
    kill -0 "$DRIVER" 2>/dev/null || return 0
    [ "$(progress "$field")" -ge "$n" ] && return 0
    sleep 1
  done
}

requests_sum() { chaos_fake "$1" /__control/state | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const st=JSON.parse(s).state;console.log(process.argv[1]==="rateLimited"?st.rateLimited:Object.values(st.requests).reduce((a,b)=>a+b,0))})' "${2:-requests}"; }

# ---- the drills: each sets FAULTS, FAULT_END (epoch s) and optionally NOTE ----

drill_worker_kills() {
  : > "$CHAOS_DIR/kills.jsonl"
  local activities=("${KILL_ACTIVITIES[@]}") email="${CHAOS_KILL_EMAIL:-26}" didox="${CHAOS_KILL_DIDOX:-24}" credits=4 timeout=2700 per="${CHAOS_KILLS_PER_BOUNDARY:-$REQUIRED_KILLS}"
  if [ "$quick" = 1 ]; then activities=(syncPlanFact createDidoxDraft sendInvoiceEmail); email=2; didox=1; credits=1; timeout=240; per=1; fi
  chaos_set_kills "$per" "${activities[@]}"
  drive "$email" "$didox" "$credits" "$timeout"
  wait_driver
  chaos_set_kills
  FAULTS=$(wc -l < "$CHAOS_DIR/kills.jsonl")
  FAULT_END=$(node -e 'const l=require("fs").readFileSync(process.argv[1],"utf8").trim().split("\n").filter(Boolean);console.log(l.length?Math.round(Date.parse(JSON.parse(l.at(-1)).at)/1000):Math.round(Date.now()/1000))' "$CHAOS_DIR/kills.jsonl")
  log "kills per boundary:"
  node -e 'const c={};for(const l of require("fs").readFileSync(process.argv[1],"utf8").split("\n").filter(Boolean)){const b=JSON.parse(l).boundary;c[b]=(c[b]??0)+1};for(const [b,n] of Object.entries(c).sort())console.log(`  ${b.padEnd(34)} ${n}`)' "$CHAOS_DIR/kills.jsonl" >&2
  if [ "$quick" = 0 ]; then
    local short
    short=$(node -e 'const want=process.argv[2].split(",");const c={};for(const l of require("fs").readFileSync(process.argv[1],"utf8").split("\n").filter(Boolean)){const b=JSON.parse(l).boundary;c[b]=(c[b]??0)+1};console.log(want.flatMap(a=>["before","after"].map(w=>`${a}:${w}`)).filter(b=>(c[b]??0)<Number(process.argv[3])).join(" "))' "$CHAOS_DIR/kills.jsonl" finalizeInvoice,renderInvoicePdf,syncPlanFact,uploadPdfToR2,createDidoxDraft,sendInvoiceEmail "$REQUIRED_KILLS")
    if [ -z "$short" ]; then NOTE="every invoice boundary killed >= $REQUIRED_KILLS times"; else NOTE="boundaries killed < $REQUIRED_KILLS times: $short"; fi
  fi
}

# The disruptive drills strike while the invoices are being confirmed, approved and dispatched
# (a fault-free invoice goes from approval to delivery in seconds: a later fault would miss it).
drill_temporal_kill() {
  if [ "$quick" = 1 ]; then drive 1 1 0 240; else drive 4 2 0 600; fi
  wait_progress invoices "$(( quick == 1 ? 2 : 6 ))"
  log "kill -9 of the Temporal server (pid $(cat "$TEMPORAL_PID"))"
  kill -9 "$(cat "$TEMPORAL_PID")"
  sleep 5
  bash scripts/services.sh up temporal
  FAULTS=1; FAULT_END=$(date +%s)
  wait_driver
}

# A shared service down for SERVICE_STOP_SECONDS from before the invoices start (the driver
# starts them meanwhile; what needs the service waits), then up again.
stop_service_drill() { # <svc> <email> <didox> <credit notes>
  local svc="$1"
  log "stopping $svc for ${SERVICE_STOP_SECONDS}s"
  bash scripts/services.sh down "$svc"
  drive "$2" "$3" "$4" 600
  sleep "$SERVICE_STOP_SECONDS"
  bash scripts/services.sh up "$svc"
  FAULTS=1; FAULT_END=$(date +%s)
  wait_driver
}

drill_postgres_stop() { stop_service_drill postgres 4 2 0; }
drill_gotenberg_stop() { stop_service_drill gotenberg 4 2 0; }
drill_smtp_refusing() { stop_service_drill smtp 5 0 1; }

# One fault of a fake: its behaviour changed for `seconds`, then back; FAULTS = the calls it
# answered meanwhile (requests_sum of the fake, its `counter` or every request).
fake_fault() {
  local fake="$1" counter="$2" on="$3" off="$4" seconds="$5"
  local before; before=$(requests_sum "$fake" "$counter")
  chaos_fake "$fake" /__control/behavior "$on" >/dev/null
  sleep "$seconds"
  chaos_fake "$fake" /__control/behavior "$off" >/dev/null
  FAULTS=$(( $(requests_sum "$fake" "$counter") - before )); FAULT_END=$(date +%s)
}

drill_planfact_outage() {
  drive 4 2 1 900
  wait_progress approved 1
  log "PlanFact fake: outage (503) for ${PLANFACT_OUTAGE_SECONDS}s"
  fake_fault planfact '' '{"outage":true}' '{"outage":false}' "$PLANFACT_OUTAGE_SECONDS"
  NOTE="outage ${PLANFACT_OUTAGE_SECONDS}s; faults = PlanFact calls answered 503"
  wait_driver
}

# Every PlanFact call answers 429 for STORM_SECONDS (a count of 429s would last as long as the
# back-off makes it: the client's 3 tries 2-5 s apart, then the activity's retry up to a minute).
drill_planfact_429_storm() {
  drive 4 2 0 600
  wait_progress approved 1
  log "PlanFact fake: every call answers 429 for ${STORM_SECONDS}s"
  fake_fault planfact rateLimited '{"rateLimitNextRequests":1000000}' '{"rateLimitNextRequests":0}' "$STORM_SECONDS"
  NOTE="every call 429 for ${STORM_SECONDS}s; faults = 429 answers"
  wait_driver
}

drill_didox_503() {
  drive 0 5 0 600
  wait_progress approved 1
  log "Didox fake: 503 (tax service down) for 90s"
  fake_fault didox '' '{"outage":true}' '{"outage":false}' 90
  NOTE="outage 90s; faults = Didox calls answered 503"
  wait_driver
}

# ---- run them ----

status=0
for drill in "${drills[@]}"; do
  log "=== drill $drill ($MODE)"
  DRIVE_OUT="$CHAOS_DIR/$drill.json"
  INVARIANTS_OUT="$CHAOS_DIR/$drill-invariants.json"
  rm -f "$DRIVE_OUT" "$INVARIANTS_OUT"
  FAULTS=0; FAULT_END=; NOTE=
  drill_started=$(date +%s)
  "drill_${drill//-/_}"
  [ -f "$DRIVE_OUT" ] || { log "the driver wrote no summary"; status=1; continue; }
  [ "$DRIVER_STATUS" = 0 ] || { log "the driver ended with status $DRIVER_STATUS"; status=1; }
  log "invariants after $drill"
  chaos_exec npx tsx scripts/check-invariants.ts --ids-file "$DRIVE_OUT" --json "$INVARIANTS_OUT" 2>/dev/null || status=1
  npx tsx scripts/chaos/record-results.ts --run "$RUN_ID" --drill "$drill" --mode "$MODE" --drive "$DRIVE_OUT" --invariants "$INVARIANTS_OUT" \
    --faults "$FAULTS" --fault-end "$FAULT_END" --started "$drill_started" --note "$NOTE" --results "$CHAOS_DIR/results.jsonl"
done

log "chaos run $RUN_ID done in $(( $(date +%s) - started_all ))s"
npx tsx scripts/chaos/record-results.ts --table --run "$RUN_ID" --results "$CHAOS_DIR/results.jsonl"
exit "$status"
