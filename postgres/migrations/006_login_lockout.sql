-- Per-account sign-in lockout, keyed by user id and kept in PostgreSQL: Redis eviction, a Redis flush or
-- a restart of the embedded server cannot remove it. Only real accounts have a row, so guesses at
-- unknown e-mails cannot grow it.
CREATE TABLE IF NOT EXISTS auth_lockouts (
  user_id uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
  -- Times (ms since the epoch) of the recent failures that count; at most a handful are kept.
  failures bigint[] NOT NULL DEFAULT '{}',
  locked_until bigint NOT NULL DEFAULT 0
);
ALTER TABLE auth_lockouts ENABLE ROW LEVEL SECURITY;
ALTER TABLE auth_lockouts FORCE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS auth_lockouts_own ON auth_lockouts;
CREATE POLICY auth_lockouts_own ON auth_lockouts TO mymidas_app
  USING (user_id = app_user_id()) WITH CHECK (user_id = app_user_id());
GRANT SELECT, INSERT, UPDATE, DELETE ON auth_lockouts TO mymidas_app;

-- A refresh token used again within the grace period may mint one sibling, no more.
ALTER TABLE refresh_tokens ADD COLUMN IF NOT EXISTS grace_sibling uuid;
