import { instant, QUOTE_LATEST_PERIOD, quoteSchema, type Quote, type QuoteDoc } from '../schema/registry.ts';
import { dateOfDay, dayNumber, isCalendarDate } from '../date/date.ts';

/**
 * Price history that a phone can carry (docs/investments.md, "Prices"). `quotes` holds one document per
 * series and calendar year, the year's days as parallel arrays, and one small document per series with the
 * latest price. This module is the only code that knows that layout: it merges daily bars into a year
 * document, reads a series back as bars (or as the one-row-per-day `Quote`s the engines take), and finds
 * the price on or before a date. Pure: no clock, no I/O; every value stays decimal text.
 *
 * Merge rules (mergeBars): a bar for a date already stored replaces it; the days stay strictly ascending;
 * nothing is dropped. Merging the same bars again changes nothing, and bars given in any order (or the same
 * bars split over several merges) give the same document — the property tests show it.
 */

export type QuoteKind = QuoteDoc['kind'];

export interface DailyBar {
  /** YYYY-MM-DD */
  readonly date: string;
  readonly open: string | null;
  readonly high: string | null;
  readonly low: string | null;
  readonly close: string;
  readonly volume: string | null;
}

export interface SeriesKey {
  readonly kind: QuoteKind;
  /** Asset symbol, or "GBP/USD" for FX. */
  readonly series: string;
  readonly currency: string;
}

export interface LatestQuote {
  readonly price: string;
  /** ISO 8601 instant with offset. */
  readonly asOf: string;
  readonly source: string;
}

export class QuoteDataError extends Error {
  override readonly name = 'QuoteDataError';
}

// ---- ids -------------------------------------------------------------------------------------------

/**
 * The id of a series' document for `period` (a year, or "latest"). Quote ids are one primary key across all
 * users on the server, so a stored document names its owner: the user id without dashes after an `@`.
 * Documents made without an owner (the demo generator's, before the server stores them) have none.
 */
export function quoteDocId(kind: QuoteKind, series: string, period: string, owner?: string): string {
  return `${kind}:${series}:${period}${owner ? `@${ownerTag(owner)}` : ''}`;
}

/** The owner part of an id: a user's UUID without its dashes (32 hex digits). */
export function ownerTag(userId: string): string {
  const tag = userId.toLowerCase().replace(/-/g, '');
  if (!/^[0-9a-f]{32}$/.test(tag)) throw new QuoteDataError(`not a user id: "${userId.slice(0, 40)}"`);
  return tag;
}

/** The same document under another owner (or none): the demo's documents are re-keyed for the user storing them. */
export function withOwner(doc: QuoteDoc, owner: string | undefined): QuoteDoc {
  return { ...doc, id: quoteDocId(doc.kind, doc.series, doc.period, owner) };
}

// ---- validation ------------------------------------------------------------------------------------

const instantField = instant();
// The rules of the schema's calendarDate() and decimalText(), as plain tests: a backfill checks every bar.
const DATE_TEXT = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;
const DECIMAL_TEXT = /^-?\d+(\.\d+)?$/;

function checkDecimal(value: unknown, what: string, nullable: boolean): void {
  if (value === null && nullable) return;
  if (typeof value !== 'string' || value.length > 40 || !DECIMAL_TEXT.test(value)) {
    throw new QuoteDataError(`${what} must be a decimal number as text${nullable ? ' or null' : ''}, got ${JSON.stringify(value)?.slice(0, 60)}`);
  }
}

/** Throws QuoteDataError naming the first bad field of a bar. */
export function checkBar(bar: DailyBar): void {
  if (typeof bar?.date !== 'string' || !DATE_TEXT.test(bar.date) || !isCalendarDate(bar.date)) {
    throw new QuoteDataError(`bar date must be a real date as YYYY-MM-DD, got ${JSON.stringify(bar?.date)}`);
  }
  checkDecimal(bar.close, `close of ${bar.date}`, false);
  checkDecimal(bar.open, `open of ${bar.date}`, true);
  checkDecimal(bar.high, `high of ${bar.date}`, true);
  checkDecimal(bar.low, `low of ${bar.date}`, true);
  checkDecimal(bar.volume, `volume of ${bar.date}`, true);
}

