import { addDays } from '@mymidas/shared/date';
import { dailyQuotes } from '@mymidas/shared/quotes';
import { QUOTE_LATEST_PERIOD, type Quote, type QuoteDoc } from '@mymidas/shared/schema';
import type { ReplicaDatabase } from './database.ts';
import { readRows } from '../features/ledger-data/replica-read.ts';

/**
 * Reads of the replica's quotes for the UI thread (docs/investments.md, "Prices"): quotes are year documents
 * (one per series and calendar year) and a latest-price document per series, read through the collection's
 * [series, period] index — a series over ten years is ten documents, never the whole collection — straight from
 * its storage (replica-read.ts), so no RxDocument or cached query keeps a year of days on the heap. Answers are
 * the one-row-per-day `Quote`s the ledger and budget code takes.
 */

const yearOf = (date: string) => date.slice(0, 4);

/** The year documents of a series whose years meet [from, to] (either end open), ascending. */
export async function readQuoteYears(db: ReplicaDatabase, series: string, range: { from?: string; to?: string } = {}): Promise<QuoteDoc[]> {
  // "latest" sorts after every year, so the upper bound leaves the latest-price document out.
  const period = { $gte: range.from ? yearOf(range.from) : '0000', $lte: range.to ? yearOf(range.to) : '9999' };
  const docs = await readRows<QuoteDoc>(db.quotes as never, { selector: { series, period }, sort: [{ series: 'asc' }, { period: 'asc' }] });
  return docs.filter((d) => d.period !== QUOTE_LATEST_PERIOD);
}

/** The days of a series within [from, to] (either end open), ascending. */
export async function readDailyQuotes(db: ReplicaDatabase, series: string, range: { from?: string; to?: string } = {}): Promise<Quote[]> {
  const out: Quote[] = [];
  for (const doc of await readQuoteYears(db, series, range)) {
    for (const q of dailyQuotes(doc)) {
      if ((range.from && q.date < range.from) || (range.to && q.date > range.to)) continue;
      out.push(q);
    }
  }
  return out;
}

/**
 * The last day of a series on or before `onOrBefore` (any date when omitted): the newest year document up to
 * that year, stepping back a year while a document holds no such day. Null when the series has none.
 */
export async function readLatestDailyQuote(db: ReplicaDatabase, series: string, onOrBefore?: string): Promise<Quote | null> {
  let upTo = onOrBefore ? yearOf(onOrBefore) : '9999';
  for (;;) {
    const [json] = await readRows<QuoteDoc>(db.quotes as never, { selector: { series, period: { $lte: upTo } }, sort: [{ series: 'desc' }, { period: 'desc' }], limit: 1 });
    if (!json) return null;
    if (json.period === QUOTE_LATEST_PERIOD) return null;
    const days = dailyQuotes(json).filter((q) => !onOrBefore || q.date <= onOrBefore);
    if (days.length > 0) return days[days.length - 1]!;
    if (json.period === '0000') return null;
    upTo = addDays(`${json.period}-01-01`, -1).slice(0, 4);
  }
}
