-- Free text joins the sealed fields (docs/security.md, "What stays in clear"): split lines (their memos),
-- tags and the import hash of a transaction, a category's name and icon, a rule's name, an asset's name and
-- ISIN, an attachment's content hash. Each gets its own bytea column, like every PII field (003).
-- Rows written before this hold those values in clear in `doc`; SQL cannot seal them (it never sees the
-- key), so the server does it in TypeScript at start (sync-server/src/store/seal-clear-fields.ts), and
-- serves such a row unchanged until then. Idempotent: safe to run again.

ALTER TABLE transactions ADD COLUMN IF NOT EXISTS tags bytea;
ALTER TABLE transactions ADD COLUMN IF NOT EXISTS splits bytea;
ALTER TABLE transactions ADD COLUMN IF NOT EXISTS import_hash bytea;

ALTER TABLE categories ADD COLUMN IF NOT EXISTS name bytea;
ALTER TABLE categories ADD COLUMN IF NOT EXISTS icon bytea;

ALTER TABLE rules ADD COLUMN IF NOT EXISTS name bytea;

ALTER TABLE assets ADD COLUMN IF NOT EXISTS name bytea;
ALTER TABLE assets ADD COLUMN IF NOT EXISTS isin bytea;

ALTER TABLE attachments ADD COLUMN IF NOT EXISTS sha256 bytea;