export function checkLatest(latest: LatestQuote): void {
  checkDecimal(latest?.price, 'latest price', false);
  if (typeof latest.asOf !== 'string' || !instantField.safeParse(latest.asOf).success) {
    throw new QuoteDataError(`latest price's asOf must be an ISO 8601 instant with offset, got ${JSON.stringify(latest.asOf)}`);
  }
  if (typeof latest.source !== 'string' || latest.source.length === 0 || latest.source.length > 40) throw new QuoteDataError('latest price needs a source (1–40 characters)');
}

function checkKey(key: SeriesKey): void {
  if (key.kind !== 'price' && key.kind !== 'fx') throw new QuoteDataError(`kind must be "price" or "fx", got ${JSON.stringify(key.kind)}`);
  if (typeof key.series !== 'string' || key.series.length === 0 || key.series.length > 40) throw new QuoteDataError('series must be 1–40 characters');
  if (typeof key.currency !== 'string' || !/^[A-Z]{3}$/.test(key.currency)) throw new QuoteDataError(`currency must be an ISO 4217 code, got ${JSON.stringify(key.currency)}`);
}

/**
 * Checks bars and puts them in date order. Two bars for one date are refused unless equal (which one would
 * win would depend on their order). Throws QuoteDataError; nothing is changed.
 */
export function normaliseBars(bars: readonly DailyBar[]): DailyBar[] {
  const byDate = new Map<string, DailyBar>();
  for (const bar of bars) {
    checkBar(bar);
    const clean: DailyBar = { date: bar.date, open: bar.open, high: bar.high, low: bar.low, close: bar.close, volume: bar.volume };
    const seen = byDate.get(bar.date);
    if (seen && !sameBar(seen, clean)) throw new QuoteDataError(`two different bars for ${bar.date}`);
    byDate.set(bar.date, clean);
  }
  return [...byDate.values()].sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
}

export function sameBar(a: DailyBar, b: DailyBar): boolean {
  return a.date === b.date && a.open === b.open && a.high === b.high && a.low === b.low && a.close === b.close && a.volume === b.volume;
}

// ---- year documents --------------------------------------------------------------------------------

const yearStartDay = (year: number) => dayNumber(`${String(year).padStart(4, '0')}-01-01`);

/** Bars grouped by calendar year (each group ascending), after normaliseBars. */
export function barsByYear(bars: readonly DailyBar[]): Map<number, DailyBar[]> {
  const out = new Map<number, DailyBar[]>();
  for (const bar of normaliseBars(bars)) {
    const year = Number(bar.date.slice(0, 4));
    let list = out.get(year);
    if (!list) out.set(year, (list = []));
    list.push(bar);
  }
  return out;
}

/** Whether a document holds a year's days (not the latest price). */
export function isYearDoc(doc: Pick<QuoteDoc, 'period'>): boolean {
  return doc.period !== QUOTE_LATEST_PERIOD;
}

/** The bars of one year document, ascending. */
export function barsOf(doc: QuoteDoc): DailyBar[] {
  if (!isYearDoc(doc)) return [];
  const start = yearStartDay(Number(doc.period));
  return doc.days.map((d, i) => ({ date: dateOfDay(start + d), open: doc.open[i]!, high: doc.high[i]!, low: doc.low[i]!, close: doc.close[i]!, volume: doc.volume[i]! }));
}

export interface MergeOptions {
  /** Who supplied the bars: becomes the document's source when a day changes. */
  readonly source: string;
  /** The write's instant (ISO with offset): becomes the document's asOf when a day changes. */
  readonly asOf: string;
  /** The write's HLC stamp. */
  readonly hlc: string;
  /** The user the document belongs to (its id names them); none for generated demo documents. */
  readonly owner?: string;
}

export interface MergeResult {
  /** The merged document (the stored one, unchanged, when nothing changed). */
  readonly doc: QuoteDoc;
  /** Days added or replaced with a different bar. */
  readonly changed: number;
}

/**
 * Merges bars of one calendar year into that year's document (`stored`, or a new one when null): a date
 * already stored is replaced, the rest are kept, the days stay ascending. The result is checked against
 * the schema. Throws QuoteDataError for a bad bar, a bar of another year, or a stored document of another
 * series, year or currency.
 */
