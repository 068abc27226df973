import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { crossRate, parseEcbXml } from '../feeds/ecb.ts';
import type { FieldCipher } from '../crypto/field-cipher.ts';
import { createFeeds, type Feeds } from '../feeds/feeds.ts';
import { account, asset, seedBook, trade } from '../feeds/testing/book-fixtures.ts';
import { ReplayServer } from '../feeds/testing/replay-server.ts';
import { createUser, openTestDatabase, testBackends, testCipher, type TestDatabase } from '../testing/harness.ts';
import { PostgresDatabase, runtimeUrlFrom } from '../store/postgres-database.ts';
import type { JobName } from './runner.ts';

/**
 * The feed jobs end to end on the server: real provider code against the replay server, the real quote
 * writer, the job records in feed_jobs and the backoff in feed_providers, on PGlite and PostgreSQL.
 */
const T0 = Date.parse('2026-12-04T18:00:00Z');

describe.each(testBackends())('feed jobs (%s)', (backend) => {
  let t: TestDatabase;
  let cipher: FieldCipher;
  let replay: ReplayServer;
  let clock = T0;
  const slept: number[] = [];
  let feeds: Feeds;

  const make = (over: { chunkDays?: number } = {}) =>
    createFeeds({ db: t.db, cipher, baseCurrency: 'GBP' }, {
      config: replay.config({ backfillChunkDays: over.chunkDays ?? 365 }),
      now: () => clock,
      sleep: async (ms) => {
        slept.push(ms);
        await new Promise((r) => setTimeout(r, ms));
      },
      log: () => undefined,
      ecbCacheMs: 0,
    });

  beforeAll(async () => {
    t = await openTestDatabase(backend);
    cipher = testCipher();
    replay = await ReplayServer.start();
  }, 120_000);
  afterAll(async () => {
    await replay.close();
    await t.dispose();
  });
  beforeEach(async () => {
    clock = T0;
    slept.length = 0;
    replay.clear();
    // Each test starts with no backoff and no job record; users stay (each test makes its own).
    await t.db.asOwner((sql) => sql.query('DELETE FROM feed_providers'));
    await t.db.asOwner((sql) => sql.query('DELETE FROM feed_jobs'));
    // Every test's users are alone with their own data: earlier tests' users are removed.
    await t.db.asOwner((sql) => sql.query('DELETE FROM users'));
    feeds = make();
  });

  async function holder(a = asset()) {
    const userId = await createUser(t.db);
    const acc = account();
    await seedBook(t.db, cipher, userId, { accounts: [acc], assets: [a], trades: [trade(acc.id, a.id, { date: '2026-09-10' })] });
    return { userId, asset: a };
  }

  async function record(job: JobName) {
    const res = await t.db.withUser(null, (sql) => sql.query<{ last_run_at: Date | null; last_success_at: Date | null; last_error: string | null; last_error_at: Date | null; last_summary: Record<string, unknown> }>(
      'SELECT last_run_at, last_success_at, last_error, last_error_at, last_summary FROM feed_jobs WHERE job = $1', [job]));
    return res.rows[0] ?? null;
  }

  const nothingStored = async (userId: string, series: string) => {
    expect(await feeds.writer.readLatest(userId, { kind: 'price', series })).toBeNull();
    expect(await feeds.writer.readDailyBars(userId, { kind: 'price', series })).toEqual([]);
  };

  it('the prices job stores the latest price of every held asset (and its day\'s close) and records its success', async () => {
    const { userId } = await holder();
    const btc = await holder(asset({ symbol: 'BTC', name: 'Bitcoin', kind: 'crypto', provider: 'coingecko', providerId: 'bitcoin', isin: null }));
    const out = await feeds.runner.runOnce(feeds.job('prices'));
    expect(out).toMatchObject({ status: 'ok', problems: [] });
    expect(await feeds.writer.readLatest(userId, { kind: 'price', series: 'VWRL.L' })).toEqual({ price: '126.21', asOf: '2026-12-04T16:30:00.000Z', source: 'yahoo' });
    expect(await feeds.writer.readDailyBars(userId, { kind: 'price', series: 'VWRL.L' })).toEqual([{ date: '2026-12-04', open: null, high: null, low: null, close: '126.21', volume: null }]);
    expect((await feeds.writer.readLatest(btc.userId, { kind: 'price', series: 'BTC' }))?.source).toBe('coingecko');
    const r = await record('prices');
    expect(r?.last_success_at?.toISOString()).toBe('2026-12-04T18:00:00.000Z');
    expect(r?.last_error).toBeNull();
    expect(r?.last_summary).toMatchObject({ users: 2, series: 2, written: 2, refused: 0 });
  });

  it('an asset sold out of is not priced every 15 minutes; a manual asset never goes to a provider', async () => {
    const userId = await createUser(t.db);
    const acc = account();
    const sold = asset();
    const manual = asset({ symbol: 'HOUSE', name: 'Flat', kind: 'other', provider: 'manual', providerId: null, isin: null });
    await seedBook(t.db, cipher, userId, { accounts: [acc], assets: [sold, manual], trades: [
      trade(acc.id, sold.id, { date: '2026-09-10' }), trade(acc.id, sold.id, { kind: 'sell', date: '2026-10-01', quantity: '10', amount: 120_000 }),
      trade(acc.id, manual.id, { date: '2026-09-10', quantity: '1', unitPrice: '250000', amount: -25_000_000 }),
    ] });
    await feeds.runner.runOnce(feeds.job('prices'));
    expect(replay.requests).toEqual([]);
  });

  it('a 429 with a short Retry-After is waited out, then the answer is stored', async () => {
    const { userId } = await holder();
    replay.once('/chart/VWRL.L', { status: 429, headers: { 'Retry-After': '1' }, body: 'Too Many Requests' });
    const out = await feeds.runner.runOnce(feeds.job('prices'));
    expect(out.status).toBe('ok');
    const calls = replay.requestsTo('/chart/VWRL.L');
    expect(calls).toHaveLength(2);
    expect(slept).toEqual([1000]);
    expect(calls[1]!.at - calls[0]!.at).toBeGreaterThanOrEqual(990);
    expect((await feeds.writer.readLatest(userId, { kind: 'price', series: 'VWRL.L' }))?.price).toBe('126.21');
  });

  it('a 429 with a long Retry-After pauses the provider for that long, for every job', async () => {
    const { userId } = await holder();
    replay.once('/chart/VWRL.L', { status: 429, headers: { 'Retry-After': '600' }, body: 'Too Many Requests' });
    expect((await feeds.runner.runOnce(feeds.job('prices'))).status).toBe('ok');
    expect((await record('prices'))?.last_error).toMatch(/429/);
    await nothingStored(userId, 'VWRL.L');
    clock += 599_000;
    await feeds.runner.runOnce(feeds.job('backfill'));
    expect(replay.requestsTo('/chart/')).toHaveLength(1);
    expect((await record('backfill'))?.last_error).toMatch(/backing off/);
    clock += 2_000;
    await feeds.runner.runOnce(feeds.job('prices'));
    expect((await feeds.writer.readLatest(userId, { kind: 'price', series: 'VWRL.L' }))?.price).toBe('126.21');
  });

  it('a 500 backs the provider off (1 minute, then doubling): no request until then, and the error is recorded', async () => {
    const { userId } = await holder();
    replay.once('/chart/VWRL.L', { status: 500, body: 'Internal Server Error' });
    await feeds.runner.runOnce(feeds.job('prices'));
    await nothingStored(userId, 'VWRL.L');
    const r = await record('prices');
    expect(r?.last_error).toMatch(/yahoo: answered 500/);
    expect(r?.last_success_at).toBeNull();
    expect(await feeds.gate.state('yahoo')).toMatchObject({ failures: 1, backoffUntil: '2026-12-04T18:01:00.000Z' });
    clock += 30_000;
    await feeds.runner.runOnce(feeds.job('prices'));
    expect(replay.requestsTo('/chart/VWRL.L')).toHaveLength(1);
    clock += 31_000;
    replay.once('/chart/VWRL.L', { status: 503, body: 'Service Unavailable' });
    await feeds.runner.runOnce(feeds.job('prices'));
    expect(await feeds.gate.state('yahoo')).toMatchObject({ failures: 2, backoffUntil: new Date(clock + 120_000).toISOString() });
    clock += 121_000;
    const ok = await feeds.runner.runOnce(feeds.job('prices'));
    expect(ok).toMatchObject({ status: 'ok', problems: [] });
    expect(await feeds.gate.state('yahoo')).toMatchObject({ failures: 0, backoffUntil: null });
    expect((await record('prices'))?.last_success_at?.getTime()).toBe(clock);
  });

  const broken: [string, string, Parameters<ReplayServer['once']>[1], RegExp][] = [
    ['malformed JSON', '/chart/VWRL.L', { body: '{"chart":{"result":[{"meta":{"currency":"GBP"' }, /JSON|pars/i],
    ['a missing field', '/chart/VWRL.L', { edit: (r) => { const x = r as { chart: { result: [{ meta: Record<string, unknown> }] } }; delete x.chart.result[0].meta.regularMarketTime; return x; } }, /regularMarketTime|malformed|schema|valid/i],
    ['a negative price', '/chart/VWRL.L', { edit: (r) => { const x = r as { chart: { result: [{ meta: Record<string, unknown> }] } }; x.chart.result[0].meta.regularMarketPrice = -126.21; return x; } }, /not a positive number/],
    ['a NaN price', '/simple/price', { body: { bitcoin: { gbp: 'NaN', last_updated_at: Math.floor(T0 / 1000) - 60 } } }, /not a positive number/],
    ['a date in the future', '/chart/VWRL.L', { edit: (r) => { const x = r as { chart: { result: [{ meta: Record<string, unknown> }] } }; x.chart.result[0].meta.regularMarketTime = Math.floor(T0 / 1000) + 2 * 86_400; return x; } }, /future/],
  ];
  for (const [what, path, answer, message] of broken) {
    it(`an answer with ${what} is refused: nothing stored, the job's error recorded`, async () => {
      const crypto = path === '/simple/price';
      const { userId, asset: a } = await holder(crypto ? asset({ symbol: 'BTC', name: 'Bitcoin', kind: 'crypto', provider: 'coingecko', providerId: 'bitcoin', isin: null }) : asset());
      replay.once(path, answer);
      const out = await feeds.runner.runOnce(feeds.job('prices'));
      expect(out.status).toBe('ok');
      await nothingStored(userId, a.symbol);
      const r = await record('prices');
      expect(r?.last_error).toMatch(message);
      expect(r?.last_error_at?.getTime()).toBe(T0);
      expect(r?.last_success_at).toBeNull();
      // A refused answer is not the provider being down: no backoff.
      expect((await feeds.gate.state(crypto ? 'coingecko' : 'yahoo')).backoffUntil).toBeNull();
    });
  }

  it('the backfill stores history from the first trade date; interrupted half-way, the next run resumes where it stopped without storing a day twice', async () => {
    feeds = make({ chunkDays: 30 });
    const { userId } = await holder();
    // The third chunk's request fails: two chunks are stored, the rest not.
    replay.once('/chart/VWRL.L', { status: 500, body: 'Internal Server Error' }, (q) => Number(q.get('period1')) === Date.parse('2026-11-09T00:00:00Z') / 1000);
    await feeds.runner.runOnce(feeds.job('backfill'));
    const half = await feeds.writer.readDailyBars(userId, { kind: 'price', series: 'VWRL.L' });
    expect(half[0]!.date).toBe('2026-09-10');
    expect(half.at(-1)!.date).toBe('2026-11-06');
    expect((await record('backfill'))?.last_error).toMatch(/500/);
    const firstRun = replay.requestsTo('/chart/VWRL.L').length;
    expect(firstRun).toBe(3);

    clock += 61_000; // past the provider's backoff
    replay.requests.length = 0;
    const out = await feeds.runner.runOnce(feeds.job('backfill'));
    expect(out).toMatchObject({ status: 'ok', problems: [] });
    // Resumed from the newest stored day: one chunk to today, nothing asked again before it.
    const asked = replay.requestsTo('/chart/VWRL.L').map((r) => new Date(Number(r.query.get('period1')) * 1000).toISOString().slice(0, 10));
    expect(asked).toEqual(['2026-11-06']);
    const all = await feeds.writer.readDailyBars(userId, { kind: 'price', series: 'VWRL.L' });
    const dates = all.map((b) => b.date);
    expect(new Set(dates).size).toBe(dates.length);
    expect(dates[0]).toBe('2026-09-10');
    expect(dates.at(-1)).toBe('2026-12-04');
    // Every weekday of the recording from the first trade on, once.
    const weekdays: string[] = [];
    for (let d = Date.parse('2026-09-10T00:00:00Z'); d <= Date.parse('2026-12-04T00:00:00Z'); d += 86_400_000) if (![0, 6].includes(new Date(d).getUTCDay())) weekdays.push(new Date(d).toISOString().slice(0, 10));
    expect(dates).toEqual(weekdays);
    // The stored rows themselves: one year document for 2026 holding each day once.
    const rows = await t.db.withUser(userId, (sql) => sql.query<{ doc: { period: string; days: number[] } }>("SELECT doc FROM quotes WHERE doc->>'series' = 'VWRL.L' AND doc->>'period' <> 'latest'"));
    expect(rows.rows.map((r) => r.doc.period)).toEqual(['2026']);
    expect(rows.rows[0]!.doc.days).toHaveLength(weekdays.length);
    // A third run only tops up from the newest day.
    replay.requests.length = 0;
    await feeds.runner.runOnce(feeds.job('backfill'));
    expect(replay.requestsTo('/chart/VWRL.L')).toHaveLength(1);
    expect(await feeds.writer.readDailyBars(userId, { kind: 'price', series: 'VWRL.L' })).toEqual(all);
  });

  it('the FX job keeps every currency in use against the base: Yahoo\'s pair, the ECB when Yahoo fails', async () => {
    const userId = await createUser(t.db);
    const acc = account({ currency: 'USD', type: 'current' });
    await seedBook(t.db, cipher, userId, { accounts: [acc] });
    expect(await feeds.runner.runOnce(feeds.job('fx'))).toMatchObject({ status: 'ok', problems: [] });
    const latest = await feeds.writer.readLatest(userId, { kind: 'fx', series: 'USD/GBP' });
    expect(latest?.source).toBe('yahoo');
    const week = await feeds.writer.readDailyBars(userId, { kind: 'fx', series: 'USD/GBP' });
    expect(week.map((b) => b.date)).toEqual(['2026-11-27', '2026-11-30', '2026-12-01', '2026-12-02', '2026-12-03', '2026-12-04']);
    // Yahoo down: the ECB's rate, worked out from its euro rates.
    replay.always('/chart/USDGBP=X', { status: 502, body: 'Bad Gateway' });
    clock += 3_600_000;
    expect(await feeds.runner.runOnce(feeds.job('fx'))).toMatchObject({ status: 'ok', problems: [] });
    // The latest stays Yahoo's (17:55 UTC): the ECB's 15:00 rate is older, and a latest price never goes back.
    expect(await feeds.writer.readLatest(userId, { kind: 'fx', series: 'USD/GBP' })).toMatchObject({ source: 'yahoo' });
    // The week's daily rates are now the ECB's.
    const ecb = parseEcbXml(readFileSync(new URL('../feeds/__fixtures__/ecb-eurofxref-hist-90d.xml', import.meta.url), 'utf8'));
    const bars = await feeds.writer.readDailyBars(userId, { kind: 'fx', series: 'USD/GBP' }, { from: '2026-12-03', to: '2026-12-03' });
    expect(bars[0]!.close).toBe(crossRate(ecb.find((d) => d.date === '2026-12-03')!, 'USD', 'GBP'));
    expect(replay.requestsTo('eurofxref-hist-90d.xml')).toHaveLength(1);
  });

  if (backend === 'postgres') {
    it('two server processes on one PostgreSQL: a job started by both at once runs once', async () => {
      await holder();
      const second = PostgresDatabase.open({ ownerUrl: t.ownerUrl!, appUrl: runtimeUrlFrom(t.ownerUrl!, process.env.TEST_DB_APP_PASSWORD) });
      try {
        const other = createFeeds({ db: second, cipher, baseCurrency: 'GBP' }, { config: replay.config(), now: () => clock, log: () => undefined, holder: 'process-b' });
        // A slow provider keeps the first run inside the job while the second tries.
        replay.once('/chart/VWRL.L', { delayMs: 600 });
        const [a, b] = await Promise.all([feeds.runner.runOnce(feeds.job('prices')), other.runner.runOnce(other.job('prices'))]);
        expect([a.status, b.status].sort()).toEqual(['busy', 'ok']);
        expect(replay.requestsTo('/chart/VWRL.L')).toHaveLength(1);
        // Once the first has finished, the job is free again for either.
        expect((await other.runner.runOnce(other.job('prices'))).status).toBe('ok');
      } finally {
        await second.close();
      }
    });
  }
});
