-- The audit chain's order is its row id. An identity column hands an id out when the row is formed, before
-- the chain trigger takes its lock: two writers could take ids 10 and 11, the one with 11 extend the chain
-- first, and verification (which walks the ids) reported tampering that never happened. The id is now
-- drawn inside the trigger, after the lock, so ids follow the chain exactly; an id named by the INSERT
-- (OVERRIDING SYSTEM VALUE was open to the runtime role) is replaced. Idempotent like every init file.
ALTER TABLE audit_logs ALTER COLUMN id DROP IDENTITY IF EXISTS;
CREATE SEQUENCE IF NOT EXISTS audit_logs_position AS bigint OWNED BY audit_logs.id;
REVOKE ALL ON SEQUENCE audit_logs_position FROM PUBLIC;
SELECT setval('audit_logs_position', coalesce((SELECT max(id) FROM audit_logs), 0) + 1, false);

CREATE OR REPLACE FUNCTION audit_chain() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
  AS $$
DECLARE last_hash bytea;
BEGIN
  -- The head is read after the lock, which only READ COMMITTED sees: an older snapshot would fork the chain.
  IF current_setting('transaction_isolation') <> 'read committed' THEN
    RAISE EXCEPTION 'audit rows are written only in READ COMMITTED transactions';
  END IF;
  -- One writer at a time extends the chain; the lock is held until that writer commits or rolls back.
  PERFORM pg_advisory_xact_lock(774411);
  SELECT hash INTO last_hash FROM audit_logs ORDER BY id DESC LIMIT 1;
  NEW.id := nextval('audit_logs_position');
  NEW.at := date_trunc('milliseconds', clock_timestamp());
  NEW.prev_hash := coalesce(last_hash, '\x'::bytea);
  NEW.hash := sha256(NEW.prev_hash || audit_content(NEW));
  RETURN NEW;
END
$$;
