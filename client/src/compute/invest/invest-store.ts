import { dateOfDay, dayNumber } from '@mymidas/shared/snapshot/days';
import { parseQuoteDocId } from '@mymidas/shared/quotes';
import { QUOTE_LATEST_PERIOD, quoteSchema, type Asset, type InvestmentTransaction, type QuoteDoc } from '@mymidas/shared/schema';

/**
 * The compute worker's investment store (issue 21): what the investment engines read, kept in the worker so the
 * UI thread never holds the ~116,000 quotes of the demo household.
 *
 * - Quotes, per series (`price` by asset symbol, `fx` by pair such as "GBP/USD"): ascending day numbers in an
 *   Int32Array, the closes as decimal text in a parallel array (exact, what the engines' contract takes) and,
 *   for the asset page's candles, each day's open, high, low and volume as one text "open high low volume"
 *   (a missing figure as an empty field; null when the quote has none of the four, as FX quotes do).
 * - Investment transactions and assets: small maps by id.
 * - One storage checkpoint per collection (RxDB's `{ id, lwt }`), so catch-up reads only what changed.
 *
 * Changes arrive as replica documents (catch-up pages and change events alike) and are idempotent: a document
 * seen twice does no harm. The replica's quotes are year documents (one per series and calendar year, the days
 * as parallel arrays: @mymidas/shared/quotes): a year document replaces every day of its series in that year,
 * and a deleted one removes them. Latest-price documents are not days of the series and are passed over.
 * Pure (no IndexedDB): invest-persist.ts stores it.
 */

export const INVEST_COLLECTIONS = ['quotes', 'investment_transactions', 'assets'] as const;
export type InvestCollection = (typeof INVEST_COLLECTIONS)[number];

export interface StorageCheckpoint {
  readonly id: string;
  readonly lwt: number;
}

export type InvestCheckpoints = Readonly<Record<InvestCollection, StorageCheckpoint | null>>;

/** A quotes document as the replica hands it over (tombstones flagged `_deleted`; a change event's tombstone may carry only the id). */
export type ReplicaQuote = Partial<QuoteDoc> & { readonly id: string; readonly _deleted?: boolean };
export type ReplicaInvestmentTransaction = (InvestmentTransaction & { readonly _deleted?: boolean }) | { readonly id: string; readonly _deleted: true };
export type ReplicaAsset = (Asset & { readonly _deleted?: boolean }) | { readonly id: string; readonly _deleted: true };

export type QuoteKind = QuoteDoc['kind'];

/**
 * One series: `days[i]` (days since 1970-01-01) ascending, `closes[i]` its close as decimal text, `extras[i]` its
 * open, high, low and volume (see `packExtras`), or null when the quote had none of them.
 */
export interface SeriesColumns {
  readonly kind: QuoteKind;
  readonly series: string;
  /** The currency of the quotes (the asset's for prices, the quoted one for FX). */
  currency: string;
  days: Int32Array;
  closes: string[];
  extras: (string | null)[];
}

/** One day's open, high, low and volume: decimal text, null where the quote has none. */
export interface DayExtras {
  readonly open: string | null;
  readonly high: string | null;
  readonly low: string | null;
  readonly volume: string | null;
}

/** The four as one compact text ("open high low volume", a missing one empty), or null when all are missing. */
export function packExtras(e: DayExtras): string | null {
  if (e.open === null && e.high === null && e.low === null && e.volume === null) return null;
  // join makes one flat string (a template literal would leave a chain of string parts per day).
  return [e.open ?? '', e.high ?? '', e.low ?? '', e.volume ?? ''].join(' ');
}

const NO_EXTRAS: DayExtras = { open: null, high: null, low: null, volume: null };

export function unpackExtras(packed: string | null): DayExtras {
  if (packed === null) return NO_EXTRAS;
  const [open = '', high = '', low = '', volume = ''] = packed.split(' ');
  return { open: open || null, high: high || null, low: low || null, volume: volume || null };
}

interface DayQuote {
  readonly close: string;
  readonly extras: string | null;
}

export class InvestStoreInputError extends Error {
  override readonly name = 'InvestStoreInputError';
}

const seriesKey = (kind: QuoteKind, series: string) => `${kind}:${series}`;

export interface SyncOutcome {
  /** Collections whose documents changed in memory by this call. */
  readonly changed: readonly InvestCollection[];
  /**
   * A quote tombstone without its series and date (a change event that carried only the id): the store cannot
   * tell which day to remove, so the quotes must be read again from the start.
   */
  readonly quotesRereadNeeded: boolean;
}

export class InvestStore {
  readonly series = new Map<string, SeriesColumns>();
  readonly transactions = new Map<string, InvestmentTransaction>();
  readonly assets = new Map<string, Asset>();
  checkpoints: Record<InvestCollection, StorageCheckpoint | null> = { quotes: null, investment_transactions: null, assets: null };
  /** Moves with every change; the handlers cache what they derive by it. */
  revision = 0;
  /** Series changed since the last write, by key; the transaction and asset lists as a whole. */
  readonly dirtySeries = new Set<string>();
  readonly droppedSeries = new Set<string>();
  docsDirty = false;

