import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../http/app.ts';
import type { Services } from '../services.ts';
import { openTestServices, signedInUser, testBackends } from '../testing/harness.ts';
import { busFor, MemoryBus, RedisBus, type ChangeBus, type ChangeHint } from './bus.ts';
import { accountDoc } from './fixtures.ts';

/** Reads SSE frames from a fetch body until `until` matches the text received so far. */
async function readUntil(body: ReadableStream<Uint8Array>, until: (text: string) => boolean, timeoutMs = 10_000): Promise<string> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  const deadline = Date.now() + timeoutMs;
  try {
    while (!until(text)) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out; received so far:\n${text}`);
      const chunk = await Promise.race([reader.read(), new Promise<never>((_, rej) => setTimeout(() => rej(new Error(`timed out; received so far:\n${text}`)), left))]);
      if (chunk.done) break;
      text += decoder.decode(chunk.value, { stream: true });
    }
  } finally {
    reader.releaseLock();
  }
  return text;
}

function listen(services: Services): Promise<{ server: Server; base: string }> {
  return new Promise((resolve) => {
    const server = createApp(services, { log: () => undefined }).listen(0, '127.0.0.1', () => {
      resolve({ server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
    });
  });
}

const pushDoc = (base: string, token: string, doc: Record<string, unknown>) =>
  fetch(`${base}/api/v1/replication/accounts/push`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify([{ newDocumentState: doc }]),
  });

describe.each(testBackends())('replication stream on %s', (backend) => {
  let services: Services;
  let server: Server;
  let base: string;

  beforeAll(async () => {
    ({ services } = await openTestServices(backend));
    ({ server, base } = await listen(services));
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    await busFor(services).close();
    await services.close();
  });

  it('says RESYNC on connect, then names the collection after a committed push; other users hear nothing', async () => {
    const alice = await signedInUser(services);
    const bob = await signedInUser(services);
    const ctrl = new AbortController();
    const res = await fetch(`${base}/api/v1/replication/stream`, { headers: { Authorization: `Bearer ${alice.token}` }, signal: ctrl.signal });
    const bobCtrl = new AbortController();
    const bobRes = await fetch(`${base}/api/v1/replication/stream`, { headers: { Authorization: `Bearer ${bob.token}` }, signal: bobCtrl.signal });
    try {
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
      const first = await readUntil(res.body!, (t) => t.includes('data: RESYNC\n\n'));
      expect(first).toContain('data: RESYNC');
      await readUntil(bobRes.body!, (t) => t.includes('RESYNC'));
      expect((await pushDoc(base, alice.token, accountDoc())).status).toBe(200);
      const next = await readUntil(res.body!, (t) => t.includes('event: changed'));
      expect(next).toContain('event: changed\ndata: {"collections":["accounts"]}');
      // Bob's stream stays quiet about Alice's push.
      await expect(readUntil(bobRes.body!, (t) => t.includes('changed'), 500)).rejects.toThrow(/timed out/);
    } finally {
      ctrl.abort();
      bobCtrl.abort();
    }
  });

  it('refuses a stream without a token', async () => {
    const res = await fetch(`${base}/api/v1/replication/stream`);
    expect(res.status).toBe(401);
  });

  it('sends no hint for a push that wrote nothing', async () => {
    const alice = await signedInUser(services);
    const hints: ChangeHint[] = [];
    const off = busFor(services).subscribe(alice.userId, (h) => hints.push(h));
    const bad = await pushDoc(base, alice.token, accountDoc({ currency: 'pounds' }));
    expect((await bad.json()) as unknown).toMatchObject({ written: 0 });
    off();
    expect(hints).toEqual([]);
  });
});

function testBuses(): ('memory' | 'redis')[] {
  if (process.env.TEST_REDIS_URL) return ['memory', 'redis'];
  if (process.env.CI === 'true') throw new Error('CI=true but TEST_REDIS_URL is not set: the Redis replication bus would be left out');
  console.warn('\n*** TEST_REDIS_URL is not set: the replication bus is tested in-process only (Redis NOT tested). ***\n');
  return ['memory'];
}

describe.each(testBuses())('change bus (%s)', (kind) => {
  it('delivers a hint published by one server process to a stream held by another', async () => {
    const prefix = `mymidas-test:${Math.random().toString(36).slice(2)}:`;
    const make = (): ChangeBus => (kind === 'redis' ? new RedisBus(process.env.TEST_REDIS_URL!, prefix) : new MemoryBus());
    const a = make();
    const b = kind === 'redis' ? make() : a; // in-process: one emitter is the whole fan-out
    try {
      if (a instanceof RedisBus) await a.ready;
      if (b instanceof RedisBus) await b.ready;
      const got: ChangeHint[] = [];
      const other: ChangeHint[] = [];
      b.subscribe('user-1', (h) => got.push(h));
      b.subscribe('user-2', (h) => other.push(h));
      await a.publish({ userId: 'user-1', collections: ['transactions'] });
      for (let i = 0; i < 100 && got.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
      expect(got).toEqual([{ userId: 'user-1', collections: ['transactions'] }]);
      expect(other).toEqual([]);
    } finally {
      await a.close();
      if (b !== a) await b.close();
    }
  });
});

describe.each(testBuses())('SSE across two server processes (%s bus)', (kind) => {
  it('a push handled by one app reaches a stream held by another', async () => {
    const { services } = await openTestServices('pglite', kind === 'redis' ? { REDIS_URL: process.env.TEST_REDIS_URL! } : {});
    // With Redis a second process: its own bus, same database and Redis. In-process: a second listener.
    const twin = kind === 'redis' ? { ...services } : services;
    const one = await listen(services);
    const two = await listen(twin);
    const alice = await signedInUser(services);
    const ctrl = new AbortController();
    try {
      expect(busFor(services).kind).toBe(kind);
      const twinBus = busFor(twin);
      if (twinBus instanceof RedisBus) await twinBus.ready;
      const res = await fetch(`${two.base}/api/v1/replication/stream`, { headers: { Authorization: `Bearer ${alice.token}` }, signal: ctrl.signal });
      await readUntil(res.body!, (t) => t.includes('RESYNC'));
      expect((await pushDoc(one.base, alice.token, accountDoc())).status).toBe(200);
      const text = await readUntil(res.body!, (t) => t.includes('event: changed'));
      expect(text).toContain('"collections":["accounts"]');
    } finally {
      ctrl.abort();
      for (const s of [one.server, two.server]) {
        s.closeAllConnections();
        await new Promise((r) => s.close(r));
      }
      await busFor(services).close();
      if (twin !== services) await busFor(twin).close();
      await services.close();
    }
  });
});
