#!/usr/bin/env bash
# Re-seals every PII field under a new encryption key, resumably. See docs/operations.md.
#   embedded (PGlite): stop the server, run this; a new key is generated unless --new-key HEX is given.
#                      After a crash, run it again with --resume.
#   PostgreSQL:        set ENCRYPTION_KEY=<new> and ENCRYPTION_KEY_PREVIOUS=<old>, restart, run this.
set -euo pipefail
cd "$(dirname "$0")/.."
exec node --import tsx sync-server/src/cli/main.ts rotate-keys "$@"
