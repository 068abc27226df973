import { IDBFactory } from 'fake-indexeddb';
import { beforeEach, describe, expect, it } from 'vitest';
import { dateOfDay, dayNumber } from '@mymidas/shared/snapshot/days';
import { openSnapshotStore } from '../snapshot/snapshot-store.ts';
import { openInvestPersistence, recordsOf, storeFromRecords } from './invest-persist.ts';
import { docsFromDailyQuotes, latestDoc } from '@mymidas/shared/quotes';
import type { Quote } from '@mymidas/shared/schema';
import { InvestStore, InvestStoreInputError, packExtras, unpackExtras } from './invest-store.ts';
import type { ReplicaQuote } from './invest-store.ts';

/** One day's quote as the tests think of it (the server stores it in its series' year document). */
type DayQuote = Partial<Quote> & { id: string; kind: Quote['kind']; series: string; date: string; close: string; _deleted?: boolean };
const quote = (series: string, date: string, close: string, over: Partial<DayQuote> = {}): DayQuote => ({
  id: `price:${series}:${date}`, kind: 'price', series, date, close, currency: 'GBP', ...over,
});
const cp = (lwt: number, id = 'x') => ({ id, lwt });

/**
 * The server side of the tests: day writes (and day deletions) kept per series and year, each batch answered
 * with the year documents it changed as the replica would hold them — or a year's tombstone when its last
 * day went (by its id alone, as a change event may carry it, when `idOnly`).
 */
class QuotesServer {
  private readonly years = new Map<string, Map<string, Quote>>();
  apply(days: readonly DayQuote[], idOnly = false): ReplicaQuote[] {
    const touched = new Set<string>();
    for (const d of days) {
      const key = `${d.kind}:${d.series}:${d.date.slice(0, 4)}`;
      const year = this.years.get(key) ?? new Map<string, Quote>();
      this.years.set(key, year);
      if (d._deleted === true) year.delete(d.date);
      else year.set(d.date, { hlc: '1700000000000:0000:server', open: null, high: null, low: null, volume: null, currency: 'GBP', source: 'test', ...d, id: `${d.kind}:${d.series}:${d.date}` } as Quote);
      touched.add(key);
    }
    const out: ReplicaQuote[] = [];
    for (const key of touched) {
      const year = this.years.get(key)!;
      if (year.size > 0) out.push(docsFromDailyQuotes(year.values())[0]!);
      else {
        const [kind, series, period] = [key.slice(0, key.indexOf(':')), key.slice(key.indexOf(':') + 1, key.lastIndexOf(':')), key.slice(key.lastIndexOf(':') + 1)];
        out.push(idOnly ? { id: key, _deleted: true } : { id: key, kind: kind as Quote['kind'], series, period, _deleted: true });
      }
    }
    return out;
  }
}

/** What the store should hold for a series: the last close per date, deleted dates gone, ascending. */
function naive(docs: readonly DayQuote[]): Map<string, [string, string][]> {
  const bySeries = new Map<string, Map<string, string | null>>();
  for (const q of docs) {
    const key = `${q.kind}:${q.series}`;
    const m = bySeries.get(key) ?? new Map<string, string | null>();
    m.set(q.date!, q._deleted === true ? null : q.close!);
    bySeries.set(key, m);
  }
  const out = new Map<string, [string, string][]>();
  for (const [key, m] of bySeries) {
    const rows = [...m].filter(([, c]) => c !== null).sort(([a], [b]) => (a < b ? -1 : 1)) as [string, string][];
    if (rows.length > 0) out.set(key, rows);
  }
  return out;
}

function held(store: InvestStore): Map<string, [string, string][]> {
  const out = new Map<string, [string, string][]>();
  for (const [key, s] of store.series) out.set(key, InvestStore.datesOf(s).map((d, i) => [d, s.closes[i]!]));
  return out;
}

