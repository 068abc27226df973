import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createProviders, type Providers } from './providers.ts';
import { ReplayServer } from './testing/replay-server.ts';
import { ProviderError } from './types.ts';
import { crossRate, parseEcbXml } from './ecb.ts';

/** The providers' real code against the replay server's recorded answers (no internet). */
const NOW = Date.parse('2026-12-04T18:00:00Z');

describe('feed providers against recorded answers', () => {
  let replay: ReplayServer;
  let providers: Providers;
  beforeAll(async () => {
    replay = await ReplayServer.start();
    providers = createProviders(replay.config(), { now: () => NOW, log: () => undefined, ecbCacheMs: 0 });
  });
  beforeEach(() => replay.clear());
  afterAll(async () => {
    await replay.close();
  });

  it('Yahoo: the latest price of an ETF from chart meta, as decimal text with its time and market date', async () => {
    const q = await providers.yahoo.latest('VWRL.L');
    expect(q).toEqual({ price: '126.21', asOf: '2026-12-04T16:30:00.000Z', date: '2026-12-04', currency: 'GBP' });
    expect(replay.requestsTo('/yahoo/v8/finance/chart/VWRL.L')).toHaveLength(1);
  });

  it('Yahoo: daily OHLCV in a date range, float32 noise trimmed, market dates, oldest first', async () => {
    const { currency, bars } = await providers.yahoo.daily('VWRL.L', 'GBP', '2026-11-23', '2026-11-27');
    expect(currency).toBe('GBP');
    expect(bars.map((b) => b.date)).toEqual(['2026-11-23', '2026-11-24', '2026-11-25', '2026-11-26', '2026-11-27']);
    for (const b of bars) {
      for (const v of [b.open, b.high, b.low, b.close]) expect(v).toMatch(/^\d+\.\d{1,4}$/);
      expect(Number(b.high)).toBeGreaterThanOrEqual(Number(b.low));
      expect(b.volume).toMatch(/^\d+$/);
    }
  });

  it('Yahoo: a London share quoted in pence (GBp) is stored in pounds', async () => {
    const latest = await providers.yahoo.latest('LGEN.L');
    expect(latest.currency).toBe('GBP');
    expect(Number(latest.price)).toBeGreaterThan(1);
    expect(Number(latest.price)).toBeLessThan(5);
    const { currency, bars } = await providers.yahoo.daily('LGEN.L', 'GBP', '2026-12-01', '2026-12-04');
    expect(currency).toBe('GBP');
    expect(bars).toHaveLength(4);
    expect(Number(bars[0]!.close)).toBeLessThan(5);
  });

  it('Yahoo: a New York share keeps New York dates (bars open at 14:30 UTC)', async () => {
    const { bars } = await providers.yahoo.daily('AAPL', 'USD', '2026-12-01', '2026-12-04');
    expect(bars.map((b) => b.date)).toEqual(['2026-12-01', '2026-12-02', '2026-12-03', '2026-12-04']);
  });

  it('Yahoo: search by name, symbol and ISIN; news and non-Yahoo entries left out, crypto left to CoinGecko', async () => {
    const byName = await providers.yahoo.search('vanguard all-world');
    expect(byName.map((h) => h.symbol)).toEqual(['VWRL.L', 'VWRL.AS', 'VWRD.L']);
    expect(byName[0]).toMatchObject({ provider: 'yahoo', providerId: 'VWRL.L', kind: 'etf', exchange: 'London', isin: null });
    const byIsin = await providers.yahoo.search('IE00B3RBWM25');
    expect(byIsin[0]).toMatchObject({ symbol: 'VWRL.L', isin: 'IE00B3RBWM25' });
    expect((await providers.yahoo.search('apple')).map((h) => h.symbol)).toEqual(['AAPL', 'APC.F']);
    expect(await providers.yahoo.search('bitcoin')).toEqual([]);
  });

  it('CoinGecko: latest price, daily closes (the last point of each UTC day) with volumes, search', async () => {
    const q = await providers.coingecko.latest('bitcoin', 'GBP');
    expect(q.currency).toBe('GBP');
    expect(q.asOf).toBe('2026-12-04T17:41:12.000Z');
    expect(q.price).toMatch(/^\d+\.\d+$/);
    const { bars } = await providers.coingecko.daily('bitcoin', 'GBP', '2026-12-01', '2026-12-04');
    expect(bars.map((b) => b.date)).toEqual(['2026-12-01', '2026-12-02', '2026-12-03', '2026-12-04']);
    expect(bars[3]!.close).toBe(q.price);
    expect(bars.every((b) => b.open === null && b.volume !== null)).toBe(true);
    const hits = await providers.coingecko.search('bitcoin');
    expect(hits[0]).toEqual({ provider: 'coingecko', providerId: 'bitcoin', symbol: 'BTC', name: 'Bitcoin', kind: 'crypto', exchange: null, currency: null, isin: null });
  });

  it('ECB: cross rates from the euro reference rates in decimal arithmetic, daily and history', async () => {
    const latest = await providers.ecb.latest('USD/GBP');
    const day = parseEcbXml((await (await fetch(`${replay.origin}/ecb/stats/eurofxref/eurofxref-daily.xml`)).text()))[0]!;
    expect(latest).toEqual({ price: crossRate(day, 'USD', 'GBP'), asOf: '2026-12-04T15:00:00.000Z', date: '2026-12-04', currency: 'GBP' });
    expect(crossRate({ date: '2026-12-04', rates: { USD: '1.0542', GBP: '0.8305' } }, 'USD', 'GBP')).toBe('0.787801176247');
    expect(crossRate({ date: '2026-12-04', rates: { GBP: '0.8305' } }, 'EUR', 'GBP')).toBe('0.8305');
    const { currency, bars } = await providers.ecb.daily('GBP/USD', 'USD', '2026-11-30', '2026-12-04');
    expect(currency).toBe('USD');
    expect(bars.map((b) => b.date)).toEqual(['2026-11-30', '2026-12-01', '2026-12-02', '2026-12-03', '2026-12-04']);
  });

  it('refuses, as a malformed answer: a body that is not JSON, a missing field, a negative or NaN price, a future date', async () => {
    const refused = async (run: () => Promise<unknown>) => {
      const err = await run().then(() => null, (e: unknown) => e);
      expect(err).toBeInstanceOf(ProviderError);
      expect((err as ProviderError).kind).toBe('malformed');
      return (err as ProviderError).message;
    };
    replay.once('/chart/VWRL.L', { body: '{"chart":{"result":[{"meta":' });
    expect(await refused(() => providers.yahoo.latest('VWRL.L'))).toMatch(/JSON|pars/i);
    replay.once('/chart/VWRL.L', { edit: (r) => { const x = r as { chart: { result: [{ meta: Record<string, unknown> }] } }; delete x.chart.result[0].meta.regularMarketPrice; return x; } });
    await refused(() => providers.yahoo.latest('VWRL.L'));
    replay.once('/chart/VWRL.L', { edit: (r) => { const x = r as { chart: { result: [{ indicators: { quote: [{ close: number[] }] } }] } }; x.chart.result[0].indicators.quote[0].close[1] = -4.2; return x; } });
    expect(await refused(() => providers.yahoo.daily('VWRL.L', 'GBP', '2026-11-23', '2026-11-27'))).toMatch(/not a positive number/);
    replay.once('/simple/price', { body: { bitcoin: { gbp: 'NaN', last_updated_at: 1796406072 } } });
    expect(await refused(() => providers.coingecko.latest('bitcoin', 'GBP'))).toMatch(/not a positive number/);
    replay.once('/simple/price', { body: { bitcoin: { gbp: 70000.5, last_updated_at: Math.floor(NOW / 1000) + 86_400 } } });
    expect(await refused(() => providers.coingecko.latest('bitcoin', 'GBP'))).toMatch(/future/);
    replay.once('/market_chart/range', { edit: (r) => { const x = r as { prices: [number, number][] }; x.prices.push([NOW + 3 * 86_400_000, 71000]); return x; } });
    expect(await refused(() => providers.coingecko.daily('bitcoin', 'GBP', '2026-12-01', '2026-12-04'))).toMatch(/future/);
    replay.once('eurofxref-daily.xml', { body: "<gesmes:Envelope xmlns='eurofxref'><Cube><Cube time='2026-12-04'><Cube currency='USD' rate='-1.05'/></Cube></Cube></gesmes:Envelope>" });
    expect(await refused(() => providers.ecb.latest('USD/EUR'))).toMatch(/positive decimal/);
  });

  it('a 429 carries its Retry-After; a 500 is an error answer', async () => {
    replay.once('/simple/price', { status: 429, headers: { 'Retry-After': '30' }, body: { status: { error_code: 429, error_message: "You've exceeded the Rate Limit." } } });
    const limited = (await providers.coingecko.latest('bitcoin', 'GBP').catch((e: unknown) => e)) as ProviderError;
    expect([limited.kind, limited.status, limited.retryAfterMs]).toEqual(['rate-limited', 429, 30_000]);
    replay.once('/chart/AAPL', { status: 500, body: 'Internal Server Error' });
    const failed = (await providers.yahoo.latest('AAPL').catch((e: unknown) => e)) as ProviderError;
    expect([failed.kind, failed.status]).toEqual(['http', 500]);
  });
});
