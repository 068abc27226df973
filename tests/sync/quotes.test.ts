import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { encodeCheckpoint, parseCheckpoint } from '@mymidas/shared/protocol';
import { latestDoc, mergeBars, type SeriesKey } from '@mymidas/shared/quotes';
import type { QuoteDoc } from '@mymidas/shared/schema';
import { writeServerOwned } from '../../sync-server/src/cli/demo-server-owned.ts';
import { testBackends } from '../../sync-server/src/testing/harness.ts';
import { Device } from './device.ts';
import { wireForm, until } from './fixtures.ts';
import { TestSyncServer } from './server.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json', ...headers } });

/**
 * Quotes (prices and FX rates) are server-owned and have text ids such as `price:VWRL.L:2026@<owner>` and
 * `fx:GBP/EUR:latest@<owner>`. Through the client's real transport and RxDB replication against the real
 * server: a new device pulls many pages of them, keeps its checkpoint, and stops when it has them all.
 */
describe.each(testBackends())('quotes through the client sync engine (%s)', (backend) => {
  let server: TestSyncServer;
  const devices: Device[] = [];
  beforeAll(async () => {
    server = await TestSyncServer.open(backend);
  }, 300_000);
  afterEach(async () => {
    for (const d of devices.splice(0)) await d.close();
  });
  afterAll(async () => {
    await server.close();
  });

  /**
   * A user whose server holds, as the server's feeds store them (year documents and a latest price per
   * series, ids naming the owner; written sealed under the user's replication lock): `series` price series
   * and one FX series, each with two years of a few days — three documents a series.
   */
  async function userWithQuotes(series = 150) {
    const user = await server.newUser();
    const docs: QuoteDoc[] = [];
    const hlc = (i: number) => `${String(Date.UTC(2026, 0, 1) + i).padStart(13, '0')}:0000:server`;
    const keys: SeriesKey[] = [...Array.from({ length: series }, (_, i) => ({ kind: 'price' as const, series: `VWRL${i}.L`, currency: 'GBP' })), { kind: 'fx', series: 'GBP/EUR', currency: 'EUR' }];
    for (const [i, key] of keys.entries()) {
      for (const year of [2025, 2026]) {
        const bars = [2, 5, 6].map((d) => ({ date: `${year}-01-0${d}`, open: null, high: null, low: null, close: `${100 + i}.${d}5`, volume: null }));
        docs.push(mergeBars(null, key, year, bars, { source: 'test', asOf: '2026-01-07T00:00:00Z', hlc: hlc(i), owner: user.userId }).doc);
      }
      docs.push(latestDoc(key, { price: `${100 + i}.5`, asOf: '2026-01-07T14:30:00+00:00', source: 'test' }, { hlc: hlc(i + 1000), owner: user.userId }));
    }
    await writeServerOwned(server.services, user.userId, 'quotes', docs);
    return { user, quotes: docs.length };
  }

  for (const bootstrap of [true, false]) {
    it(`a new device pulls every page of quotes with text ids, says Synced, and a restart pulls nothing new (bootstrap ${bootstrap ? 'on' : 'off'})`, async () => {
      const { user, quotes } = await userWithQuotes();
      expect(quotes).toBeGreaterThan(400);
      const device = await Device.open(server, { name: `new-${String(bootstrap)}`, token: () => user.token, collections: ['quotes'], pullBatchSize: 100, bootstrap });
      devices.push(device);
      await device.engine.start();
      await device.engine.awaitInSync();
      await until('the indicator says synced', () => device.status.lastSyncedAt !== null);

      const onServer = await server.pullAll(user.token, 'quotes');
      expect(onServer.some((d) => d.id.startsWith('price:'))).toBe(true);
      expect(onServer.some((d) => d.id.startsWith('fx:'))).toBe(true);
      const onDevice = (await device.replica.db.quotes.find().exec()).map((d) => wireForm(d.toJSON(true)));
      expect(new Map(onDevice.map((d) => [d.id, d]))).toEqual(new Map(onServer.map((d) => [d.id, d])));
      expect(device.status.lastError).toBeNull();
      // One request per page and one empty answer, not the same page again and again.
      const pages = Math.ceil(onServer.length / 100);
      expect(device.pulls.length).toBeLessThanOrEqual(pages + 2);
      // Every pull after the first names the previous page's last quote.
      const sent = device.pulls.slice(1).map((u) => new URL(u).searchParams.get('checkpoint'));
      expect(sent.every((cp) => cp !== null && parseCheckpoint('quotes', cp)!.id.includes(':'))).toBe(true);

      await device.engine.stop();
      const before = device.pulls.length;
      const receivedBefore = device.status.received.length;
      await device.engine.start();
      await device.engine.awaitInSync();
      const again = device.pulls.slice(before);
      // The start's own pull, and at most one more for the event stream's reconnect hint; both from the last quote.
      expect(again.length).toBeGreaterThanOrEqual(1);
      expect(again.length).toBeLessThanOrEqual(2);
      const last = onServer.at(-1)!;
      for (const url of again) expect(parseCheckpoint('quotes', new URL(url).searchParams.get('checkpoint'))?.id).toBe(last.id);
      expect(device.status.received.length).toBe(receivedBefore);
      expect(await device.replica.db.quotes.count().exec()).toBe(onServer.length);
    });
  }

  it('a server that answers a full page without moving the checkpoint on is not asked again and again: sync of it stops and says so', async () => {
    const { user } = await userWithQuotes();
    let firstCheckpoint: string | null = null;
    const device = await Device.open(server, {
      name: 'stuck',
      token: () => user.token,
      collections: ['quotes'],
      pullBatchSize: 50,
      bootstrap: false,
      async rewrite(url, res) {
        if (!url.includes('/replication/quotes/pull')) return res;
        const body = (await res.json()) as { documents: unknown[]; checkpoint: string | null };
        // The first page is answered properly; every later pull gets that first page again, as a broken server would send it.
        const asked = new URL(url).searchParams.get('checkpoint');
        if (asked === null) {
          firstCheckpoint = body.checkpoint;
          return json(200, body);
        }
        return json(200, { documents: body.documents, checkpoint: asked });
      },
    });
    devices.push(device);
    await device.engine.start();
    await until('the stall is reported', () => device.status.problems.some((p) => p.kind === 'stalled'));
    expect(firstCheckpoint).not.toBeNull();
    expect(device.status.events.filter((e) => e.startsWith('failed: ')).at(0)).toMatch(/^failed: Sync of quotes stopped/);
    const pullsAtStall = device.pulls.length;
    await sleep(1_500);
    // Stopped, not spinning: the backoff here is 20–200 ms, so a retry loop would have made a dozen pulls
    // meanwhile. One more is allowed: the event stream's connect hint may arrive after the stall.
    expect(device.pulls.length - pullsAtStall).toBeLessThanOrEqual(1);
    expect(pullsAtStall).toBeLessThanOrEqual(4);
    // The first page was stored; nothing of the repeated answer was.
    expect(await device.replica.db.quotes.count().exec()).toBe(50);
  });

  it('pulls refused with 429 wait for Retry-After and say so, then finish', async () => {
    const { user } = await userWithQuotes();
    const stamps: number[] = [];
    let refusals = 0;
    const device = await Device.open(server, {
      name: 'limited',
      token: () => user.token,
      collections: ['quotes'],
      pullBatchSize: 200,
      rewrite(url, res) {
        if (!url.includes('/replication/quotes/pull')) return res;
        stamps.push(Date.now());
        // The second pull is refused, as the API rate limit would.
        if (stamps.length === 2) {
          refusals++;
          return json(429, { type: 'https://mymidas.app/problems/rate-limited', title: 'Too many requests', status: 429, detail: 'Slow down' }, { 'Retry-After': '2' });
        }
        return res;
      },
    });
    devices.push(device);
    await device.engine.start();
    await until('the wait is reported', () => device.status.problems.some((p) => p.kind === 'rate-limited'));
    const problem = device.status.problems.find((p) => p.kind === 'rate-limited')!;
    expect(device.status.lastError).toMatch(/slow down; sync resumes in 2 s/);
    expect(Date.parse(problem.retryAt!) - stamps[1]!).toBeGreaterThanOrEqual(1_900);
    await device.engine.awaitInSync();
    await until('synced', () => device.status.lastSyncedAt !== null);
    expect(refusals).toBe(1);
    // The retry waited for Retry-After (2 s), not the 20 ms backoff the device would otherwise use.
    expect(stamps[2]! - stamps[1]!).toBeGreaterThanOrEqual(1_900);
    expect(await device.replica.db.quotes.count().exec()).toBe((await server.pullAll(user.token, 'quotes')).length);
  });

  it('the checkpoint codec round-trips every id shape the server hands out', async () => {
    const { user } = await userWithQuotes();
    for (const doc of await server.pullAll(user.token, 'quotes')) {
      const cp = { seq: 42, id: doc.id };
      expect(parseCheckpoint('quotes', encodeCheckpoint(cp))).toEqual(cp);
    }
  });
});
