import request from 'supertest';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createApp } from '../http/app.ts';
import type { Services } from '../services.ts';
import { openTestServices, signedInUser, testBackends } from '../testing/harness.ts';
import { createFeeds, installFeeds, type Feeds } from './feeds.ts';
import { account, asset, seedBook, settings, trade } from './testing/book-fixtures.ts';
import { ReplayServer } from './testing/replay-server.ts';

/** The feeds' HTTP side through the real app: status, asset search, manual prices, and the health report. */
describe.each(testBackends())('feed routes (%s)', (backend) => {
  let services: Services;
  let app: ReturnType<typeof createApp>;
  let replay: ReplayServer;
  let feeds: Feeds;
  let user: { userId: string; token: string };
  const auth = () => ({ Authorization: `Bearer ${user.token}` });

  beforeAll(async () => {
    ({ services } = await openTestServices(backend));
    replay = await ReplayServer.start();
    feeds = createFeeds({ db: services.db, cipher: services.cipher, baseCurrency: 'GBP' }, { config: replay.config(), log: () => undefined });
    installFeeds(services, feeds);
    app = createApp(services, { log: () => undefined });
  }, 120_000);
  afterAll(async () => {
    await replay.close();
    await services.close();
  });
  beforeEach(async () => {
    replay.clear();
    await services.db.asOwner((sql) => sql.query('DELETE FROM feed_providers'));
    user = await signedInUser(services);
  });

  it('GET /feeds/status: each job with its schedule, last run, success and error, and each provider; signed-in only', async () => {
    await request(app).get('/api/v1/feeds/status').expect(401);
    const acc = account();
    const a = asset();
    await seedBook(services.db, services.cipher, user.userId, { accounts: [acc], assets: [a], trades: [trade(acc.id, a.id)] });
    await feeds.runner.runOnce(feeds.job('prices'));
    const res = await request(app).get('/api/v1/feeds/status').set(auth()).expect(200);
    expect(res.body.jobs.map((j: { name: string }) => j.name)).toEqual(['prices', 'backfill', 'fx', 'net-worth']);
    const prices = res.body.jobs[0];
    expect(prices).toMatchObject({ schedule: '*/15 * * * *', lastError: null, running: false, degraded: false });
    expect(Date.parse(prices.lastSuccessAt)).toBeGreaterThan(Date.now() - 60_000);
    expect(res.body.providers.map((p: { name: string }) => p.name)).toEqual(['yahoo', 'coingecko', 'ecb']);
    expect(res.body.providers[0].lastSuccessAt).not.toBeNull();
  });

  it('GET /assets/search finds by name, symbol and ISIN across Yahoo and CoinGecko', async () => {
    const byName = await request(app).get('/api/v1/assets/search').query({ q: 'vanguard all-world' }).set(auth()).expect(200);
    expect(byName.body).toMatchObject({ query: 'vanguard all-world', partial: false, problems: [] });
    expect(byName.body.results[0]).toMatchObject({ provider: 'yahoo', symbol: 'VWRL.L', kind: 'etf' });
    const byIsin = await request(app).get('/api/v1/assets/search').query({ q: 'IE00B3RBWM25' }).set(auth()).expect(200);
    expect(byIsin.body.results[0]).toMatchObject({ symbol: 'VWRL.L', isin: 'IE00B3RBWM25' });
    const coin = await request(app).get('/api/v1/assets/search').query({ q: 'bitcoin' }).set(auth()).expect(200);
    expect(coin.body.results.map((r: { providerId: string }) => r.providerId)).toEqual(['bitcoin', 'wrapped-bitcoin']);
  });

  it('GET /assets/search: a bad query is a 422, one provider down gives a partial answer, both down a 503 — as problem+json', async () => {
    const bad = await request(app).get('/api/v1/assets/search').query({ q: '   ' }).set(auth()).expect(422);
    expect(bad.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(bad.body.errors[0].path).toBe('query.q');
    await request(app).get('/api/v1/assets/search').query({ q: 'x'.repeat(65) }).set(auth()).expect(422);
    replay.once('/coingecko/api/v3/search', { status: 500, body: 'oops' });
    const partial = await request(app).get('/api/v1/assets/search').query({ q: 'apple' }).set(auth()).expect(200);
    expect(partial.body).toMatchObject({ partial: true, problems: ['coingecko: answered 500'] });
    expect(partial.body.results[0].symbol).toBe('AAPL');
    await services.db.asOwner((sql) => sql.query('DELETE FROM feed_providers'));
    replay.once('/yahoo/v1/finance/search', { status: 429, headers: { 'Retry-After': '120' }, body: 'Too Many Requests' });
    replay.once('/coingecko/api/v3/search', { body: '<html>Cloudflare</html>' });
    const down = await request(app).get('/api/v1/assets/search').query({ q: 'apple' }).set(auth()).expect(503);
    expect(down.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(down.headers['retry-after']).toBe('120');
    expect(down.body.type).toMatch(/feed-unavailable/);
  });

  it('GET /assets/search is rate-limited per user (30 a minute)', async () => {
    for (let i = 0; i < 30; i++) await request(app).get('/api/v1/assets/search').query({ q: 'VWRL' }).set(auth()).expect(200);
    const limited = await request(app).get('/api/v1/assets/search').query({ q: 'VWRL' }).set(auth()).expect(429);
    expect(limited.headers['retry-after']).toMatch(/^\d+$/);
    const other = await signedInUser(services);
    await request(app).get('/api/v1/assets/search').query({ q: 'VWRL' }).set({ Authorization: `Bearer ${other.token}` }).expect(200);
  });

  it('POST /assets/:id/price stores a typed price for a manual asset (source "manual"); refused for a provider\'s asset, a future date or a bad price', async () => {
    const house = asset({ symbol: 'FLAT-1', name: 'Flat', kind: 'other', provider: 'manual', providerId: null, isin: null });
    const listed = asset();
    await seedBook(services.db, services.cipher, user.userId, { assets: [house, listed], settings: [settings()] });
    const ok = await request(app).post(`/api/v1/assets/${house.id}/price`).set(auth()).send({ price: '250000.00', date: '2026-11-30' }).expect(201);
    expect(ok.body).toEqual({ assetId: house.id, series: 'FLAT-1', date: '2026-11-30', price: '250000', currency: 'GBP', source: 'manual' });
    expect(await feeds.writer.readDailyBars(user.userId, { kind: 'price', series: 'FLAT-1' })).toEqual([{ date: '2026-11-30', open: null, high: null, low: null, close: '250000', volume: null }]);
    expect(await feeds.writer.readLatest(user.userId, { kind: 'price', series: 'FLAT-1' })).toEqual({ price: '250000', asOf: '2026-11-30T12:00:00.000Z', source: 'manual' });
    // An older price joins the history without replacing the latest.
    await request(app).post(`/api/v1/assets/${house.id}/price`).set(auth()).send({ price: '240000', date: '2026-06-30' }).expect(201);
    expect((await feeds.writer.readLatest(user.userId, { kind: 'price', series: 'FLAT-1' }))?.price).toBe('250000');
    expect(await feeds.writer.readDailyBars(user.userId, { kind: 'price', series: 'FLAT-1' })).toHaveLength(2);

    const priced = await request(app).post(`/api/v1/assets/${listed.id}/price`).set(auth()).send({ price: '1', date: '2026-11-30' }).expect(409);
    expect(priced.body.type).toMatch(/priced-by-provider/);
    await request(app).post(`/api/v1/assets/${house.id}/price`).set(auth()).send({ price: '1', date: '2999-01-01' }).expect(422);
    for (const price of ['-5', '0', 'NaN', '1e5', '12.3.4']) await request(app).post(`/api/v1/assets/${house.id}/price`).set(auth()).send({ price, date: '2026-11-30' }).expect(422);
    await request(app).post(`/api/v1/assets/${house.id}/price`).set(auth()).send({ price: '5', date: '2026-11-30', source: 'yahoo' }).expect(422);
    // Another user's asset is not found.
    const other = await signedInUser(services);
    await request(app).post(`/api/v1/assets/${house.id}/price`).set({ Authorization: `Bearer ${other.token}` }).send({ price: '1', date: '2026-11-30' }).expect(404);
    expect((await feeds.writer.readLatest(user.userId, { kind: 'price', series: 'FLAT-1' }))?.price).toBe('250000');
  });

  it('/health reports a feed degraded when it has not succeeded for a day', async () => {
    await services.db.asOwner((sql) => sql.query('DELETE FROM feed_jobs'));
    expect((await request(app).get('/api/v1/health').expect(200)).body.feeds).toEqual({ status: 'ok', degraded: [] });
    const hoursAgo = (h: number) => new Date(Date.now() - h * 3_600_000);
    await services.db.asOwner((sql) => sql.query(
      `INSERT INTO feed_jobs (job, last_run_at, last_success_at) VALUES ('prices', $1, $2), ('net-worth', $1, $3), ('fx', $1, $4)`,
      [hoursAgo(0), hoursAgo(23), hoursAgo(24.5), hoursAgo(25)]));
    // prices 23 h ago: fine; net worth (daily) 24.5 h ago: fine; FX (hourly) 25 h ago: degraded.
    expect((await request(app).get('/api/v1/health').expect(200)).body.feeds).toEqual({ status: 'degraded', degraded: ['fx'] });
    await services.db.asOwner((sql) => sql.query(`UPDATE feed_jobs SET last_success_at = $1 WHERE job = 'fx'`, [hoursAgo(0)]));
    expect((await request(app).get('/api/v1/health').expect(200)).body.feeds.status).toBe('ok');
  });
});
