-- Row-level security that holds: ENABLE + FORCE on every user-owned table, USING and WITH CHECK on
-- the request's user id (app_user_id(), NULL-safe: an unset id matches nothing).

ALTER TABLE accounts ENABLE ROW LEVEL SECURITY;
ALTER TABLE accounts FORCE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS accounts_own ON accounts;
CREATE POLICY accounts_own ON accounts TO mymidas_app
  USING (user_id = app_user_id()) WITH CHECK (user_id = app_user_id());
GRANT SELECT, INSERT, UPDATE, DELETE ON accounts TO mymidas_app;

ALTER TABLE categories ENABLE ROW LEVEL SECURITY;
ALTER TABLE categories FORCE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS categories_own ON categories;
CREATE POLICY categories_own ON categories TO mymidas_app
  USING (user_id = app_user_id()) WITH CHECK (user_id = app_user_id());
GRANT SELECT, INSERT, UPDATE, DELETE ON categories TO mymidas_app;

ALTER TABLE transactions ENABLE ROW LEVEL SECURITY;
ALTER TABLE transactions FORCE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS transactions_own ON transactions;
CREATE POLICY transactions_own ON transactions TO mymidas_app
  USING (user_id = app_user_id()) WITH CHECK (user_id = app_user_id());
GRANT SELECT, INSERT, UPDATE, DELETE ON transactions TO mymidas_app;

ALTER TABLE budgets ENABLE ROW LEVEL SECURITY;
ALTER TABLE budgets FORCE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS budgets_own ON budgets;
CREATE POLICY budgets_own ON budgets TO mymidas_app
  USING (user_id = app_user_id()) WITH CHECK (user_id = app_user_id());
GRANT SELECT, INSERT, UPDATE, DELETE ON budgets TO mymidas_app;

ALTER TABLE recurring_rules ENABLE ROW LEVEL SECURITY;
ALTER TABLE recurring_rules FORCE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS recurring_rules_own ON recurring_rules;
CREATE POLICY recurring_rules_own ON recurring_rules TO mymidas_app
  USING (user_id = app_user_id()) WITH CHECK (user_id = app_user_id());
GRANT SELECT, INSERT, UPDATE, DELETE ON recurring_rules TO mymidas_app;

ALTER TABLE attachments ENABLE ROW LEVEL SECURITY;
ALTER TABLE attachments FORCE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS attachments_own ON attachments;
CREATE POLICY attachments_own ON attachments TO mymidas_app
  USING (user_id = app_user_id()) WITH CHECK (user_id = app_user_id());
GRANT SELECT, INSERT, UPDATE, DELETE ON attachments TO mymidas_app;

ALTER TABLE assets ENABLE ROW LEVEL SECURITY;
ALTER TABLE assets FORCE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS assets_own ON assets;
CREATE POLICY assets_own ON assets TO mymidas_app
  USING (user_id = app_user_id()) WITH CHECK (user_id = app_user_id());
GRANT SELECT, INSERT, UPDATE, DELETE ON assets TO mymidas_app;

ALTER TABLE investment_transactions ENABLE ROW LEVEL SECURITY;
ALTER TABLE investment_transactions FORCE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS investment_transactions_own ON investment_transactions;
CREATE POLICY investment_transactions_own ON investment_transactions TO mymidas_app
  USING (user_id = app_user_id()) WITH CHECK (user_id = app_user_id());
GRANT SELECT, INSERT, UPDATE, DELETE ON investment_transactions TO mymidas_app;

ALTER TABLE quotes ENABLE ROW LEVEL SECURITY;
ALTER TABLE quotes FORCE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS quotes_own ON quotes;
CREATE POLICY quotes_own ON quotes TO mymidas_app
  USING (user_id = app_user_id()) WITH CHECK (user_id = app_user_id());
GRANT SELECT, INSERT, UPDATE, DELETE ON quotes TO mymidas_app;

ALTER TABLE net_worth_snapshots ENABLE ROW LEVEL SECURITY;
ALTER TABLE net_worth_snapshots FORCE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS net_worth_snapshots_own ON net_worth_snapshots;
CREATE POLICY net_worth_snapshots_own ON net_worth_snapshots TO mymidas_app
  USING (user_id = app_user_id()) WITH CHECK (user_id = app_user_id());
