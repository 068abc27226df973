import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addDays } from '../date/date.ts';
import { quoteSchema, type QuoteDoc } from '../schema/registry.ts';
import {
  barsByYear, barsOf, closeAtOrBefore, dailyQuotes, expandQuotes, latestDoc, latestOf, mergeBars, quoteDocId, QuoteDataError, readSeries,
  type DailyBar, type MergeOptions, type SeriesKey,
} from './quotes.ts';

const KEY: SeriesKey = { kind: 'price', series: 'VWRL.L', currency: 'GBP' };
const OPTS: MergeOptions = { source: 'yahoo', asOf: '2026-12-07T08:00:00.000Z', hlc: '1796630400000:0000:server' };
const bar = (date: string, close: string, extra: Partial<DailyBar> = {}): DailyBar => ({ date, open: null, high: null, low: null, close, volume: null, ...extra });

/** Merges bars of any years into a map of year documents, as the server writer does. */
function mergeAll(docs: Map<number, QuoteDoc>, bars: readonly DailyBar[]): Map<number, QuoteDoc> {
  const out = new Map(docs);
  for (const [year, list] of barsByYear(bars)) out.set(year, mergeBars(out.get(year) ?? null, KEY, year, list, OPTS).doc);
  return out;
}

describe('year documents', () => {
  it('stores a year as parallel arrays with day offsets from 1 January, and reads it back', () => {
    const bars = [bar('2024-12-31', '3', { volume: '10' }), bar('2024-01-01', '1.5', { open: '1', high: '2', low: '0.5' }), bar('2024-02-29', '2')];
    const { doc, changed } = mergeBars(null, KEY, 2024, bars, OPTS);
    expect(changed).toBe(3);
    expect(doc).toMatchObject({ id: 'price:VWRL.L:2024', period: '2024', days: [0, 59, 365], close: ['1.5', '2', '3'], open: ['1', null, null], volume: [null, null, '10'], price: null, source: 'yahoo' });
    expect(quoteSchema.safeParse(doc).success).toBe(true);
    expect(barsOf(doc)).toEqual([bars[1], bars[2], bars[0]]);
  });

  it('replaces a date already stored, keeps the others, and says how many days changed', () => {
    const first = mergeBars(null, KEY, 2026, [bar('2026-01-02', '1'), bar('2026-01-05', '2')], OPTS).doc;
    const again = mergeBars(first, KEY, 2026, [bar('2026-01-05', '2')], { ...OPTS, hlc: '1796630400001:0000:server' });
    expect(again.changed).toBe(0);
    expect(again.doc).toBe(first);
    const next = mergeBars(first, KEY, 2026, [bar('2026-01-05', '2.5'), bar('2026-01-03', '1.5')], { ...OPTS, source: 'ecb' });
    expect(next.changed).toBe(2);
    expect(barsOf(next.doc)).toEqual([bar('2026-01-02', '1'), bar('2026-01-03', '1.5'), bar('2026-01-05', '2.5')]);
    expect(next.doc.source).toBe('ecb');
  });

  it('refuses what it cannot store faithfully, naming it', () => {
    expect(() => mergeBars(null, KEY, 2026, [bar('2025-12-31', '1')], OPTS)).toThrow(/not in 2026/);
    expect(() => mergeBars(null, KEY, 2026, [bar('2026-02-29', '1')], OPTS)).toThrow(/real date/);
    expect(() => mergeBars(null, KEY, 2026, [bar('2026-01-02', '1,5')], OPTS)).toThrow(/close of 2026-01-02/);
    expect(() => mergeBars(null, KEY, 2026, [bar('2026-01-02', '1', { high: '' })], OPTS)).toThrow(/high of 2026-01-02/);
    expect(() => mergeBars(null, KEY, 2026, [bar('2026-01-02', '1'), bar('2026-01-02', '2')], OPTS)).toThrow(/two different bars/);
    expect(() => mergeBars(null, KEY, 2026, [], OPTS)).toThrow(QuoteDataError);
    const stored = mergeBars(null, KEY, 2026, [bar('2026-01-02', '1')], OPTS).doc;
    expect(() => mergeBars(stored, { ...KEY, currency: 'USD' }, 2026, [bar('2026-01-03', '1')], OPTS)).toThrow(/quoted in GBP/);
    expect(() => mergeBars(stored, { ...KEY, series: 'VUSA.L' }, 2026, [bar('2026-01-03', '1')], OPTS)).toThrow(/is not price VUSA.L/);
    expect(() => mergeBars(null, KEY, 2026, [bar('2026-01-02', '1')], { ...OPTS, asOf: '2026-12-07T08:00:00' })).toThrow(/asOf/);
  });

  it('the schema refuses a year document whose arrays disagree or whose days are not ascending', () => {
    const doc = mergeBars(null, KEY, 2025, [bar('2025-03-03', '1'), bar('2025-03-04', '2')], OPTS).doc;
    expect(quoteSchema.safeParse({ ...doc, close: ['1'] }).success).toBe(false);
    expect(quoteSchema.safeParse({ ...doc, days: [62, 61] }).success).toBe(false);
    expect(quoteSchema.safeParse({ ...doc, days: [61, 365] }).success).toBe(false);
    expect(quoteSchema.safeParse({ ...doc, price: '1' }).success).toBe(false);
    expect(quoteSchema.safeParse({ ...doc, close: [1, 2] }).success).toBe(false);
  });

  it('ids name the kind, series, period and owner', () => {
    expect(quoteDocId('fx', 'GBP/USD', '2026')).toBe('fx:GBP/USD:2026');
    expect(quoteDocId('price', 'BTC-GBP', 'latest', '0190AB12-3456-7890-ABCD-EF0123456789')).toBe('price:BTC-GBP:latest@0190ab1234567890abcdef0123456789');
    expect(() => quoteDocId('price', 'X', '2026', 'not-a-user')).toThrow(QuoteDataError);
  });
});