export function mergeBars(stored: QuoteDoc | null, key: SeriesKey, year: number, bars: readonly DailyBar[], options: MergeOptions): MergeResult {
  checkKey(key);
  if (!Number.isInteger(year) || year < 1 || year > 9999) throw new QuoteDataError(`not a year: ${year}`);
  const period = String(year).padStart(4, '0');
  const incoming = normaliseBars(bars);
  for (const bar of incoming) if (bar.date.slice(0, 4) !== period) throw new QuoteDataError(`bar of ${bar.date} is not in ${period}`);
  if (stored) {
    if (stored.kind !== key.kind || stored.series !== key.series || stored.period !== period) {
      throw new QuoteDataError(`stored document ${stored.id} is not ${key.kind} ${key.series} ${period}`);
    }
    if (stored.currency !== key.currency) throw new QuoteDataError(`${key.series} is quoted in ${stored.currency}, not ${key.currency}`);
  }
  const byDate = new Map<string, DailyBar>();
  for (const bar of stored ? barsOf(stored) : []) byDate.set(bar.date, bar);
  let changed = 0;
  for (const bar of incoming) {
    const had = byDate.get(bar.date);
    if (had && sameBar(had, bar)) continue;
    byDate.set(bar.date, bar);
    changed += 1;
  }
  if (stored && changed === 0) return { doc: stored, changed };
  if (!stored && incoming.length === 0) throw new QuoteDataError(`no bars for ${key.series} in ${period}`);
  const merged = [...byDate.values()].sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
  const start = yearStartDay(year);
  const doc: QuoteDoc = {
    id: quoteDocId(key.kind, key.series, period, options.owner),
    hlc: options.hlc,
    kind: key.kind,
    series: key.series,
    period,
    currency: key.currency,
    source: options.source,
    asOf: options.asOf,
    days: merged.map((b) => dayNumber(b.date) - start),
    open: merged.map((b) => b.open),
    high: merged.map((b) => b.high),
    low: merged.map((b) => b.low),
    close: merged.map((b) => b.close),
    volume: merged.map((b) => b.volume),
    price: null,
  };
  assertQuoteDoc(doc);
  return { doc, changed };
}

/** The latest-price document of a series. Throws QuoteDataError on a bad price, instant or source. */
export function latestDoc(key: SeriesKey, latest: LatestQuote, options: { hlc: string; owner?: string }): QuoteDoc {
  checkKey(key);
  checkLatest(latest);
  const doc: QuoteDoc = {
    id: quoteDocId(key.kind, key.series, QUOTE_LATEST_PERIOD, options.owner),
    hlc: options.hlc, kind: key.kind, series: key.series, period: QUOTE_LATEST_PERIOD, currency: key.currency,
    source: latest.source, asOf: latest.asOf, days: [], open: [], high: [], low: [], close: [], volume: [], price: latest.price,
  };
  assertQuoteDoc(doc);
  return doc;
}

/** The latest price a latest-price document holds (null for a year document). */
export function latestOf(doc: QuoteDoc): LatestQuote | null {
  return doc.period === QUOTE_LATEST_PERIOD && doc.price !== null ? { price: doc.price, asOf: doc.asOf, source: doc.source } : null;
}

export function assertQuoteDoc(doc: unknown): asserts doc is QuoteDoc {
  const checked = quoteSchema.safeParse(doc);
  if (!checked.success) {
    const first = checked.error.issues[0]!;
    throw new QuoteDataError(`invalid quotes document ${String((doc as { id?: unknown })?.id)}: ${first.path.join('.')}: ${first.message}`);
  }
}

// ---- reading series back ---------------------------------------------------------------------------

/**
 * The bars of one series from its year documents (any order; other series' documents and latest-price
 * documents are passed over), ascending, optionally within [from, to].
 */
export function readSeries(docs: Iterable<QuoteDoc>, key: Pick<SeriesKey, 'kind' | 'series'>, range: { from?: string; to?: string } = {}): DailyBar[] {
  const years = [...docs].filter((d) => d.kind === key.kind && d.series === key.series && isYearDoc(d)).sort((a, b) => (a.period < b.period ? -1 : 1));
  const out: DailyBar[] = [];
  for (const doc of years) {
    if (range.from && doc.period < range.from.slice(0, 4)) continue;
    if (range.to && doc.period > range.to.slice(0, 4)) continue;
    for (const bar of barsOf(doc)) {
      if (range.from && bar.date < range.from) continue;
      if (range.to && bar.date > range.to) continue;
      out.push(bar);
    }
  }
  return out;
}

/**
 * One document's days as the one-row-per-day quotes the engines take (the shape quotes had in version 0,
 * with that version's ids `price:VWRL.L:2026-01-02`, the document's stamp, source and currency).
 */
