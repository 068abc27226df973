#!/usr/bin/env bash
# Creates the roles and database the integration tests use on a local PostgreSQL (trust auth):
#   mymidas_owner  owns the test databases and runs migrations (not a superuser)
#   mymidas_app    the runtime role: NOSUPERUSER NOBYPASSRLS, owns nothing
set -euo pipefail
PSQL=(psql -h 127.0.0.1 -p 5432 -U "${PGSUPERUSER:-postgres}" -d postgres -v ON_ERROR_STOP=1 -q)
"${PSQL[@]}" <<'SQL'
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'mymidas_owner') THEN
    CREATE ROLE mymidas_owner LOGIN NOSUPERUSER CREATEDB CREATEROLE;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'mymidas_app') THEN
    CREATE ROLE mymidas_app LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE NOINHERIT;
  END IF;
END
$$;
-- PostgreSQL 16+ gives a CREATEROLE creator admin over the roles it makes; grant it for 15 too.
GRANT mymidas_app TO mymidas_owner WITH ADMIN OPTION;
SQL
if ! "${PSQL[@]}" -tAc "SELECT 1 FROM pg_database WHERE datname = 'mymidas_test'" | grep -q 1; then
  "${PSQL[@]}" -c "CREATE DATABASE mymidas_test OWNER mymidas_owner"
fi
echo "ci: test roles and database ready"
