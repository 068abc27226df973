-- Issue 22, item 6: quotes schema version 0 → 1 on the server (docs/schema-migrations.md, "Quotes 0 → 1").
-- Version 0 stored one document per series and day (`price:VWRL.L:2026-01-02`: kind, series, date, open, high,
-- low, close, volume, currency, source): 116,359 rows for the demo household, every one pulled by every device.
-- Version 1 stores one document per user, series and calendar year, the days as parallel arrays
-- (shared/src/quotes/quotes.ts, which the server's QuoteWriter uses for every later write):
--   id      `<kind>:<series>:<year>@<user id without dashes>` (quote ids are one primary key for all users)
--   period  the year as text; days = offsets from 1 January, ascending; open/high/low/close/volume the values
--           as stored (decimal text or null), in the same order
--   currency and source of the year's last day; hlc the year's newest stamp; asOf the migration's instant;
--   price null (a latest-price document is written by the feeds, not made here).
-- A year document that already exists for the same id (written by this server version's feeds before a
-- backup from before this migration was restored) is merged: its days win over version-0 days of the same date.
-- The version-0 rows are then deleted outright, not soft-deleted: a tombstone each would make every device
-- pull 116,000 deletions. Devices drop their version-0 quotes themselves when they migrate (quotes is
-- pull-only: the replica clears the collection and its checkpoint and pulls the year documents afresh;
-- client/src/db/database.ts). The inserts go through stamp_replication_seq: new seqs, so every device pulls them.
-- Idempotent: only rows still in the version-0 shape (with "date") are touched.
-- Runs as the owner, whose policy sees every user's rows. Portable: PostgreSQL 15, 16, 18 and PGlite.
-- A function, so that restoring a backup made before this migration converts its rows the same way
-- (DOCUMENT_MIGRATIONS in sync-server/src/backup/backup.ts). It returns the version-0 rows converted.

CREATE OR REPLACE FUNCTION quotes_v0_to_v1() RETURNS integer
  LANGUAGE plpgsql
  AS $$
DECLARE
  bad text;
  converted integer;
BEGIN
  -- Converted rows must make devices pull them: the key-rotation switch that keeps seq must not be on here.
  PERFORM set_config('app.reseal', 'off', true);

  -- A version-0 row the server did not validate would be carried into a year document: stop, changing nothing.
  SELECT id INTO bad FROM quotes
   WHERE doc ? 'date' AND NOT deleted
     AND NOT (
       jsonb_typeof(doc -> 'date') = 'string' AND (doc ->> 'date') ~ '^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$'
       AND (doc ->> 'date') >= '0001-01-01'
       AND doc ->> 'kind' IN ('price', 'fx')
       AND jsonb_typeof(doc -> 'series') = 'string' AND length(doc ->> 'series') BETWEEN 1 AND 40
       AND jsonb_typeof(doc -> 'currency') = 'string' AND (doc ->> 'currency') ~ '^[A-Z]{3}$'
       AND jsonb_typeof(doc -> 'source') = 'string' AND length(doc ->> 'source') <= 40
       AND jsonb_typeof(doc -> 'hlc') = 'string'
       AND jsonb_typeof(doc -> 'close') = 'string' AND (doc ->> 'close') ~ '^-?[0-9]+(\.[0-9]+)?$'
       AND (jsonb_typeof(doc -> 'open') = 'null' OR (jsonb_typeof(doc -> 'open') = 'string' AND (doc ->> 'open') ~ '^-?[0-9]+(\.[0-9]+)?$'))
       AND (jsonb_typeof(doc -> 'high') = 'null' OR (jsonb_typeof(doc -> 'high') = 'string' AND (doc ->> 'high') ~ '^-?[0-9]+(\.[0-9]+)?$'))
       AND (jsonb_typeof(doc -> 'low') = 'null' OR (jsonb_typeof(doc -> 'low') = 'string' AND (doc ->> 'low') ~ '^-?[0-9]+(\.[0-9]+)?$'))
       AND (jsonb_typeof(doc -> 'volume') = 'null' OR (jsonb_typeof(doc -> 'volume') = 'string' AND (doc ->> 'volume') ~ '^-?[0-9]+(\.[0-9]+)?$'))
     )
   ORDER BY id
   LIMIT 1;
  IF bad IS NOT NULL THEN
    RAISE EXCEPTION 'quote % is not a valid version-0 quote (date, kind, series, currency, source, hlc, close, open/high/low/volume); quotes_v0_to_v1 changed nothing', bad;
  END IF;

  SELECT count(*) INTO converted FROM quotes WHERE doc ? 'date';
  IF converted = 0 THEN
    RETURN 0;
  END IF;

  -- A date cast of a day that does not exist (2026-02-30) raises here, and the migration changes nothing.
  DROP TABLE IF EXISTS quotes_v0_days;
  CREATE TEMP TABLE quotes_v0_days ON COMMIT DROP AS
    SELECT user_id,
           doc ->> 'kind' AS kind,
           doc ->> 'series' AS series,
           substr(doc ->> 'date', 1, 4) AS period,
           (doc ->> 'date')::date AS day,
           doc ->> 'currency' AS currency,
           doc ->> 'source' AS source,
           doc ->> 'hlc' AS hlc,
           doc -> 'open' AS open, doc -> 'high' AS high, doc -> 'low' AS low, doc -> 'close' AS close, doc -> 'volume' AS volume,
           1 AS rank
      FROM quotes
     WHERE doc ? 'date' AND NOT deleted;

  -- Days of year documents already stored for the same user, series and year: they win over version 0.
  INSERT INTO quotes_v0_days
    SELECT q.user_id, q.doc ->> 'kind', q.doc ->> 'series', q.doc ->> 'period',
           make_date((q.doc ->> 'period')::int, 1, 1) + (d.value #>> '{}')::int,
           q.doc ->> 'currency', q.doc ->> 'source', q.doc ->> 'hlc',
           q.doc -> 'open' -> (d.ord::int - 1), q.doc -> 'high' -> (d.ord::int - 1), q.doc -> 'low' -> (d.ord::int - 1),
           q.doc -> 'close' -> (d.ord::int - 1), q.doc -> 'volume' -> (d.ord::int - 1),
           0
      FROM quotes q
      CROSS JOIN LATERAL jsonb_array_elements(q.doc -> 'days') WITH ORDINALITY AS d(value, ord)
     WHERE q.doc ? 'period' AND q.doc ->> 'period' <> 'latest' AND NOT q.deleted
       AND EXISTS (SELECT 1 FROM quotes_v0_days o
                    WHERE o.rank = 1 AND o.user_id = q.user_id AND o.kind = q.doc ->> 'kind'
                      AND o.series = q.doc ->> 'series' AND o.period = q.doc ->> 'period');

  INSERT INTO quotes (id, user_id, deleted, doc)
    SELECT g.kind || ':' || g.series || ':' || g.period || '@' || replace(g.user_id::text, '-', ''),
           g.user_id,
           false,
           jsonb_build_object(
             'id', g.kind || ':' || g.series || ':' || g.period || '@' || replace(g.user_id::text, '-', ''),
             'hlc', g.hlc,
             'kind', g.kind,
             'series', g.series,
             'period', g.period,
             'currency', g.currency,
             'source', g.source,
             'asOf', to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
             'days', g.days, 'open', g.open, 'high', g.high, 'low', g.low, 'close', g.close, 'volume', g.volume,
             'price', NULL::text
           )
      FROM (
        SELECT user_id, kind, series, period,
               (array_agg(currency ORDER BY day DESC))[1] AS currency,
               (array_agg(source ORDER BY day DESC))[1] AS source,
               max(hlc) AS hlc,
               jsonb_agg(day - make_date(period::int, 1, 1) ORDER BY day) AS days,
               jsonb_agg(open ORDER BY day) AS open,
               jsonb_agg(high ORDER BY day) AS high,
               jsonb_agg(low ORDER BY day) AS low,
               jsonb_agg(close ORDER BY day) AS close,
               jsonb_agg(volume ORDER BY day) AS volume
          FROM (SELECT DISTINCT ON (user_id, kind, series, day) * FROM quotes_v0_days ORDER BY user_id, kind, series, day, rank) AS one_per_day
         GROUP BY user_id, kind, series, period
      ) AS g
    ON CONFLICT (id) DO UPDATE SET doc = EXCLUDED.doc, deleted = false, deleted_at = NULL;

  DELETE FROM quotes WHERE doc ? 'date';
  RETURN converted;
END
$$;
-- For the owner only (migrations and restores), never a request.
REVOKE ALL ON FUNCTION quotes_v0_to_v1() FROM PUBLIC;

SELECT quotes_v0_to_v1();
