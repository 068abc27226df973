import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import type { Express } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TabClient } from '../auth/test-client.ts';
import { createApp, type AppOptions } from '../http/app.ts';
import type { Services } from '../services.ts';
import { openTestServices, signedInUser, testBackends } from '../testing/harness.ts';
import { busFor } from './bus.ts';

const FAST = { memoryCost: 1024, timeCost: 1, parallelism: 1 };
const PASSWORD = 'a sturdy passphrase 42';
const POLICIES = { auth: { name: 'auth', limit: 10_000, windowMs: 60_000 } };

interface OpenStream {
  status: number;
  /** Resolves with everything received once the server ends the stream; rejects after the timeout. */
  ended(timeoutMs?: number): Promise<string>;
  /** Resolves once `text` has been received. */
  saw(text: string, timeoutMs?: number): Promise<void>;
  body: () => Promise<unknown>;
  close(): void;
}

async function openStream(base: string, token: string): Promise<OpenStream> {
  const ctrl = new AbortController();
  const res = await fetch(`${base}/api/v1/replication/stream`, { headers: { Authorization: `Bearer ${token}` }, signal: ctrl.signal });
  let text = '';
  let done = false;
  const pump = (async () => {
    if (res.status !== 200 || !res.body) return;
    const reader = res.body.getReader();
    const decoder = new TextDecoder();
    try {
      for (;;) {
        const chunk = await reader.read();
        if (chunk.done) break;
        text += decoder.decode(chunk.value, { stream: true });
      }
    } catch {
      // aborted by close()
    }
    done = true;
  })();
  const waitFor = async (cond: () => boolean, what: string, timeoutMs: number) => {
    const deadline = Date.now() + timeoutMs;
    while (!cond()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; received:\n${text}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  return {
    status: res.status,
    async ended(timeoutMs = 5_000) {
      await waitFor(() => done, 'the stream to end', timeoutMs);
      await pump;
      return text;
    },
    saw: (t, timeoutMs = 5_000) => waitFor(() => text.includes(t), JSON.stringify(t), timeoutMs),
    body: () => res.json() as Promise<unknown>,
    close: () => ctrl.abort(),
  };
}

function listen(app: Express): Promise<{ server: Server; base: string }> {
  return new Promise((resolve) => {
    const server = app.listen(0, '127.0.0.1', () => resolve({ server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }));
  });
}

describe.each(testBackends())('SSE streams and their sessions on %s', (backend) => {
  let services: Services;
  const servers: Server[] = [];
  const start = async (opts: AppOptions['replication']) => {
    const app = createApp(services, { hashParams: FAST, policies: POLICIES, log: () => undefined, replication: opts });
    const { server, base } = await listen(app);
    servers.push(server);
    return { app, base };
  };
  // Only this process's revocation events can end these streams quickly: the periodic check is a minute away.
  const eventOnly = { sessionCheckMs: 60_000 };

  beforeAll(async () => {
    ({ services } = await openTestServices(backend, { ALLOW_REGISTRATION: 'true' }));
  });
  afterAll(async () => {
    for (const s of servers) {
      s.closeAllConnections();
      await new Promise((r) => s.close(r));
    }
    await busFor(services).close();
    await services.close();
  });

  async function signIn(app: Express, email: string, register = false): Promise<{ tab: TabClient; access: string }> {
    const tab = new TabClient(app);
    await tab.fetchCsrf();
    if (register) expect((await tab.post('/api/v1/auth/register', { email, password: PASSWORD })).status).toBe(201);
    const res = await tab.post('/api/v1/auth/login', { email, password: PASSWORD });
    expect(res.status).toBe(200);
    return { tab, access: res.body.accessToken as string };
  }

  it('ends the stream when its session signs out', async () => {
    const { app, base } = await start(eventOnly);
    const { tab, access } = await signIn(app, 'stream-signout@example.test', true);
    const stream = await openStream(base, access);
    expect(stream.status).toBe(200);
    await stream.saw('data: RESYNC');
    expect((await tab.post('/api/v1/auth/logout')).status).toBe(204);
    expect(await stream.ended()).toContain('event: session-ended');
    // And it cannot be reopened with the same access token.
    expect((await openStream(base, access)).status).toBe(401);
  });

  it('ends other sessions\' streams on a password change, and every stream on "sign out everywhere"', async () => {
    const { app, base } = await start(eventOnly);
    const email = 'stream-password@example.test';
    const a = await signIn(app, email, true);
    const b = await signIn(app, email);
    const streamA = await openStream(base, a.access);
    const streamB = await openStream(base, b.access);
    await streamA.saw('RESYNC');
    await streamB.saw('RESYNC');
    const changed = await a.tab.post('/api/v1/auth/password', { currentPassword: PASSWORD, newPassword: `${PASSWORD} changed` }, { token: a.access });
    expect(changed.status).toBe(204);
    expect(await streamB.ended()).toContain('event: session-ended');
    // The session that changed the password keeps its stream…
    await expect(streamA.ended(500)).rejects.toThrow(/timed out/);
    // …until it signs out everywhere.
    expect((await a.tab.post('/api/v1/auth/logout-all', { password: `${PASSWORD} changed` }, { token: a.access })).status).toBe(204);
    expect(await streamA.ended()).toContain('event: session-ended');
  });

  it('notices a revocation made by another server process at its periodic check', async () => {
    const { base } = await start({ sessionCheckMs: 200 });
    const alice = await signedInUser(services);
    const stream = await openStream(base, alice.token);
    await stream.saw('RESYNC');
    // Another process ended the session: no event reaches this one, only the database knows.
    await services.db.asOwner((sql) => sql.query('UPDATE refresh_tokens SET revoked_at = now() WHERE family_id = $1', [alice.familyId]));
    expect(await stream.ended(3_000)).toContain('event: session-ended');
  });

  it('refuses one stream more than the per-user cap with a problem body, and frees a place when one closes', async () => {
    const { base } = await start({ ...eventOnly, maxStreamsPerUser: 3 });
    const alice = await signedInUser(services);
    const bob = await signedInUser(services);
    const open = await Promise.all([1, 2, 3].map(() => openStream(base, alice.token)));
    for (const s of open) expect(s.status).toBe(200);
    const extra = await openStream(base, alice.token);
    expect(extra.status).toBe(429);
    expect(await extra.body()).toMatchObject({ status: 429, title: 'Too many open streams' });
    // Another user is not affected by Alice's streams.
    const bobs = await openStream(base, bob.token);
    expect(bobs.status).toBe(200);
    bobs.close();
    open[0]!.close();
    let again: OpenStream | undefined;
    for (let i = 0; i < 50; i++) {
      again = await openStream(base, alice.token);
      if (again.status === 200) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(again!.status).toBe(200);
    for (const s of [...open, again!]) s.close();
  });
});
