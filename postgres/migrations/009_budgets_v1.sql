-- Issue 20: budgets schema version 0 → 1 on the server (docs/schema-migrations.md).
-- A version-0 budget (one document per category and calendar month: month, categoryId, amount, currency,
-- rollover boolean) becomes a monthly budget for that month only, exactly as migrateBudgetV0 does on devices
-- (shared/src/budget/migrate-v0.ts): period 'monthly', startDate and endDate the month's 1st (one period),
-- amounts [{from: the 1st, amount}], rollover true → 'unspent', false → 'none', weekStart 1, alertThreshold 80,
-- alerts []; id, hlc, categoryId and currency kept. sync-server/src/store/budgets-v1-migration.test.ts checks
-- the two agree. Deleted rows are converted too (their deletion still replicates).
-- The update goes through the stamp_replication_seq trigger: each converted row gets a new seq, so every
-- device pulls it. Idempotent: only rows still in the version-0 shape (with "month") are touched.
-- Runs as the owner, whose policy sees every user's rows. Portable: PostgreSQL 15, 16, 18 and PGlite.
-- The conversion is a function so that a restore of a backup made before this migration converts the rows it
-- brings back the same way (restoreBackup, sync-server/src/backup/backup.ts). It returns the rows converted.

CREATE OR REPLACE FUNCTION budgets_v0_to_v1() RETURNS integer
  LANGUAGE plpgsql
  AS $$
DECLARE
  bad uuid;
  converted integer;
BEGIN
  -- Converted rows must make devices pull them: the key-rotation switch that keeps seq must not be on here.
  PERFORM set_config('app.reseal', 'off', true);

  -- A version-0 document the server did not validate would be converted into nonsense: stop, changing nothing.
  SELECT id INTO bad FROM budgets
   WHERE doc ? 'month'
     AND NOT (
       jsonb_typeof(doc -> 'month') = 'string' AND (doc ->> 'month') ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'
       AND jsonb_typeof(doc -> 'amount') = 'number' AND (doc ->> 'amount') ~ '^-?[0-9]+$'
       AND jsonb_typeof(doc -> 'rollover') = 'boolean'
       AND jsonb_typeof(doc -> 'id') = 'string' AND jsonb_typeof(doc -> 'hlc') = 'string'
       AND jsonb_typeof(doc -> 'categoryId') = 'string' AND jsonb_typeof(doc -> 'currency') = 'string'
     )
   ORDER BY id
   LIMIT 1;
  IF bad IS NOT NULL THEN
    RAISE EXCEPTION 'budget % is not a valid version-0 budget (month, amount, rollover, id, hlc, categoryId, currency); budgets_v0_to_v1 changed nothing', bad;
  END IF;

  UPDATE budgets AS b
     SET doc = jsonb_build_object(
           'id', b.doc -> 'id',
           'hlc', b.doc -> 'hlc',
           'categoryId', b.doc -> 'categoryId',
           'period', 'monthly'::text,
           'weekStart', 1,
           'startDate', v.month || '-01',
           'endDate', v.month || '-01',
           'amounts', jsonb_build_array(jsonb_build_object('from', v.month || '-01', 'amount', b.doc -> 'amount')),
           'currency', b.doc -> 'currency',
           'rollover', CASE WHEN b.doc -> 'rollover' = 'true'::jsonb THEN 'unspent'::text ELSE 'none'::text END,
           'alertThreshold', 80,
           'alerts', '[]'::jsonb
         )
    FROM (
      SELECT id, doc ->> 'month' AS month
        FROM budgets
       WHERE doc ? 'month'
    ) AS v
   WHERE b.id = v.id;
  GET DIAGNOSTICS converted = ROW_COUNT;
  RETURN converted;
END
$$;
-- For the owner only (migrations and restores), never a request.
REVOKE ALL ON FUNCTION budgets_v0_to_v1() FROM PUBLIC;

SELECT budgets_v0_to_v1();
