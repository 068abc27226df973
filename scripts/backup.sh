#!/usr/bin/env bash
# Writes data/backups/YYYYMMDD_HHMMSS.sql.gz.gpg (a gzipped SQL dump encrypted with BACKUP_PASSPHRASE),
# its .sha256 and manifest, and verifies it. Same configuration as the server. See docs/operations.md.
#   scripts/backup.sh [--dir DIR] [--no-verify]
# Embedded (PGlite): the server holds the database; stop it first (its nightly job backs up while it runs).
set -euo pipefail
cd "$(dirname "$0")/.."
exec node --import tsx sync-server/src/backup/cli.ts backup "$@"
