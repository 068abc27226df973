-- Tamper-evident audit log: each row's hash covers the previous row's hash and its own content.
-- The canonical content is built in SQL so the writer and the verifier can never disagree.
CREATE OR REPLACE FUNCTION audit_content(r audit_logs) RETURNS bytea
  LANGUAGE sql IMMUTABLE
  AS $$
  SELECT convert_to(concat_ws(E'\x1f',
    r.id::text,
    to_char(r.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
    coalesce(r.user_id::text, ''),
    r.action,
    coalesce(r.entity, ''),
    coalesce(r.entity_id, ''),
    coalesce(r.ip, ''),
    coalesce(r.user_agent, ''),
    r.details::text), 'UTF8')
$$;

CREATE OR REPLACE FUNCTION audit_chain() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
  AS $$
DECLARE last_hash bytea;
BEGIN
  -- One writer at a time extends the chain.
  PERFORM pg_advisory_xact_lock(774411);
  SELECT hash INTO last_hash FROM audit_logs ORDER BY id DESC LIMIT 1;
  NEW.at := date_trunc('milliseconds', clock_timestamp());
  NEW.prev_hash := coalesce(last_hash, '\x'::bytea);
  NEW.hash := sha256(NEW.prev_hash || audit_content(NEW));
  RETURN NEW;
END
$$;

DROP TRIGGER IF EXISTS audit_logs_chain ON audit_logs;
CREATE TRIGGER audit_logs_chain BEFORE INSERT ON audit_logs FOR EACH ROW EXECUTE FUNCTION audit_chain();

-- Auth needs to find a user before it knows who they are: these return only what login needs.
CREATE OR REPLACE FUNCTION auth_user_count() RETURNS bigint
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
  AS $$ SELECT count(*) FROM users $$;

CREATE OR REPLACE FUNCTION auth_find_user(p_email text)
  RETURNS TABLE (id uuid, password_hash text, totp_enabled boolean)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
  AS $$ SELECT u.id, u.password_hash, u.totp_enabled FROM users u WHERE lower(u.email) = lower(p_email) $$;

-- A refresh token is presented before the user is known; this finds its owner and nothing else.
CREATE OR REPLACE FUNCTION auth_refresh_owner(p_token_hash text) RETURNS uuid
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
  AS $$ SELECT user_id FROM refresh_tokens WHERE token_hash = p_token_hash $$;

REVOKE ALL ON FUNCTION auth_user_count() FROM PUBLIC;
REVOKE ALL ON FUNCTION auth_find_user(text) FROM PUBLIC;
REVOKE ALL ON FUNCTION auth_refresh_owner(text) FROM PUBLIC;
REVOKE ALL ON FUNCTION audit_chain() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION auth_user_count() TO mymidas_app;
GRANT EXECUTE ON FUNCTION auth_find_user(text) TO mymidas_app;
GRANT EXECUTE ON FUNCTION auth_refresh_owner(text) TO mymidas_app;
