#!/usr/bin/env bash
# Re-seals every PII field under a new encryption key, resumably. See docs/operations.md.
#   embedded (PGlite): stop the server, run this; a new key is generated unless one is given in a file
#                      (--new-key-file PATH, or --new-key-file - to read it from standard input) or in
#                      NEW_ENCRYPTION_KEY. Never on the command line: --new-key HEX is refused, because
#                      any user of the machine can read a process's arguments. After a crash: --resume.
#   PostgreSQL:        set ENCRYPTION_KEY=<new> and ENCRYPTION_KEY_PREVIOUS=<old>, restart, run this.
set -euo pipefail
cd "$(dirname "$0")/.."
exec node --import tsx sync-server/src/cli/main.ts rotate-keys "$@"
