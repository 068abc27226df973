import { QUOTE_LATEST_PERIOD, type QuoteDoc } from '@mymidas/shared/schema';
import {
  barsByYear, checkLatest, latestDoc, latestOf, mergeBars, normaliseBars, quoteDocId, QuoteDataError, readSeries,
  type DailyBar as SharedDailyBar, type LatestQuote as SharedLatestQuote, type SeriesKey as SharedSeriesKey,
} from '@mymidas/shared/quotes';
import { formatHlc, parseHlc, tick, type Hlc } from '@mymidas/shared/sync';
import type { FieldCipher } from '../crypto/field-cipher.ts';
import type { ChangeBus } from '../replication/bus.ts';
import { lockUserWrites } from '../replication/service.ts';
import type { Database, Sql } from '../store/database.ts';
import { openDoc, upsertDoc } from '../store/documents.ts';

/**
 * The server's one way to store prices and FX rates (`quotes`, server-owned; docs/investments.md, "Prices").
 * The feeds call it; the demo loader stores its generated documents through the same layout.
 *
 * - Daily bars go into one document per series and calendar year (`@mymidas/shared/quotes` merges them:
 *   a date already stored is replaced, the days stay ascending, nothing is dropped). Each call runs in the
 *   user's RLS transaction under the per-user replication lock (docs/sync-protocol.md: any server code that
 *   writes replicated rows takes it, so a pull never steps over a row), reads the year documents it touches
 *   `FOR UPDATE`, and writes only those whose days changed: the UPDATE stamps a new seq, so every device
 *   pulls the year again. A second call with the same bars writes nothing and returns 0.
 * - The latest (intraday) price is a small document per series, replaced only by a newer `asOf`.
 * - After a commit that wrote something, the user's devices are hinted through the change bus (SSE), so
 *   they pull now rather than at their next reconnect.
 * - Bad input (a malformed bar, two different bars for one date, a currency other than the series has)
 *   throws QuoteDataError before anything is written.
 */

export interface DailyBar extends SharedDailyBar {
  /** YYYY-MM-DD */
  date: string;
  open: string | null;
  high: string | null;
  low: string | null;
  close: string;
  volume: string | null;
}
export interface SeriesKey extends SharedSeriesKey {
  kind: 'price' | 'fx';
  /** Asset symbol, or "GBP/USD". */
  series: string;
  currency: string;
}
export interface LatestQuote extends SharedLatestQuote {
  price: string;
  /** ISO 8601 instant with offset. */
  asOf: string;
  source: string;
}

export interface QuoteWriter {
  /** Upserts daily bars into the year documents, under the per-user replication lock, and hints the user's devices (SSE) so they pull. Returns days written. Idempotent. */
  writeDailyBars(userId: string, key: SeriesKey, source: string, bars: readonly DailyBar[]): Promise<number>;
  writeLatest(userId: string, key: SeriesKey, latest: LatestQuote): Promise<void>;
  /** Stored bars ascending (for backfill resume and server-side valuation). */
  readDailyBars(userId: string, key: Pick<SeriesKey, 'kind' | 'series'>, range?: { from?: string; to?: string }): Promise<DailyBar[]>;
  readLatest(userId: string, key: Pick<SeriesKey, 'kind' | 'series'>): Promise<LatestQuote | null>;
  /** The stored documents of a series (its years ascending, then the latest price), as devices pull them. */
  readDocs(userId: string, key: Pick<SeriesKey, 'kind' | 'series'>): Promise<QuoteDoc[]>;
}

export interface QuoteWriterDeps {
  db: Database;
  cipher: FieldCipher;
  /** Where to hint the user's devices after a write (busFor(services)); no hints without one. */
  bus?: ChangeBus;
  /** The clock (tests pass a fixed one). */
  now?: () => Date;
}

/** Node id of the stamps the server writes on quotes. */
export const QUOTE_WRITER_NODE = 'server';