describe('investment store (compute worker, invest area)', () => {
  it('keeps each series sorted by day whatever order the quotes arrive in, a later close for a day replacing the earlier', () => {
    const store = new InvestStore();
    const srv = new QuotesServer();
    store.sync('quotes', srv.apply([quote('VWRL', '2024-01-03', '100.5'), quote('VWRL', '2024-01-01', '99'), quote('VUSA', '2024-01-02', '50')]), cp(1));
    store.sync('quotes', srv.apply([quote('VWRL', '2024-01-02', '99.75'), quote('VWRL', '2024-01-04', '101'), quote('VWRL', '2024-01-01', '98.9')]), cp(2));
    expect(held(store).get('price:VWRL')).toEqual([['2024-01-01', '98.9'], ['2024-01-02', '99.75'], ['2024-01-03', '100.5'], ['2024-01-04', '101']]);
    expect(store.quoteCount()).toBe(5);
    expect(store.checkpoints.quotes).toEqual(cp(2));
  });

  it('agrees with a naive map of the last close per date through random batches of inserts, edits and deletes', () => {
    let seed = 7;
    const rnd = () => {
      seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
      return seed / 2 ** 32;
    };
    const store = new InvestStore();
    const srv = new QuotesServer();
    const all: DayQuote[] = [];
    // Across a year's end, so batches touch two year documents.
    const start = dayNumber('2019-11-01');
    for (let b = 0; b < 60; b++) {
      const batch: DayQuote[] = [];
      for (let i = 0; i < 1 + Math.floor(rnd() * 40); i++) {
        const series = ['A', 'B', 'C'][Math.floor(rnd() * 3)]!;
        const date = dateOfDay(start + Math.floor(rnd() * 200));
        const kind = rnd() < 0.2 ? 'fx' : 'price';
        batch.push(quote(series, date, (rnd() * 1000).toFixed(4), { kind, _deleted: rnd() < 0.15 }));
      }
      // Within a batch, the last write of a day wins (as the naive map has it).
      const lastOfDay = new Map(batch.map((q) => [`${q.kind}:${q.series}:${q.date}`, q]));
      store.sync('quotes', srv.apply([...lastOfDay.values()], b % 2 === 0), cp(b));
      all.push(...batch);
      expect(held(store)).toEqual(naive(all));
    }
  });

  it('refuses a malformed quotes document and changes nothing', () => {
    const store = new InvestStore();
    const srv = new QuotesServer();
    store.sync('quotes', srv.apply([quote('A', '2024-01-01', '1')]), cp(1));
    const [good] = srv.apply([quote('A', '2024-01-02', '2')]) as [ReplicaQuote];
    const [other] = srv.apply([quote('B', '2024-01-02', '2')]) as [ReplicaQuote];
    expect(() => store.sync('quotes', [other, { ...good, close: ['1', '1e5'] }], cp(2))).toThrow(InvestStoreInputError);
    expect(() => store.sync('quotes', [{ ...good, days: [1, 0] }], cp(2))).toThrow(/ascending/);
    expect(() => store.sync('quotes', [{ ...good, close: ['1'] }], cp(2))).toThrow(/one value per day/);
    expect(held(store).get('price:A')).toEqual([['2024-01-01', '1']]);
    expect(held(store).has('price:B')).toBe(false);
    expect(store.checkpoints.quotes).toEqual(cp(1));
  });

  it('a year document replaces its year, leaving other years alone; a deleted one (by its id alone too) removes the year', () => {
    const store = new InvestStore();
    const srv = new QuotesServer();
    store.sync('quotes', srv.apply([quote('A', '2023-12-29', '0.5'), quote('A', '2024-01-01', '1'), quote('A', '2024-01-02', '2'), quote('A', '2025-01-02', '3')]), cp(1));
    store.sync('quotes', srv.apply([quote('A', '2024-01-02', '2', { _deleted: true }), quote('A', '2024-03-01', '4')]), cp(2));
    expect(held(store).get('price:A')).toEqual([['2023-12-29', '0.5'], ['2024-01-01', '1'], ['2024-03-01', '4'], ['2025-01-02', '3']]);
    const gone = srv.apply([quote('A', '2025-01-02', '3', { _deleted: true })], true);
    expect(gone).toEqual([{ id: 'price:A:2025', _deleted: true }]);
    expect(store.sync('quotes', [{ id: 'price:A:2024@0190ab1234567890abcdef0123456789', _deleted: true }, ...gone], cp(3)).quotesRereadNeeded).toBe(false);
    expect(held(store).get('price:A')).toEqual([['2023-12-29', '0.5']]);
  });

  it('passes over latest-price documents: they are not days of the series', () => {
    const store = new InvestStore();
    const latest = latestDoc({ kind: 'price', series: 'A', currency: 'GBP' }, { price: '9', asOf: '2024-01-02T10:00:00Z', source: 'yahoo' }, { hlc: '1700000000000:0000:server' });
    expect(store.sync('quotes', [latest, { id: latest.id, _deleted: true }], cp(1)).changed).toEqual([]);
    expect(store.quoteCount()).toBe(0);
  });

  it('asks for the quotes to be read again when a tombstone carries only an id it cannot read', () => {
    const store = new InvestStore();
    store.sync('quotes', new QuotesServer().apply([quote('A', '2024-01-01', '1')]), cp(1));
    expect(store.sync('quotes', [{ id: 'price:A:2024-01-01', _deleted: true }], cp(2)).quotesRereadNeeded).toBe(true);
    store.dropQuotes();
    expect(store.series.size).toBe(0);
    expect(store.checkpoints.quotes).toBeNull();
  });

  it('keeps transactions and assets by id without RxDB fields, and never moves a checkpoint back', () => {
    const store = new InvestStore();
    store.sync('assets', [{ id: 'a1', symbol: 'VWRL', _meta: { lwt: 1 }, _rev: '1-x', _deleted: false }], cp(5, 'b'));
    store.sync('assets', [{ id: 'a2', symbol: 'BTC' }], cp(4, 'z'));
    store.sync('investment_transactions', [{ id: 't1', kind: 'buy' }, { id: 't2', kind: 'sell' }], cp(1));
    store.sync('investment_transactions', [{ id: 't1', _deleted: true }], cp(2));
    expect([...store.assets.values()]).toEqual([{ id: 'a1', symbol: 'VWRL' }, { id: 'a2', symbol: 'BTC' }]);
    expect([...store.transactions.keys()]).toEqual(['t2']);
    expect(store.checkpoints.assets).toEqual(cp(5, 'b'));
  });

  it('round-trips through its records, and a partial write carries only the series that changed', () => {
    const store = new InvestStore();
    const srv = new QuotesServer();
    store.sync('quotes', srv.apply([quote('A', '2024-01-01', '1.25'), quote('A', '2024-01-05', '1.5'), quote('GBP/USD', '2024-01-02', '1.27', { kind: 'fx', currency: 'USD' })]), cp(3));
    store.sync('assets', [{ id: 'a1', symbol: 'A' }], cp(1));
    const { put } = recordsOf(store, true);
    const back = storeFromRecords(put);
    expect(held(back)).toEqual(held(store));
    expect(back.series.get('fx:GBP/USD')!.currency).toBe('USD');
    expect(back.checkpoints).toEqual(store.checkpoints);
    expect([...back.assets.values()]).toEqual([{ id: 'a1', symbol: 'A' }]);
    store.dirtySeries.clear();
    store.docsDirty = false;
    store.sync('quotes', srv.apply([quote('A', '2024-01-08', '1.75')]), cp(4));
    expect([...recordsOf(store, false).put.keys()].sort()).toEqual(['meta', 'series:price:A']);
  });

  it('keeps each day\'s open, high, low and volume beside its close, null where the quote has none, through merges and its records', () => {
    const store = new InvestStore();
    const srv = new QuotesServer();
    const ohlcv = (date: string, o: string | null, h: string | null, l: string | null, c: string, v: string | null) =>
      quote('A', date, c, { open: o, high: h, low: l, volume: v });
    store.sync('quotes', srv.apply([ohlcv('2024-01-03', '10', '12', '9.5', '11', '1500'), ohlcv('2024-01-01', null, null, null, '9', null)]), cp(1));
    // An edit of a day's volume alone is a change; a day inserted before the last merges in place.
    store.sync('quotes', srv.apply([ohlcv('2024-01-03', '10', '12', '9.5', '11', '1600'), ohlcv('2024-01-02', '9', '10.25', null, '10', '0')]), cp(2));
    const a = store.series.get('price:A')!;
    expect(a.closes).toEqual(['9', '10', '11']);
    expect(a.extras.map(unpackExtras)).toEqual([
      { open: null, high: null, low: null, volume: null },
      { open: '9', high: '10.25', low: null, volume: '0' },
      { open: '10', high: '12', low: '9.5', volume: '1600' },
    ]);
    expect(store.sync('quotes', srv.apply([ohlcv('2024-01-03', '10', '12', '9.5', '11', '1600')]), cp(3)).changed).toEqual([]);
    expect(() => store.sync('quotes', [{ ...(srv.apply([ohlcv('2024-01-04', '10', null, null, '11', null)])[0]!), open: ['10', '9', null, 'ten'] }], cp(4))).toThrow(/open\.3: must be a decimal/);
    const back = storeFromRecords(recordsOf(store, true).put);
    expect(back.series.get('price:A')!.extras).toEqual(a.extras);
    expect(back.series.get('price:A')!.closes).toEqual(a.closes);
  });

  it('packs and unpacks the four figures without loss, all missing as null', () => {
    for (const e of [
      { open: '1.5', high: '2', low: '1', volume: '300' }, { open: null, high: '2', low: null, volume: null },
      { open: null, high: null, low: null, volume: '0' }, { open: null, high: null, low: null, volume: null },
    ]) expect(unpackExtras(packExtras(e))).toEqual(e);
    expect(packExtras({ open: null, high: null, low: null, volume: null })).toBeNull();
  });

  it('migrates a format-1 (closes only) store: transactions and assets kept, quotes read again and their old records removed', () => {
    const v1 = new Map<string, unknown>([
      ['meta', { version: 1, checkpoints: { quotes: cp(9), investment_transactions: cp(3), assets: cp(2) }, series: ['price:A'] }],
      ['docs', { transactions: [{ id: 't1', kind: 'buy' }], assets: [{ id: 'a1', symbol: 'A' }] }],
      ['series:price:A', { kind: 'price', series: 'A', currency: 'GBP', days: [19723, 1], closes: '1\n2' }],
    ]);
    const store = storeFromRecords(v1);
    const srv = new QuotesServer();
    expect(store.series.size).toBe(0);
    expect(store.checkpoints).toEqual({ quotes: null, investment_transactions: cp(3), assets: cp(2) });
    expect([...store.transactions.keys()]).toEqual(['t1']);
    expect(recordsOf(store, false).remove).toEqual(['series:price:A']);
    // Read again, the series is written in the new layout rather than removed.
    store.sync('quotes', srv.apply([quote('A', '2024-01-01', '1', { open: '0.9', high: '1.1', low: '0.8', volume: '10' })]), cp(10));
    const { put, remove } = recordsOf(store, false);
    expect(remove).toEqual([]);
    expect((put.get('meta') as { version: number }).version).toBe(3);
    expect(storeFromRecords(put.set('docs', v1.get('docs'))).series.get('price:A')!.extras).toEqual(['0.9 1.1 0.8 10']);
    expect(() => storeFromRecords(new Map([...v1, ['meta', { version: 0, checkpoints: {}, series: [] }]]))).toThrow(/format version 0/);
  });

  it('reads the quotes again from a format-2 store (built from one-document-per-day quotes), keeping transactions and assets', () => {
    const v2 = new Map<string, unknown>([
      ['meta', { version: 2, checkpoints: { quotes: cp(116_359), investment_transactions: cp(3), assets: cp(2) }, series: ['price:A'] }],
      ['docs', { transactions: [{ id: 't1', kind: 'buy' }], assets: [{ id: 'a1', symbol: 'A' }] }],
      ['series:price:A', { kind: 'price', series: 'A', currency: 'GBP', days: [19723, 1], closes: '1\n2', extras: '\n' }],
    ]);
    const store = storeFromRecords(v2);
    expect(store.series.size).toBe(0);
    expect(store.checkpoints).toEqual({ quotes: null, investment_transactions: cp(3), assets: cp(2) });
    expect([...store.assets.keys()]).toEqual(['a1']);
    expect(recordsOf(store, false).remove).toEqual(['series:price:A']);
  });
});

