#!/usr/bin/env bash
# Encrypted restore (see docs/operations.md). Uses the same configuration as the server.
set -euo pipefail
cd "$(dirname "$0")/.."
exec node --import tsx sync-server/src/cli/main.ts restore "$@"