export function createQuoteWriter(deps: QuoteWriterDeps): QuoteWriter {
  const now = deps.now ?? (() => new Date());
  /** A stamp after the stored document's, from the server clock. */
  const stampAfter = (stored: readonly (QuoteDoc | null | undefined)[]): string => {
    let last: Hlc = { ms: 0, counter: 0, node: QUOTE_WRITER_NODE };
    for (const doc of stored) {
      if (!doc) continue;
      const h = parseHlc(doc.hlc);
      if (h.ms > last.ms || (h.ms === last.ms && h.counter > last.counter)) last = { ...h, node: QUOTE_WRITER_NODE };
    }
    return formatHlc(tick(last, now().getTime()));
  };
  const hint = async (userId: string) => {
    if (!deps.bus) return;
    await deps.bus.publish({ userId, collections: ['quotes'] }).catch((err: unknown) => console.error('replication hint for quotes not published:', err));
  };

  async function lockedRead(sql: Sql, ids: readonly string[]): Promise<Map<string, QuoteDoc>> {
    const res = await sql.query<Record<string, unknown>>('SELECT id, doc FROM quotes WHERE id = ANY($1::text[]) AND NOT deleted FOR UPDATE', [ids]);
    return new Map(res.rows.map((row) => [String(row.id), openDoc(deps.cipher, 'quotes', row) as QuoteDoc]));
  }

  async function readSeriesDocs(userId: string, key: Pick<SeriesKey, 'kind' | 'series'>): Promise<QuoteDoc[]> {
    const res = await deps.db.withUser(userId, (sql) =>
      sql.query<Record<string, unknown>>(
        `SELECT id, doc FROM quotes WHERE user_id = $1 AND NOT deleted AND doc->>'kind' = $2 AND doc->>'series' = $3 ORDER BY doc->>'period'`,
        [userId, key.kind, key.series],
      ),
    );
    return res.rows.map((row) => openDoc(deps.cipher, 'quotes', row) as QuoteDoc);
  }

  return {
    async writeDailyBars(userId, key, source, bars) {
      if (typeof source !== 'string' || source.length === 0 || source.length > 40) throw new QuoteDataError('source must be 1–40 characters');
      const byYear = barsByYear(normaliseBars(bars));
      if (byYear.size === 0) return 0;
      const years = [...byYear.keys()].sort((a, b) => a - b);
      const ids = years.map((y) => quoteDocId(key.kind, key.series, String(y).padStart(4, '0'), userId));
      const written = await deps.db.withUser(userId, async (sql) => {
        await lockUserWrites(sql, userId);
        const stored = await lockedRead(sql, ids);
        const asOf = now().toISOString();
        const hlc = stampAfter([...stored.values()]);
        // Every year is merged (and so checked) before the first one is written.
        const merged = years.map((year, i) => mergeBars(stored.get(ids[i]!) ?? null, key, year, byYear.get(year)!, { source, asOf, hlc, owner: userId }));
        let days = 0;
        for (const m of merged) {
          if (m.changed === 0) continue;
          await upsertDoc(sql, deps.cipher, 'quotes', userId, m.doc);
          days += m.changed;
        }
        return days;
      });
      if (written > 0) await hint(userId);
      return written;
    },

    async writeLatest(userId, key, latest) {
      checkLatest(latest);
      const id = quoteDocId(key.kind, key.series, QUOTE_LATEST_PERIOD, userId);
      const changed = await deps.db.withUser(userId, async (sql) => {
        await lockUserWrites(sql, userId);
        const stored = (await lockedRead(sql, [id])).get(id);
        const next = latestDoc(key, latest, { hlc: stampAfter([stored]), owner: userId });
        if (stored) {
          if (stored.currency !== key.currency) throw new QuoteDataError(`${key.series} is quoted in ${stored.currency}, not ${key.currency}`);
          const had = latestOf(stored);
          // Never back in time: an answer older than the stored price (a slow provider) is dropped.
          if (had && Date.parse(had.asOf) > Date.parse(latest.asOf)) return false;
          if (had && had.price === latest.price && had.asOf === latest.asOf && had.source === latest.source) return false;
        }
        await upsertDoc(sql, deps.cipher, 'quotes', userId, next);
        return true;
      });
      if (changed) await hint(userId);
    },

    async readDailyBars(userId, key, range = {}) {
      return readSeries(await readSeriesDocs(userId, key), key, range);
    },

    async readLatest(userId, key) {
      const docs = await readSeriesDocs(userId, key);
      const doc = docs.find((d) => d.period === QUOTE_LATEST_PERIOD);
      return doc ? latestOf(doc) : null;
    },

    readDocs: readSeriesDocs,
  };
}
