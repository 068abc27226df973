#!/usr/bin/env bash
# Makes the secrets a docker deployment needs: the JWT key pair in ./secrets and a .env with database,
# Redis, encryption and backup secrets. Refuses to overwrite an existing .env.
set -euo pipefail
cd "$(dirname "$0")/.."
exec node --import tsx sync-server/src/cli/main.ts gen-secrets --env-file "${1:-.env}"
