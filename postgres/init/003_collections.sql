-- Replicated collections: one table each, generated from the shared data model's shape.
-- Non-PII fields live in `doc` (jsonb); each PII field is its own bytea column holding an AES-256-GCM
-- envelope (see docs/security.md). `seq` is the pull checkpoint, stamped on every write.
-- The shared registry and these columns are kept in step by sync-server/src/store/schema-sync.test.ts.

CREATE TABLE IF NOT EXISTS accounts (
  id uuid PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  seq bigint NOT NULL DEFAULT 0,
  updated_at timestamptz NOT NULL DEFAULT now(),
  deleted boolean NOT NULL DEFAULT false,
  deleted_at timestamptz,
  doc jsonb NOT NULL,
  name bytea,
  institution bytea,
  account_ref bytea,
  notes bytea,
  CONSTRAINT accounts_doc_is_object CHECK (jsonb_typeof(doc) = 'object')
);
CREATE INDEX IF NOT EXISTS accounts_pull ON accounts (user_id, seq, id);
DROP TRIGGER IF EXISTS accounts_stamp ON accounts;
CREATE TRIGGER accounts_stamp BEFORE INSERT OR UPDATE ON accounts
  FOR EACH ROW EXECUTE FUNCTION stamp_replication_seq();

CREATE TABLE IF NOT EXISTS categories (
  id uuid PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  seq bigint NOT NULL DEFAULT 0,
  updated_at timestamptz NOT NULL DEFAULT now(),
  deleted boolean NOT NULL DEFAULT false,
  deleted_at timestamptz,
  doc jsonb NOT NULL,
  CONSTRAINT categories_doc_is_object CHECK (jsonb_typeof(doc) = 'object')
);
CREATE INDEX IF NOT EXISTS categories_pull ON categories (user_id, seq, id);
DROP TRIGGER IF EXISTS categories_stamp ON categories;
CREATE TRIGGER categories_stamp BEFORE INSERT OR UPDATE ON categories
  FOR EACH ROW EXECUTE FUNCTION stamp_replication_seq();

CREATE TABLE IF NOT EXISTS transactions (
  id uuid PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  seq bigint NOT NULL DEFAULT 0,
  updated_at timestamptz NOT NULL DEFAULT now(),
  deleted boolean NOT NULL DEFAULT false,
  deleted_at timestamptz,
  doc jsonb NOT NULL,
  merchant bytea,
  description bytea,
  notes bytea,
  CONSTRAINT transactions_doc_is_object CHECK (jsonb_typeof(doc) = 'object')
);
CREATE INDEX IF NOT EXISTS transactions_pull ON transactions (user_id, seq, id);
DROP TRIGGER IF EXISTS transactions_stamp ON transactions;
CREATE TRIGGER transactions_stamp BEFORE INSERT OR UPDATE ON transactions
  FOR EACH ROW EXECUTE FUNCTION stamp_replication_seq();

CREATE TABLE IF NOT EXISTS budgets (
  id uuid PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  seq bigint NOT NULL DEFAULT 0,
  updated_at timestamptz NOT NULL DEFAULT now(),
  deleted boolean NOT NULL DEFAULT false,
  deleted_at timestamptz,
  doc jsonb NOT NULL,
  CONSTRAINT budgets_doc_is_object CHECK (jsonb_typeof(doc) = 'object')
);
CREATE INDEX IF NOT EXISTS budgets_pull ON budgets (user_id, seq, id);
DROP TRIGGER IF EXISTS budgets_stamp ON budgets;
CREATE TRIGGER budgets_stamp BEFORE INSERT OR UPDATE ON budgets
  FOR EACH ROW EXECUTE FUNCTION stamp_replication_seq();

CREATE TABLE IF NOT EXISTS recurring_rules (
  id uuid PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  seq bigint NOT NULL DEFAULT 0,
  updated_at timestamptz NOT NULL DEFAULT now(),
  deleted boolean NOT NULL DEFAULT false,
  deleted_at timestamptz,
  doc jsonb NOT NULL,
  name bytea,
  payee bytea,
  CONSTRAINT recurring_rules_doc_is_object CHECK (jsonb_typeof(doc) = 'object')
);
CREATE INDEX IF NOT EXISTS recurring_rules_pull ON recurring_rules (user_id, seq, id);
DROP TRIGGER IF EXISTS recurring_rules_stamp ON recurring_rules;
CREATE TRIGGER recurring_rules_stamp BEFORE INSERT OR UPDATE ON recurring_rules
  FOR EACH ROW EXECUTE FUNCTION stamp_replication_seq();

CREATE TABLE IF NOT EXISTS attachments (
  id uuid PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  seq bigint NOT NULL DEFAULT 0,
  updated_at timestamptz NOT NULL DEFAULT now(),
  deleted boolean NOT NULL DEFAULT false,
  deleted_at timestamptz,
  doc jsonb NOT NULL,
  file_name bytea,
  CONSTRAINT attachments_doc_is_object CHECK (jsonb_typeof(doc) = 'object')
);
CREATE INDEX IF NOT EXISTS attachments_pull ON attachments (user_id, seq, id);
DROP TRIGGER IF EXISTS attachments_stamp ON attachments;
CREATE TRIGGER attachments_stamp BEFORE INSERT OR UPDATE ON attachments
  FOR EACH ROW EXECUTE FUNCTION stamp_replication_seq();