describe('latest price', () => {
  it('is a document of its own with price, source and as-of instant, and no days', () => {
    const doc = latestDoc(KEY, { price: '101.25', asOf: '2026-12-07T09:15:00+00:00', source: 'yahoo' }, { hlc: OPTS.hlc });
    expect(doc.id).toBe('price:VWRL.L:latest');
    expect(quoteSchema.safeParse(doc).success).toBe(true);
    expect(latestOf(doc)).toEqual({ price: '101.25', asOf: '2026-12-07T09:15:00+00:00', source: 'yahoo' });
    expect(barsOf(doc)).toEqual([]);
    expect(quoteSchema.safeParse({ ...doc, price: null }).success).toBe(false);
    expect(quoteSchema.safeParse({ ...doc, days: [1], close: ['1'], open: [null], high: [null], low: [null], volume: [null] }).success).toBe(false);
    expect(() => latestDoc(KEY, { price: '1', asOf: 'yesterday', source: 'yahoo' }, { hlc: OPTS.hlc })).toThrow(/asOf/);
  });
});

describe('reading a series', () => {
  const docs = [...mergeAll(new Map(), [bar('2024-12-30', '1'), bar('2025-01-02', '2'), bar('2025-06-30', '3'), bar('2026-01-05', '4')]).values()];
  const other = mergeBars(null, { ...KEY, series: 'VUSA.L' }, 2025, [bar('2025-01-01', '99')], OPTS).doc;
  const latest = latestDoc(KEY, { price: '5', asOf: '2026-01-06T10:00:00Z', source: 'yahoo' }, { hlc: OPTS.hlc });

  it('reads the bars back ascending over years, within a range, passing over other series and the latest price', () => {
    const all = [latest, other, ...docs].reverse();
    expect(readSeries(all, KEY).map((b) => b.close)).toEqual(['1', '2', '3', '4']);
    expect(readSeries(all, KEY, { from: '2025-01-01', to: '2025-12-31' }).map((b) => b.date)).toEqual(['2025-01-02', '2025-06-30']);
    expect(expandQuotes(all).filter((q) => q.series === KEY.series).map((q) => q.id).sort()).toEqual(['price:VWRL.L:2024-12-30', 'price:VWRL.L:2025-01-02', 'price:VWRL.L:2025-06-30', 'price:VWRL.L:2026-01-05']);
    expect(dailyQuotes(docs[0]!)[0]).toEqual({ id: 'price:VWRL.L:2024-12-30', hlc: OPTS.hlc, kind: 'price', series: 'VWRL.L', date: '2024-12-30', open: null, high: null, low: null, close: '1', volume: null, currency: 'GBP', source: 'yahoo' });
  });

  it('finds the close on or before a date, across year boundaries', () => {
    const all = [latest, other, ...docs];
    expect(closeAtOrBefore(all, KEY, '2024-12-29')).toBeNull();
    expect(closeAtOrBefore(all, KEY, '2024-12-30')).toEqual({ date: '2024-12-30', close: '1' });
    expect(closeAtOrBefore(all, KEY, '2025-01-01')).toEqual({ date: '2024-12-30', close: '1' });
    expect(closeAtOrBefore(all, KEY, '2025-07-01')).toEqual({ date: '2025-06-30', close: '3' });
    expect(closeAtOrBefore(all, KEY, '2026-01-04')).toEqual({ date: '2025-06-30', close: '3' });
    expect(closeAtOrBefore(all, KEY, '2030-01-01')).toEqual({ date: '2026-01-05', close: '4' });
  });
});

