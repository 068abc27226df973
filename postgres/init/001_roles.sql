-- MyMidas: the runtime role. The server runs every request as mymidas_app: no superuser, no BYPASSRLS,
-- owner of nothing. Created here if missing (idempotent; safe when two migrators race).
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'mymidas_app') THEN
    CREATE ROLE mymidas_app LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE NOINHERIT;
  END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
  NULL;
END
$$;

-- The request's user id, NULL when unset or empty: a request without a user matches no row.
CREATE OR REPLACE FUNCTION app_user_id() RETURNS uuid
  LANGUAGE sql STABLE
  AS $$ SELECT NULLIF(current_setting('app.user_id', true), '')::uuid $$;

CREATE SEQUENCE IF NOT EXISTS replication_seq AS bigint;

-- Every write to a replicated row takes a fresh sequence number: the pull checkpoint.
CREATE OR REPLACE FUNCTION stamp_replication_seq() RETURNS trigger
  LANGUAGE plpgsql
  AS $$
BEGIN
  -- Key rotation re-seals PII bytes without changing any value: it does not make clients pull again.
  IF TG_OP = 'UPDATE' AND current_setting('app.reseal', true) = 'on' THEN
    RETURN NEW;
  END IF;
  NEW.seq := nextval('replication_seq');
  NEW.updated_at := now();
  RETURN NEW;
END
$$;
