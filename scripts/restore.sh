#!/usr/bin/env bash
# Backups: list, verify, restore. Same configuration as the server. See docs/operations.md.
#   scripts/restore.sh --list [--dir DIR]   date, size, rows, verified or not
#   scripts/restore.sh --verify FILE        checksum, decrypt, restore into a scratch database, compare counts
#   scripts/restore.sh FILE                 into an empty database (all or nothing)
#   scripts/restore.sh FILE --force         replace the current database, in one transaction
set -euo pipefail
cd "$(dirname "$0")/.."
exec node --import tsx sync-server/src/backup/cli.ts restore "$@"