  quoteCount(): number {
    let n = 0;
    for (const s of this.series.values()) n += s.days.length;
    return n;
  }

  /** Applies replica documents of one collection and moves its checkpoint. Throws InvestStoreInputError, changing nothing, on a malformed quote. */
  sync(collection: InvestCollection, docs: readonly unknown[], checkpoint: StorageCheckpoint | null): SyncOutcome {
    let changed = false;
    let reread = false;
    if (collection === 'quotes') {
      const outcome = this.syncQuotes(docs as readonly ReplicaQuote[]);
      changed = outcome.changed;
      reread = outcome.reread;
    } else {
      const map: Map<string, { id: string }> = collection === 'assets' ? this.assets : this.transactions;
      for (const raw of docs) {
        const doc = raw as { id?: unknown; _deleted?: unknown };
        if (typeof doc.id !== 'string') throw new InvestStoreInputError(`${collection}: a document without an id`);
        if (doc._deleted === true) changed = map.delete(doc.id) || changed;
        else {
          map.set(doc.id, documentFields(raw as Record<string, unknown>) as unknown as { id: string });
          changed = true;
        }
      }
      if (changed) this.docsDirty = true;
    }
    if (checkpoint) this.checkpoints[collection] = later(this.checkpoints[collection], checkpoint);
    if (changed) this.revision += 1;
    return { changed: changed ? [collection] : [], quotesRereadNeeded: reread };
  }

  /** Forgets every quote (before they are read again from the start). */
  dropQuotes(): void {
    for (const key of this.series.keys()) this.droppedSeries.add(key);
    this.series.clear();
    this.dirtySeries.clear();
    this.checkpoints.quotes = null;
    this.revision += 1;
  }

  private syncQuotes(docs: readonly ReplicaQuote[]): { changed: boolean; reread: boolean } {
    // Validate the whole batch first, so a bad document changes nothing. Per series and year the last document
    // of the batch is the year's content (null: the year was deleted).
    const bySeries = new Map<string, { kind: QuoteKind; series: string; currency: string | null; years: Map<number, Map<number, DayQuote> | null> }>();
    let reread = false;
    for (const q of docs) {
      let kind: QuoteKind;
      let series: string;
      let period: string;
      let days: Map<number, DayQuote> | null = null;
      let currency: string | null = null;
      if (q._deleted === true) {
        const named = q.kind !== undefined && q.series !== undefined && q.period !== undefined ? { kind: q.kind, series: q.series, period: q.period } : parseQuoteDocId(q.id);
        if (!named) {
          reread = true;
          continue;
        }
        ({ kind, series, period } = named);
        if (period === QUOTE_LATEST_PERIOD) continue;
      } else {
        const checked = quoteSchema.safeParse(documentFields(q as Record<string, unknown>));
        if (!checked.success) {
          const issue = checked.error.issues[0]!;
          throw new InvestStoreInputError(`quote ${q.id}: ${issue.path.join('.')}: ${issue.message}`);
        }
        const doc = checked.data;
        if (doc.period === QUOTE_LATEST_PERIOD) continue;
        ({ kind, series, period, currency } = doc);
        const start = dayNumber(`${period}-01-01`);
        days = new Map();
        for (let i = 0; i < doc.days.length; i++) {
          days.set(start + doc.days[i]!, { close: doc.close[i]!, extras: packExtras({ open: doc.open[i]!, high: doc.high[i]!, low: doc.low[i]!, volume: doc.volume[i]! }) });
        }
      }
      const key = seriesKey(kind, series);
      let entry = bySeries.get(key);
      if (!entry) bySeries.set(key, (entry = { kind, series, currency: null, years: new Map() }));
      if (currency !== null) entry.currency = currency;
      entry.years.set(Number(period), days);
    }
    let changed = false;
    for (const [key, entry] of bySeries) {
      const existing = this.series.get(key);
      const merged = mergeSeries(existing, yearUpdates(existing, entry.years));
      if (!merged) continue;
      changed = true;
      this.dirtySeries.add(key);
      if (merged.days.length === 0) {
        this.series.delete(key);
        this.dirtySeries.delete(key);
        this.droppedSeries.add(key);
        continue;
      }
      this.droppedSeries.delete(key);
      this.series.set(key, { kind: entry.kind, series: entry.series, currency: entry.currency ?? existing?.currency ?? '', days: merged.days, closes: merged.closes, extras: merged.extras });
    }
    return { changed, reread };
  }

  /** The closes of one series as dates and decimal text (dates made on demand), or null when there is none. */
  seriesOf(kind: QuoteKind, series: string): SeriesColumns | null {
    return this.series.get(seriesKey(kind, series)) ?? null;
  }