// ---- properties --------------------------------------------------------------------------------------

const decimal = fc.tuple(fc.integer({ min: 0, max: 99_999 }), fc.integer({ min: 0, max: 9_999 })).map(([i, f]) => (f === 0 ? String(i) : `${i}.${String(f).padStart(4, '0')}`));
const arbBar = fc.record({
  date: fc.integer({ min: 0, max: 3 * 366 }).map((d) => addDays('2023-11-01', d)),
  open: fc.option(decimal, { nil: null }),
  high: fc.option(decimal, { nil: null }),
  low: fc.option(decimal, { nil: null }),
  close: decimal,
  volume: fc.option(fc.integer({ min: 0, max: 1e9 }).map(String), { nil: null }),
});
/** Bars with distinct dates (one call may not name a date twice with different bars). */
const arbBars = fc.uniqueArray(arbBar, { selector: (b) => b.date, maxLength: 120 });

function asMap(docs: Map<number, QuoteDoc>): Map<string, DailyBar> {
  return new Map(readSeries(docs.values(), KEY).map((b) => [b.date, b]));
}

describe('merge properties', () => {
  it('is idempotent: merging the same bars again changes nothing', () => {
    fc.assert(
      fc.property(arbBars, (bars) => {
        const once = mergeAll(new Map(), bars);
        for (const [year, list] of barsByYear(bars)) expect(mergeBars(once.get(year)!, KEY, year, list, OPTS).changed).toBe(0);
        expect(mergeAll(once, bars)).toEqual(once);
      }),
    );
  });

  it('is order-independent: bars in any order, or split over several merges, give the same documents', () => {
    fc.assert(
      fc.property(arbBars, fc.integer({ min: 0, max: 120 }), fc.integer(), (bars, cut, seed) => {
        const whole = mergeAll(new Map(), bars);
        const shuffled = [...bars].sort((a, b) => ((a.date.charCodeAt(9) * 31 + seed) % 7) - ((b.date.charCodeAt(9) * 31 + seed) % 7));
        expect(mergeAll(new Map(), shuffled)).toEqual(whole);
        const split = mergeAll(mergeAll(new Map(), bars.slice(cut)), bars.slice(0, cut));
        expect(split).toEqual(whole);
      }),
    );
  });

  it('never loses a day: every date merged is there, holding the last bar given for it, in a valid document', () => {
    fc.assert(
      fc.property(arbBars, arbBars, (first, second) => {
        const docs = mergeAll(mergeAll(new Map(), first), second);
        const expected = new Map<string, DailyBar>();
        for (const b of [...first, ...second]) expected.set(b.date, b);
        const got = asMap(docs);
        expect(got.size).toBe(expected.size);
        for (const [date, b] of expected) expect(got.get(date)).toEqual(b);
        for (const doc of docs.values()) expect(quoteSchema.safeParse(doc).success).toBe(true);
        const dates = [...got.keys()];
        expect(dates).toEqual([...dates].sort());
      }),
    );
  });

  it('closeAtOrBefore agrees with a linear scan', () => {
    fc.assert(
      fc.property(arbBars, fc.integer({ min: -10, max: 3 * 366 + 10 }), (bars, offset) => {
        const docs = [...mergeAll(new Map(), bars).values()];
        const date = addDays('2023-11-01', offset);
        const before = [...bars].filter((b) => b.date <= date).sort((a, b) => (a.date < b.date ? -1 : 1)).at(-1);
        expect(closeAtOrBefore(docs, KEY, date)).toEqual(before ? { date: before.date, close: before.close } : null);
      }),
    );
  });
});
