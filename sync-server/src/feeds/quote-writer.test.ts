import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { quoteSchema, type QuoteDoc } from '@mymidas/shared/schema';
import { QuoteDataError } from '@mymidas/shared/quotes';
import { MemoryBus, type ChangeHint } from '../replication/bus.ts';
import { ReplicationService } from '../replication/service.ts';
import { createUser, openTestDatabase, testBackends, testCipher, type TestDatabase } from '../testing/harness.ts';
import { createQuoteWriter, type DailyBar, type QuoteWriter, type SeriesKey } from './quote-writer.ts';

const bar = (date: string, close: string, extra: Partial<DailyBar> = {}): DailyBar => ({ date, open: null, high: null, low: null, close, volume: null, ...extra });
const VWRL: SeriesKey = { kind: 'price', series: 'VWRL.L', currency: 'GBP' };
const GBPUSD: SeriesKey = { kind: 'fx', series: 'GBP/USD', currency: 'USD' };

describe.each(testBackends())('quote writer (%s)', (backend) => {
  let t: TestDatabase;
  let writer: QuoteWriter;
  let replication: ReplicationService;
  const bus = new MemoryBus();
  const cipher = testCipher();
  let clock = Date.parse('2026-12-07T08:00:00Z');

  beforeAll(async () => {
    t = await openTestDatabase(backend);
    writer = createQuoteWriter({ db: t.db, cipher, bus, now: () => new Date(clock) });
    replication = new ReplicationService({ db: t.db, cipher });
  }, 120_000);
  afterAll(async () => {
    await bus.close();
    await t?.dispose();
  });

  const hintsFor = (userId: string) => {
    const hints: ChangeHint[] = [];
    bus.subscribe(userId, (h) => hints.push(h));
    return hints;
  };
  const pullAll = async (userId: string, after: { seq: number; id: string } | null = null) => (await replication.pull(userId, 'quotes', after, 1000));

  it('stores bars of two years as two year documents that a pull returns, and reads them back ascending', async () => {
    const user = await createUser(t.db);
    const hints = hintsFor(user);
    const bars = [bar('2026-01-02', '101.5', { open: '100', high: '102', low: '99.5', volume: '12000' }), bar('2025-12-31', '100.25'), bar('2025-12-30', '99')];
    expect(await writer.writeDailyBars(user, VWRL, 'yahoo', bars)).toBe(3);
    expect(hints).toEqual([{ userId: user, collections: ['quotes'] }]);

    const pulled = await pullAll(user);
    expect(pulled.documents.map((d) => (d as unknown as QuoteDoc).period).sort()).toEqual(['2025', '2026']);
    for (const d of pulled.documents) {
      const { _deleted, ...doc } = d as unknown as QuoteDoc & { _deleted: boolean };
      expect(_deleted).toBe(false);
      expect(quoteSchema.safeParse(doc).success).toBe(true);
      expect(doc.source).toBe('yahoo');
      expect(doc.asOf).toBe('2026-12-07T08:00:00.000Z');
      expect(doc.id.endsWith(`@${user.replace(/-/g, '')}`)).toBe(true);
    }
    const y2025 = pulled.documents.find((d) => (d as unknown as QuoteDoc).period === '2025') as unknown as QuoteDoc;
    expect(y2025.days).toEqual([363, 364]);
    expect(y2025.close).toEqual(['99', '100.25']);

    expect(await writer.readDailyBars(user, VWRL)).toEqual([bar('2025-12-30', '99'), bar('2025-12-31', '100.25'), bars[0]]);
    expect(await writer.readDailyBars(user, VWRL, { from: '2025-12-31', to: '2025-12-31' })).toEqual([bar('2025-12-31', '100.25')]);
    expect(await writer.readDailyBars(user, GBPUSD)).toEqual([]);
  });

  it('is idempotent: the same bars again write nothing, move no seq and send no hint; a changed day rewrites only its year', async () => {
    const user = await createUser(t.db);
    const bars = [bar('2025-06-02', '10'), bar('2025-06-03', '11'), bar('2026-06-02', '12')];
    expect(await writer.writeDailyBars(user, VWRL, 'yahoo', bars)).toBe(3);
    const first = await pullAll(user);
    const hints = hintsFor(user);
    clock += 60_000;
    expect(await writer.writeDailyBars(user, VWRL, 'yahoo', [...bars].reverse())).toBe(0);
    expect(hints).toHaveLength(0);
    expect((await pullAll(user, first.checkpoint)).documents).toHaveLength(0);

    expect(await writer.writeDailyBars(user, VWRL, 'yahoo', [bar('2025-06-03', '11.5'), bar('2025-06-02', '10')])).toBe(1);
    expect(hints).toHaveLength(1);
    const after = await pullAll(user, first.checkpoint);
    expect(after.documents.map((d) => (d as unknown as QuoteDoc).period)).toEqual(['2025']);
    const doc = after.documents[0] as unknown as QuoteDoc;
    expect(doc.close).toEqual(['10', '11.5']);
    expect(doc.hlc > (first.documents.find((d) => (d as unknown as QuoteDoc).period === '2025') as unknown as QuoteDoc).hlc).toBe(true);
  });

  it('a backfill in pieces, repeated and interleaved, ends with every day once', async () => {
    const user = await createUser(t.db);
    const all: DailyBar[] = [];
    for (let d = Date.UTC(2024, 10, 1); d <= Date.UTC(2026, 1, 28); d += 86_400_000) all.push(bar(new Date(d).toISOString().slice(0, 10), `${1 + (d / 86_400_000) % 97}.5`));
    const pieces = [all.slice(0, 200), all.slice(150, 400), all.slice(380)];
    const counts = await Promise.all(pieces.map((p) => writer.writeDailyBars(user, GBPUSD, 'ecb', p)));
    expect(counts.reduce((a, b) => a + b, 0)).toBe(all.length);
    expect(await writer.writeDailyBars(user, GBPUSD, 'ecb', all)).toBe(0);
    expect(await writer.readDailyBars(user, GBPUSD)).toEqual(all);
    expect((await writer.readDocs(user, GBPUSD)).map((d) => d.period)).toEqual(['2024', '2025', '2026']);
  });

  it('refuses bad input with nothing stored', async () => {
    const user = await createUser(t.db);
    const bad: [DailyBar[], RegExp][] = [
      [[bar('2026-02-30', '1')], /real date/],
      [[bar('2026-02-03', '1.2.3')], /close of 2026-02-03/],
      [[bar('2026-02-03', 'NaN')], /close/],
      [[bar('2026-02-03', '1', { volume: '1e5' })], /volume/],
      [[bar('2026-02-03', '1'), bar('2026-02-03', '2')], /two different bars/],
      [[bar('2026-02-02', '1'), { date: '2026-02-03', close: 2 } as unknown as DailyBar], /close of 2026-02-03/],
    ];
    for (const [bars, message] of bad) await expect(writer.writeDailyBars(user, VWRL, 'yahoo', bars)).rejects.toThrow(message);
    await expect(writer.writeDailyBars(user, { ...VWRL, currency: 'gbp' }, 'yahoo', [bar('2026-02-03', '1')])).rejects.toThrow(QuoteDataError);
    await expect(writer.writeDailyBars(user, VWRL, '', [bar('2026-02-03', '1')])).rejects.toThrow(/source/);
    expect((await pullAll(user)).documents).toHaveLength(0);

    expect(await writer.writeDailyBars(user, VWRL, 'yahoo', [bar('2026-02-03', '1')])).toBe(1);
    await expect(writer.writeDailyBars(user, { ...VWRL, currency: 'USD' }, 'yahoo', [bar('2026-02-04', '1')])).rejects.toThrow(/quoted in GBP/);
    expect(await writer.readDailyBars(user, VWRL)).toEqual([bar('2026-02-03', '1')]);
  });

  it('keeps the latest price apart, newest asOf wins, and hints only when it changed', async () => {
    const user = await createUser(t.db);
    const hints = hintsFor(user);
    expect(await writer.readLatest(user, VWRL)).toBeNull();
    await writer.writeLatest(user, VWRL, { price: '101.25', asOf: '2026-12-07T09:15:00+00:00', source: 'yahoo' });
    await writer.writeLatest(user, VWRL, { price: '101.25', asOf: '2026-12-07T09:15:00+00:00', source: 'yahoo' });
    expect(hints).toHaveLength(1);
    await writer.writeLatest(user, VWRL, { price: '99', asOf: '2026-12-07T09:00:00+00:00', source: 'yahoo' });
    expect(await writer.readLatest(user, VWRL)).toEqual({ price: '101.25', asOf: '2026-12-07T09:15:00+00:00', source: 'yahoo' });
    await writer.writeLatest(user, VWRL, { price: '102', asOf: '2026-12-07T10:30:00+01:00', source: 'yahoo' });
    expect(await writer.readLatest(user, VWRL)).toEqual({ price: '102', asOf: '2026-12-07T10:30:00+01:00', source: 'yahoo' });
    expect(hints).toHaveLength(2);
    await expect(writer.writeLatest(user, VWRL, { price: '-', asOf: '2026-12-07T10:30:00Z', source: 'yahoo' })).rejects.toThrow(/latest price/);
    await expect(writer.writeLatest(user, VWRL, { price: '1', asOf: '2026-12-07T10:30:00', source: 'yahoo' })).rejects.toThrow(/offset/);
    // The latest price is not a day of history.
    expect(await writer.readDailyBars(user, VWRL)).toEqual([]);
    const docs = (await pullAll(user)).documents as unknown as QuoteDoc[];
    expect(docs.map((d) => d.period)).toEqual(['latest']);
  });

  it('keeps two users holding the same series apart (ids name the owner; row-level security hides the other)', async () => {
    const a = await createUser(t.db);
    const b = await createUser(t.db);
    expect(await writer.writeDailyBars(a, VWRL, 'yahoo', [bar('2026-03-02', '1')])).toBe(1);
    expect(await writer.writeDailyBars(b, VWRL, 'yahoo', [bar('2026-03-02', '2'), bar('2026-03-03', '3')])).toBe(2);
    await writer.writeLatest(a, VWRL, { price: '1.5', asOf: '2026-03-02T15:00:00Z', source: 'yahoo' });
    await writer.writeLatest(b, VWRL, { price: '3.5', asOf: '2026-03-03T15:00:00Z', source: 'yahoo' });
    expect(await writer.readDailyBars(a, VWRL)).toEqual([bar('2026-03-02', '1')]);
    expect(await writer.readDailyBars(b, VWRL)).toEqual([bar('2026-03-02', '2'), bar('2026-03-03', '3')]);
    expect((await writer.readLatest(a, VWRL))?.price).toBe('1.5');
    const pulledA = (await pullAll(a)).documents.map((d) => d.id);
    const pulledB = (await pullAll(b)).documents.map((d) => d.id);
    expect(pulledA).toHaveLength(2);
    expect(pulledB).toHaveLength(2);
    expect(pulledA.some((id) => pulledB.includes(id))).toBe(false);
  });
});