  /** Index of the first day ≥ `day` in a series (binary search). */
  static lowerBound(days: Int32Array, day: number): number {
    let lo = 0;
    let hi = days.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (days[mid]! < day) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /**
   * The dates of a series as text. The whole series' dates are kept per columns object (a change replaces the
   * object, so they never go stale), and each day's text is made once for every series: the inputs the engines
   * take are rebuilt after each change without re-formatting 116,000 dates.
   */
  static datesOf(columns: SeriesColumns, from = 0, to = columns.days.length): string[] {
    let all = WHOLE_DATES.get(columns);
    if (!all) {
      all = new Array<string>(columns.days.length);
      for (let i = 0; i < columns.days.length; i++) all[i] = dateText(columns.days[i]!);
      WHOLE_DATES.set(columns, all);
    }
    return from === 0 && to === all.length ? all : all.slice(from, to);
  }
}

const WHOLE_DATES = new WeakMap<SeriesColumns, string[]>();
const DATE_TEXT = new Map<number, string>();
function dateText(day: number): string {
  let text = DATE_TEXT.get(day);
  if (text === undefined) DATE_TEXT.set(day, (text = dateOfDay(day)));
  return text;
}

/** A replica document without RxDB's own fields (`_meta`, `_rev`, `_deleted`, `_attachments`). */
function documentFields(raw: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(raw)) if (!k.startsWith('_')) out[k] = raw[k];
  return out;
}

/**
 * The day updates that make each named year of a series hold exactly the given days: every stored day of the
 * year that the new content lacks is removed (null), every day of the content set.
 */
function yearUpdates(existing: SeriesColumns | undefined, years: ReadonlyMap<number, ReadonlyMap<number, DayQuote> | null>): Map<number, DayQuote | null> {
  const updates = new Map<number, DayQuote | null>();
  for (const [year, days] of years) {
    if (existing) {
      const from = dayNumber(`${String(year).padStart(4, '0')}-01-01`);
      const to = dayNumber(`${String(year + 1).padStart(4, '0')}-01-01`);
      for (let i = InvestStore.lowerBound(existing.days, from); i < existing.days.length && existing.days[i]! < to; i++) updates.set(existing.days[i]!, null);
    }
    if (days) for (const [day, q] of days) updates.set(day, q);
  }
  return updates;
}

/** The later of two storage checkpoints (by lwt, then id). */
export function later(a: StorageCheckpoint | null, b: StorageCheckpoint | null): StorageCheckpoint | null {
  if (!b) return a;
  if (!a) return b;
  return b.lwt > a.lwt || (b.lwt === a.lwt && b.id > a.id) ? b : a;
}

/**
 * A series with the given days set (a close) or removed (null), or null when nothing changes. Days after the
 * last one are appended (the usual case: a new day's quote); anything else merges the two sorted lists.
 */
function mergeSeries(existing: SeriesColumns | undefined, updates: Map<number, DayQuote | null>): { days: Int32Array; closes: string[]; extras: (string | null)[] } | null {
  const oldDays = existing?.days ?? new Int32Array(0);
  const oldCloses = existing?.closes ?? [];
  const oldExtras = existing?.extras ?? [];
  const last = oldDays.length > 0 ? oldDays[oldDays.length - 1]! : -Infinity;
  const sorted = [...updates.entries()].sort((a, b) => a[0] - b[0]);
  if (sorted.every(([d]) => d > last)) {
    const added = sorted.filter(([, c]) => c !== null) as [number, DayQuote][];
    if (added.length === 0) return null;
    const days = new Int32Array(oldDays.length + added.length);
    days.set(oldDays);
    const closes = oldCloses.slice();
    const extras = oldExtras.slice();
    added.forEach(([d, q], i) => {
      days[oldDays.length + i] = d;
      closes.push(q.close);
      extras.push(q.extras);
    });
    return { days, closes, extras };
  }
  const days: number[] = [];
  const closes: string[] = [];
  const extras: (string | null)[] = [];
  let changed = false;
  let i = 0;
  let j = 0;
  while (i < oldDays.length || j < sorted.length) {
    const od = i < oldDays.length ? oldDays[i]! : Infinity;
    const [ud, uq] = j < sorted.length ? sorted[j]! : [Infinity, null];
    if (od < ud) {
      days.push(od);
      closes.push(oldCloses[i]!);
      extras.push(oldExtras[i] ?? null);
      i++;
    } else {
      if (od === ud) {
        if (uq === null || uq.close !== oldCloses[i] || uq.extras !== (oldExtras[i] ?? null)) changed = true;
        i++;
      } else if (uq !== null) changed = true;
      if (uq !== null) {
        days.push(ud);
        closes.push(uq.close);
        extras.push(uq.extras);
      }
      j++;
    }
  }
  return changed ? { days: Int32Array.from(days), closes, extras } : null;
}
