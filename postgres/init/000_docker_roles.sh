#!/usr/bin/env bash
# Docker only (the server's migration runner reads *.sql files, never this one): run once by the
# postgres image on an empty data volume, as its bootstrap superuser over the local socket. It makes the
# roles the server uses, as scripts/ci-db-setup.sh does for the tests:
#   $MYMIDAS_OWNER  owns the database and runs the migrations; NOT a superuser (CREATEROLE only to set
#                   the runtime role's password, with admin over that one role)
#   mymidas_app     the runtime role: NOSUPERUSER NOBYPASSRLS, owns nothing (migrations set its password)
# and then removes the superuser's password, so the superuser can sign in only from inside the container
# (`docker compose exec postgres psql -U postgres`), never over the network the backend shares.
# Passwords are read from the environment by psql itself (\getenv), never passed as arguments.
set -euo pipefail
: "${MYMIDAS_OWNER:?MYMIDAS_OWNER is not set}"
: "${MYMIDAS_OWNER_PASSWORD:?MYMIDAS_OWNER_PASSWORD is not set (scripts/gen-secrets.sh makes DB_PASSWORD)}"
: "${POSTGRES_DB:?POSTGRES_DB is not set}"
: "${POSTGRES_USER:?POSTGRES_USER is not set}"
if [[ ! "$MYMIDAS_OWNER" =~ ^[a-z_][a-z0-9_]{0,62}$ ]]; then
  echo "MYMIDAS_OWNER must be a plain lower-case role name" >&2
  exit 78
fi
export MYMIDAS_OWNER MYMIDAS_OWNER_PASSWORD POSTGRES_DB POSTGRES_USER
psql -v ON_ERROR_STOP=1 -q --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" <<'SQL'
\getenv owner MYMIDAS_OWNER
\getenv owner_password MYMIDAS_OWNER_PASSWORD
\getenv db POSTGRES_DB
\getenv superuser POSTGRES_USER
SELECT :'owner' <> :'superuser' AS distinct_owner \gset
\if :distinct_owner
\else
  \echo 'MYMIDAS_OWNER must not be the superuser POSTGRES_USER'
  SELECT 1/0;
\endif
SELECT NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'owner') AS create_owner \gset
\if :create_owner
  CREATE ROLE :"owner" LOGIN NOSUPERUSER NOCREATEDB CREATEROLE NOBYPASSRLS NOREPLICATION PASSWORD :'owner_password';
\else
  ALTER ROLE :"owner" LOGIN NOSUPERUSER NOCREATEDB CREATEROLE NOBYPASSRLS NOREPLICATION PASSWORD :'owner_password';
\endif
SELECT NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'mymidas_app') AS create_app \gset
\if :create_app
  CREATE ROLE mymidas_app LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE NOINHERIT;
\endif
GRANT mymidas_app TO :"owner" WITH ADMIN OPTION;
ALTER DATABASE :"db" OWNER TO :"owner";
ALTER SCHEMA public OWNER TO :"owner";
REVOKE ALL ON DATABASE :"db" FROM PUBLIC;
GRANT CONNECT ON DATABASE :"db" TO mymidas_app;
ALTER ROLE :"superuser" PASSWORD NULL;
SQL
echo "mymidas: roles ready (owner $MYMIDAS_OWNER is not a superuser; the superuser has no network password)"