export function dailyQuotes(doc: QuoteDoc): Quote[] {
  return barsOf(doc).map((b) => ({
    id: `${doc.kind}:${doc.series}:${b.date}`, hlc: doc.hlc, kind: doc.kind, series: doc.series, date: b.date,
    open: b.open, high: b.high, low: b.low, close: b.close, volume: b.volume, currency: doc.currency, source: doc.source,
  }));
}

/** Every day of every year document, as daily quotes (latest-price documents are passed over). */
export function expandQuotes(docs: Iterable<QuoteDoc>): Quote[] {
  const out: Quote[] = [];
  for (const doc of docs) for (const q of dailyQuotes(doc)) out.push(q);
  return out;
}

/**
 * The close on `date` or the nearest day before it, from a series' year documents (any order). Each
 * document is searched by bisection; null when the series has no day on or before `date`.
 */
export function closeAtOrBefore(docs: Iterable<QuoteDoc>, key: Pick<SeriesKey, 'kind' | 'series'>, date: string): { date: string; close: string } | null {
  if (!isCalendarDate(date)) throw new QuoteDataError(`not a date: ${JSON.stringify(date)}`);
  const period = date.slice(0, 4);
  const years = [...docs]
    .filter((d) => d.kind === key.kind && d.series === key.series && isYearDoc(d) && d.period <= period && d.days.length > 0)
    .sort((a, b) => (a.period > b.period ? -1 : 1));
  for (const doc of years) {
    const start = yearStartDay(Number(doc.period));
    const target = doc.period === period ? dayNumber(date) - start : Number.POSITIVE_INFINITY;
    let lo = 0;
    let hi = doc.days.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (doc.days[mid]! <= target) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    if (found >= 0) return { date: dateOfDay(start + doc.days[found]!), close: doc.close[found]! };
  }
  return null;
}

/**
 * Builds a series' year documents from bars in any order (the demo generator and the migration use it):
 * one mergeBars per year into an empty document.
 */
export function yearDocs(key: SeriesKey, bars: readonly DailyBar[], options: (year: number, yearBars: readonly DailyBar[]) => MergeOptions): QuoteDoc[] {
  const out: QuoteDoc[] = [];
  for (const [year, yearBars] of barsByYear(bars)) out.push(mergeBars(null, key, year, yearBars, options(year, yearBars)).doc);
  return out;
}

/** The kind, series and period an id names (`price:VWRL.L:2026@<owner>`), or null for an id of another shape. */
export function parseQuoteDocId(id: string): { kind: QuoteKind; series: string; period: string } | null {
  const at = id.lastIndexOf('@');
  const body = at >= 0 ? id.slice(0, at) : id;
  const first = body.indexOf(':');
  const last = body.lastIndexOf(':');
  if (first <= 0 || last <= first + 1) return null;
  const kind = body.slice(0, first);
  const period = body.slice(last + 1);
  if ((kind !== 'price' && kind !== 'fx') || !/^(\d{4}|latest)$/.test(period)) return null;
  return { kind, series: body.slice(first + 1, last), period };
}

/**
 * Year documents made from one-row-per-day quotes (version-0 documents, or rows built by tests and benches):
 * per kind, series and year, the currency and source of the last day, the newest stamp, and `asOf` the end
 * of the last day (UTC) unless given.
 */
export function docsFromDailyQuotes(quotes: Iterable<Quote>, options: { owner?: string; asOf?: string } = {}): QuoteDoc[] {
  const groups = new Map<string, Quote[]>();
  for (const q of quotes) {
    const key = `${q.kind}\u0000${q.series}\u0000${q.date.slice(0, 4)}`;
    let list = groups.get(key);
    if (!list) groups.set(key, (list = []));
    list.push(q);
  }
  const out: QuoteDoc[] = [];
  for (const list of groups.values()) {
    const sorted = [...list].sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
    const last = sorted[sorted.length - 1]!;
    const hlc = sorted.reduce((m, q) => (q.hlc > m ? q.hlc : m), last.hlc);
    const bars = sorted.map((q) => ({ date: q.date, open: q.open, high: q.high, low: q.low, close: q.close, volume: q.volume }));
    const asOf = options.asOf ?? `${last.date}T23:59:59.999Z`;
    out.push(mergeBars(null, { kind: last.kind, series: last.series, currency: last.currency }, Number(last.date.slice(0, 4)), bars, { source: last.source, asOf, hlc, ...(options.owner ? { owner: options.owner } : {}) }).doc);
  }
  return out;
}
