#!/usr/bin/env bash
# Recomputes the audit log's hash chain. Exit 3 means a row was changed or removed.
set -euo pipefail
cd "$(dirname "$0")/.."
exec node --import tsx sync-server/src/cli/main.ts verify-audit "$@"
