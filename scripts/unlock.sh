#!/usr/bin/env bash
# Lifts an account's sign-in lockout from the server's console: scripts/unlock.sh EMAIL [--ip ADDRESS]
# (embedded mode: stop the server first; with PostgreSQL it works while the server runs).
set -euo pipefail
cd "$(dirname "$0")/.."
exec node --import tsx sync-server/src/cli/main.ts unlock "$@"
