#!/usr/bin/env bash
# Runs a command with .env loaded the way the project's scripts load it:
#   bash scripts/with-env.sh npx vitest run billing
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
exec "$@"
