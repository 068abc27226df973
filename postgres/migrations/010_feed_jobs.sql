-- Issue 22: the server's market-feed jobs (docs/feeds.md). Operational state, not user data: one row per
-- job and one per provider, shared by every server process on this database.
--
-- feed_jobs: what each job did last, and its lease. A process runs a job only after taking the lease in one
-- UPDATE … WHERE lease_until < now() (an atomic test-and-set that works the same on PostgreSQL and PGlite and
-- holds no connection while the job runs); it renews the lease while it works and clears it when done, so a
-- process that dies mid-run leaves a lease that simply expires.
CREATE TABLE IF NOT EXISTS feed_jobs (
  job text PRIMARY KEY,
  last_run_at timestamptz,
  last_success_at timestamptz,
  last_error_at timestamptz,
  last_error text,
  last_duration_ms integer,
  last_summary jsonb NOT NULL DEFAULT '{}'::jsonb,
  next_run_at timestamptz,
  lease_holder text,
  lease_until timestamptz,
  CONSTRAINT feed_jobs_summary_is_object CHECK (jsonb_typeof(last_summary) = 'object')
);

-- feed_providers: each provider's backoff, shared across processes (a 429's Retry-After or a run of errors
-- pauses every job that uses that provider, whichever process meets it).
CREATE TABLE IF NOT EXISTS feed_providers (
  provider text PRIMARY KEY,
  failures integer NOT NULL DEFAULT 0,
  backoff_until timestamptz,
  last_error text,
  last_error_at timestamptz,
  last_success_at timestamptz
);

-- Written by the jobs as the owner role (like backups); requests (feeds status, health) may only read.
ALTER TABLE feed_jobs ENABLE ROW LEVEL SECURITY;
ALTER TABLE feed_jobs FORCE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS feed_jobs_read ON feed_jobs;
CREATE POLICY feed_jobs_read ON feed_jobs FOR SELECT TO mymidas_app USING (true);
DROP POLICY IF EXISTS feed_jobs_owner ON feed_jobs;
CREATE POLICY feed_jobs_owner ON feed_jobs TO CURRENT_USER USING (true) WITH CHECK (true);
REVOKE ALL ON feed_jobs FROM mymidas_app;
GRANT SELECT ON feed_jobs TO mymidas_app;

ALTER TABLE feed_providers ENABLE ROW LEVEL SECURITY;
ALTER TABLE feed_providers FORCE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS feed_providers_read ON feed_providers;
CREATE POLICY feed_providers_read ON feed_providers FOR SELECT TO mymidas_app USING (true);
DROP POLICY IF EXISTS feed_providers_owner ON feed_providers;
CREATE POLICY feed_providers_owner ON feed_providers TO CURRENT_USER USING (true) WITH CHECK (true);
REVOKE ALL ON feed_providers FROM mymidas_app;
GRANT SELECT ON feed_providers TO mymidas_app;