GRANT SELECT, INSERT, UPDATE, DELETE ON net_worth_snapshots TO mymidas_app;

ALTER TABLE settings ENABLE ROW LEVEL SECURITY;
ALTER TABLE settings FORCE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS settings_own ON settings;
CREATE POLICY settings_own ON settings TO mymidas_app
  USING (user_id = app_user_id()) WITH CHECK (user_id = app_user_id());
GRANT SELECT, INSERT, UPDATE, DELETE ON settings TO mymidas_app;

ALTER TABLE rules ENABLE ROW LEVEL SECURITY;
ALTER TABLE rules FORCE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS rules_own ON rules;
CREATE POLICY rules_own ON rules TO mymidas_app
  USING (user_id = app_user_id()) WITH CHECK (user_id = app_user_id());
GRANT SELECT, INSERT, UPDATE, DELETE ON rules TO mymidas_app;

ALTER TABLE attachment_blobs ENABLE ROW LEVEL SECURITY;
ALTER TABLE attachment_blobs FORCE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS attachment_blobs_own ON attachment_blobs;
CREATE POLICY attachment_blobs_own ON attachment_blobs TO mymidas_app
  USING (user_id = app_user_id()) WITH CHECK (user_id = app_user_id());
GRANT SELECT, INSERT, UPDATE, DELETE ON attachment_blobs TO mymidas_app;

ALTER TABLE backup_codes ENABLE ROW LEVEL SECURITY;
ALTER TABLE backup_codes FORCE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS backup_codes_own ON backup_codes;
CREATE POLICY backup_codes_own ON backup_codes TO mymidas_app
  USING (user_id = app_user_id()) WITH CHECK (user_id = app_user_id());
GRANT SELECT, INSERT, UPDATE, DELETE ON backup_codes TO mymidas_app;

ALTER TABLE refresh_tokens ENABLE ROW LEVEL SECURITY;
ALTER TABLE refresh_tokens FORCE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS refresh_tokens_own ON refresh_tokens;
CREATE POLICY refresh_tokens_own ON refresh_tokens TO mymidas_app
  USING (user_id = app_user_id()) WITH CHECK (user_id = app_user_id());
GRANT SELECT, INSERT, UPDATE, DELETE ON refresh_tokens TO mymidas_app;

ALTER TABLE users ENABLE ROW LEVEL SECURITY;
ALTER TABLE users FORCE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS users_own ON users;
CREATE POLICY users_own ON users TO mymidas_app
  USING (id = app_user_id()) WITH CHECK (id = app_user_id());
GRANT SELECT, INSERT, UPDATE ON users TO mymidas_app;

-- The audit log: the runtime role may add rows and read its own, never change or remove them.
ALTER TABLE audit_logs ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_logs FORCE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS audit_logs_read ON audit_logs;
CREATE POLICY audit_logs_read ON audit_logs FOR SELECT TO mymidas_app USING (user_id = app_user_id());
DROP POLICY IF EXISTS audit_logs_append ON audit_logs;
CREATE POLICY audit_logs_append ON audit_logs FOR INSERT TO mymidas_app
  WITH CHECK (user_id IS NULL OR user_id = app_user_id());
REVOKE ALL ON audit_logs FROM mymidas_app;
GRANT SELECT, INSERT ON audit_logs TO mymidas_app;

GRANT USAGE ON SCHEMA public TO mymidas_app;
GRANT USAGE ON SEQUENCE replication_seq TO mymidas_app;
GRANT EXECUTE ON FUNCTION app_user_id() TO mymidas_app;

-- The owner (the role that runs these migrations, and could ALTER these tables anyway) keeps explicit
-- access: FORCE applies to it too. The SECURITY DEFINER functions (login lookup, audit chain), backups,
-- restores and feed jobs run as it; requests never do.
DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['users','audit_logs','refresh_tokens','backup_codes','attachment_blobs','accounts','categories',
      'transactions','budgets','recurring_rules','attachments','assets','investment_transactions','quotes',
      'net_worth_snapshots','settings','rules'] LOOP
    EXECUTE format('DROP POLICY IF EXISTS %I ON %I', t || '_owner', t);
    EXECUTE format('CREATE POLICY %I ON %I TO %I USING (true) WITH CHECK (true)', t || '_owner', t, current_user);
  END LOOP;
END
$$;