describe('investment store records in the snapshot database', () => {
  let key: CryptoKey;
  beforeEach(async () => {
    globalThis.indexedDB = new IDBFactory();
    key = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
  });

  it('loads what was saved, beside the snapshot\'s own records, and a fresh open reads no quotes again', async () => {
    const p = await openInvestPersistence('replica-snapshot', key);
    const first = await p.load();
    const srv = new QuotesServer();
    expect(first.emptyReason).toMatch(/no stored/);
    first.store.sync('quotes', srv.apply([quote('A', '2024-01-01', '1.25'), quote('A', '2024-01-02', '1.3')]), cp(2));
    await p.save(first.store);
    first.store.sync('quotes', srv.apply([quote('A', '2024-01-03', '1.4')]), cp(3));
    await p.save(first.store);
    p.close();

    // The snapshot's store in the same database still opens (it sees only its own records).
    const snapshot = await openSnapshotStore('replica-snapshot', key);
    expect(await snapshot.load()).toBeNull();
    snapshot.close();

    const again = await openInvestPersistence('replica-snapshot', key);
    const loaded = await again.load();
    expect(loaded.emptyReason).toBeNull();
    expect(held(loaded.store).get('price:A')).toEqual([['2024-01-01', '1.25'], ['2024-01-02', '1.3'], ['2024-01-03', '1.4']]);
    expect(loaded.store.checkpoints.quotes).toEqual(cp(3));
    again.close();
  });

  it('opens empty, naming why, when its records were sealed under another key', async () => {
    const p = await openInvestPersistence('replica-snapshot', key);
    const { store } = await p.load();
    const srv = new QuotesServer();
    store.sync('quotes', srv.apply([quote('A', '2024-01-01', '1')]), cp(1));
    await p.save(store);
    p.close();
    const other = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
    const q = await openInvestPersistence('replica-snapshot', other);
    const loaded = await q.load();
    expect(loaded.emptyReason).toMatch(/AES-GCM/);
    expect(loaded.store.series.size).toBe(0);
    q.close();
  });
});