CREATE TABLE IF NOT EXISTS assets (
  id uuid PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  seq bigint NOT NULL DEFAULT 0,
  updated_at timestamptz NOT NULL DEFAULT now(),
  deleted boolean NOT NULL DEFAULT false,
  deleted_at timestamptz,
  doc jsonb NOT NULL,
  CONSTRAINT assets_doc_is_object CHECK (jsonb_typeof(doc) = 'object')
);
CREATE INDEX IF NOT EXISTS assets_pull ON assets (user_id, seq, id);
DROP TRIGGER IF EXISTS assets_stamp ON assets;
CREATE TRIGGER assets_stamp BEFORE INSERT OR UPDATE ON assets
  FOR EACH ROW EXECUTE FUNCTION stamp_replication_seq();

CREATE TABLE IF NOT EXISTS investment_transactions (
  id uuid PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  seq bigint NOT NULL DEFAULT 0,
  updated_at timestamptz NOT NULL DEFAULT now(),
  deleted boolean NOT NULL DEFAULT false,
  deleted_at timestamptz,
  doc jsonb NOT NULL,
  notes bytea,
  CONSTRAINT investment_transactions_doc_is_object CHECK (jsonb_typeof(doc) = 'object')
);
CREATE INDEX IF NOT EXISTS investment_transactions_pull ON investment_transactions (user_id, seq, id);
DROP TRIGGER IF EXISTS investment_transactions_stamp ON investment_transactions;
CREATE TRIGGER investment_transactions_stamp BEFORE INSERT OR UPDATE ON investment_transactions
  FOR EACH ROW EXECUTE FUNCTION stamp_replication_seq();

CREATE TABLE IF NOT EXISTS quotes (
  id text PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  seq bigint NOT NULL DEFAULT 0,
  updated_at timestamptz NOT NULL DEFAULT now(),
  deleted boolean NOT NULL DEFAULT false,
  deleted_at timestamptz,
  doc jsonb NOT NULL,
  CONSTRAINT quotes_doc_is_object CHECK (jsonb_typeof(doc) = 'object')
);
CREATE INDEX IF NOT EXISTS quotes_pull ON quotes (user_id, seq, id);
DROP TRIGGER IF EXISTS quotes_stamp ON quotes;
CREATE TRIGGER quotes_stamp BEFORE INSERT OR UPDATE ON quotes
  FOR EACH ROW EXECUTE FUNCTION stamp_replication_seq();

CREATE TABLE IF NOT EXISTS net_worth_snapshots (
  id uuid PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  seq bigint NOT NULL DEFAULT 0,
  updated_at timestamptz NOT NULL DEFAULT now(),
  deleted boolean NOT NULL DEFAULT false,
  deleted_at timestamptz,
  doc jsonb NOT NULL,
  CONSTRAINT net_worth_snapshots_doc_is_object CHECK (jsonb_typeof(doc) = 'object')
);
CREATE INDEX IF NOT EXISTS net_worth_snapshots_pull ON net_worth_snapshots (user_id, seq, id);
DROP TRIGGER IF EXISTS net_worth_snapshots_stamp ON net_worth_snapshots;
CREATE TRIGGER net_worth_snapshots_stamp BEFORE INSERT OR UPDATE ON net_worth_snapshots
  FOR EACH ROW EXECUTE FUNCTION stamp_replication_seq();

CREATE TABLE IF NOT EXISTS settings (
  id uuid PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  seq bigint NOT NULL DEFAULT 0,
  updated_at timestamptz NOT NULL DEFAULT now(),
  deleted boolean NOT NULL DEFAULT false,
  deleted_at timestamptz,
  doc jsonb NOT NULL,
  CONSTRAINT settings_doc_is_object CHECK (jsonb_typeof(doc) = 'object')
);
CREATE INDEX IF NOT EXISTS settings_pull ON settings (user_id, seq, id);
DROP TRIGGER IF EXISTS settings_stamp ON settings;
CREATE TRIGGER settings_stamp BEFORE INSERT OR UPDATE ON settings
  FOR EACH ROW EXECUTE FUNCTION stamp_replication_seq();

CREATE TABLE IF NOT EXISTS rules (
  id uuid PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  seq bigint NOT NULL DEFAULT 0,
  updated_at timestamptz NOT NULL DEFAULT now(),
  deleted boolean NOT NULL DEFAULT false,
  deleted_at timestamptz,
  doc jsonb NOT NULL,
  conditions bytea,
  actions bytea,
  CONSTRAINT rules_doc_is_object CHECK (jsonb_typeof(doc) = 'object')
);
CREATE INDEX IF NOT EXISTS rules_pull ON rules (user_id, seq, id);
DROP TRIGGER IF EXISTS rules_stamp ON rules;
CREATE TRIGGER rules_stamp BEFORE INSERT OR UPDATE ON rules
  FOR EACH ROW EXECUTE FUNCTION stamp_replication_seq();

-- Attachment bytes, encrypted, outside the document stream.
CREATE TABLE IF NOT EXISTS attachment_blobs (
  id uuid PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  mime_type text NOT NULL,
  size integer NOT NULL,
  content bytea NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
