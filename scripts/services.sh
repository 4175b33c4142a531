#!/usr/bin/env bash
# Installs (from the package registries) and runs the services the project needs, on
# 127.0.0.1, with data under .local/. Idempotent: `up` twice is the same as once.
#   bash scripts/services.sh up|down|status|restart [postgres|temporal|clickhouse|gotenberg|s3|smtp ...]
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
for f in "$ROOT"/scripts/services/*.sh; do source "$f"; done

ALL=(postgres temporal clickhouse gotenberg s3 smtp fakes)
action="${1:-status}"; shift || true
services=("$@"); [ ${#services[@]} -gt 0 ] || services=("${ALL[@]}")

for s in "${services[@]}"; do
  [[ " ${ALL[*]} " == *" $s "* ]] || die "unknown service '$s' (known: ${ALL[*]})"
done

case "$action" in
  up)
    for s in "${services[@]}"; do "${s}_up"; done
    if [[ " ${services[*]} " == *" postgres "* ]]; then bash "$ROOT/scripts/migrate.sh"; fi
    ;;
  down)
    for ((i = ${#services[@]} - 1; i >= 0; i--)); do "${services[$i]}_down"; done ;;
  restart)
    for ((i = ${#services[@]} - 1; i >= 0; i--)); do "${services[$i]}_down"; done
    for s in "${services[@]}"; do "${s}_up"; done ;;
  status)
    for s in "${services[@]}"; do "${s}_status"; done ;;
  *) die "usage: services.sh up|down|status|restart [${ALL[*]}]" ;;
esac
