#!/usr/bin/env bash
# Re-seals every PII field under a new encryption key, resumably. See docs/operations.md.
#   embedded (PGlite): stop the server, run this; a new key is generated unless one is given in a file
#                      (--new-key-file PATH, or --new-key-file - to read it from standard input) or in
#                      NEW_ENCRYPTION_KEY. Never on the command line: --new-key HEX is refused, because
#                      any user of the machine can read a process's arguments. After a crash: --resume.
#   PostgreSQL:        set ENCRYPTION_KEY=<new> and ENCRYPTION_KEY_PREVIOUS=<old>, restart, run this.
# First the keys the server holds now are kept in data/backups/keys/ (encrypted with BACKUP_PASSPHRASE), so
# backups made with the old key still restore after the rotation.
set -euo pipefail
cd "$(dirname "$0")/.."
for a in "$@"; do
  # A key on the command line is refused by rotate-keys before anything changes; keep nothing either.
  case "$a" in --new-key|--new-key=*) exec node --import tsx sync-server/src/cli/main.ts rotate-keys "$@" ;; esac
done
node --import tsx sync-server/src/backup/cli.ts keep-keys
exec node --import tsx sync-server/src/cli/main.ts rotate-keys "$@"
