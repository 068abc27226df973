import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import type { AddressInfo } from 'node:net';
import { collectHousehold } from '@mymidas/shared/demo';
import { COLLECTION_NAMES, COLLECTIONS, type CollectionName } from '@mymidas/shared/schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoPassword, loadDemo, type DemoProgress } from '../sync-server/src/cli/demo-load.ts';
import { passwordProblem } from '../sync-server/src/auth/passwords.ts';
import { loadConfig } from '../sync-server/src/config/config.ts';
import { createApp } from '../sync-server/src/http/app.ts';
import type { Services } from '../sync-server/src/services.ts';
import { openTestServices, signedInUser, testBackends } from '../sync-server/src/testing/harness.ts';

/**
 * `npm run demo` end to end: the loader (sync-server/src/cli/demo-load.ts) against a real server
 * listening on a port, on PGlite (and PostgreSQL when TEST_DATABASE_URL is set). Then, as a device
 * would, it signs in and pulls every collection: the documents must be exactly the generator's.
 */

const OPTIONS = { seed: 'demo-test', transactions: 800, years: 1 } as const;
const EMAIL = 'demo-owner@example.com';
const PASSWORD = 'correct horse battery staple';
const fastHash = { memoryCost: 1024, timeCost: 1, parallelism: 1 };

describe('demo password', () => {
  it('is new each time and passes the server\'s password rules for the e-mail it is made for', () => {
    const made = new Set<string>();
    for (const email of ['demo@example.com', 'mm-x@example.com', 'someone@example.com']) {
      for (let i = 0; i < 50; i += 1) {
        const p = demoPassword(email);
        expect(passwordProblem(p, email)).toBeNull();
        made.add(p);
      }
    }
    expect(made.size).toBe(150);
  });
});

describe('the demo route switch', () => {
  it('is off unless ENABLE_DEMO is given, and production refuses to start with it', () => {
    expect(loadConfig({ ENVIRONMENT: 'test' }, tmpdir()).enableDemo).toBe(false);
    expect(loadConfig({ ENVIRONMENT: 'test', ENABLE_DEMO: '1' }, tmpdir()).enableDemo).toBe(true);
    const production = { ENVIRONMENT: 'production', ENCRYPTION_KEY: 'ab'.repeat(32), BACKUP_PASSPHRASE: 'x'.repeat(20), DATABASE_URL: 'postgres://u:p@db/x' };
    expect(loadConfig(production, tmpdir()).enableDemo).toBe(false);
    expect(() => loadConfig({ ...production, ENABLE_DEMO: '1' }, tmpdir())).toThrow(/ENABLE_DEMO/);
  });
});

describe.each(testBackends())('npm run demo on %s', (backend) => {
  let services: Services;
  let server: Server;
  let url: string;
  const expected = collectHousehold(OPTIONS);

  beforeAll(async () => {
    // As README says to start it for `npm run demo`: ENABLE_DEMO=1.
    ({ services } = await openTestServices(backend, { ENABLE_DEMO: '1' }));
    server = createApp(services, { log: () => undefined, hashParams: fastHash }).listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await services.close();
  });

  async function signIn(): Promise<string> {
    const res = await fetch(`${url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: EMAIL, password: PASSWORD }) });
    expect(res.status).toBe(200);
    return ((await res.json()) as { accessToken: string }).accessToken;
  }

  async function pullAll(token: string, collection: CollectionName): Promise<Record<string, unknown>[]> {
    const docs: Record<string, unknown>[] = [];
    let checkpoint: string | null = null;
    for (;;) {
      const q = new URLSearchParams({ limit: '1000', ...(checkpoint ? { checkpoint } : {}) });
      const res = await fetch(`${url}/api/v1/replication/${collection}/pull?${q.toString()}`, { headers: { authorization: `Bearer ${token}` } });
      expect(res.status).toBe(200);
      const body = (await res.json()) as { documents: Record<string, unknown>[]; checkpoint: string | null };
      if (body.documents.length === 0) return docs;
      docs.push(...body.documents);
      checkpoint = body.checkpoint;
    }
  }

  // Minutes, not seconds, on a loaded two-core machine: ~2,300 documents go through the push endpoint.
  it('registers, pushes the household through the API, and a device that signs in pulls exactly the generated documents', { timeout: 300_000 }, async () => {
    const phases = new Set<DemoProgress['phase']>();
    let lastPushed = 0;
    const report = await loadDemo({
      url, email: EMAIL, password: PASSWORD, ...OPTIONS, batch: 250,
      onProgress: (p) => {
        phases.add(p.phase);
        expect(p.pushed).toBeGreaterThanOrEqual(lastPushed);
        lastPushed = p.pushed;
      },
    });
    expect(report.account).toBe('registered');
    expect(report.serverOwnedLoaded).toBe(true);
    expect(report.conflicts).toBe(0);
    expect([...phases]).toEqual(['push', 'server-owned', 'done']);
    for (const name of COLLECTION_NAMES) {
      expect(report.generated[name], name).toBe(expected[name].length);
      expect(report.written[name] ?? 0, name).toBe(expected[name].length);
    }
    expect(expected.transactions.length).toBeGreaterThan(700);
    // One document per series and year plus a latest price each (docs/investments.md, "Prices").
    expect(expected.quotes.length).toBeGreaterThan(40);
    expect(expected.quotes.length).toBeLessThan(400);

    const token = await signIn();
    for (const name of COLLECTION_NAMES) {
      const pulled = await pullAll(token, name);
      expect(pulled.length, name).toBe(expected[name].length);
      // The server stores the generator's quotes under ids that name their owner (quote ids are one key for all users).
      const generatedId = (id: string) => (name === 'quotes' ? id.replace(/@[0-9a-f]{32}$/, '') : id);
      if (name === 'quotes') expect(pulled.every((d) => /@[0-9a-f]{32}$/.test(String(d.id)))).toBe(true);
      const byId = new Map(pulled.map((d) => [generatedId(String(d.id)), d]));
      for (const doc of expected[name]) expect(byId.get(doc.id), `${name} ${doc.id}`).toEqual({ ...doc, id: byId.get(doc.id)?.id, _deleted: false });
    }
  });

  it('run again with the same seed: signs in, finds everything there and writes nothing', { timeout: 300_000 }, async () => {
    const report = await loadDemo({ url, email: EMAIL, password: PASSWORD, ...OPTIONS });
    expect(report.account).toBe('signed-in');
    expect(report.conflicts).toBe(0);
    expect(Object.values(report.written).every((n) => n === 0)).toBe(true);
    const token = await signIn();
    expect((await pullAll(token, 'transactions')).length).toBe(expected.transactions.length);
  });

  it('a wrong password for the existing account stops with a readable message', async () => {
    await expect(loadDemo({ url, email: EMAIL, password: 'not the password at all', ...OPTIONS })).rejects.toThrow(/sign-in as demo-owner@example.com failed: 401.*--password/);
  });

  it('the server-owned demo route needs a signed-in user, checks its options, and is not mounted in production even when enabled', async () => {
    const anon = await fetch(`${url}/api/v1/demo/server-owned`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(OPTIONS) });
    expect(anon.status).toBe(401);
    const token = await signIn();
    const post = (body: unknown, base = url) =>
      fetch(`${base}/api/v1/demo/server-owned`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify(body) });
    expect((await post({ ...OPTIONS, docs: [] })).status).toBe(422);
    expect((await post({ ...OPTIONS, transactions: 5_000_000 })).status).toBe(422);
    const tooFew = await post({ seed: 'x', transactions: 10, years: 1 });
    expect(tooFew.status).toBe(400);

    const production = createApp({ ...services, config: { ...services.config, environment: 'production', enableDemo: true } }, { log: () => undefined }).listen(0, '127.0.0.1');
    await new Promise((resolve) => production.once('listening', resolve));
    try {
      const res = await post(OPTIONS, `http://127.0.0.1:${(production.address() as AddressInfo).port}`);
      expect(res.status).toBe(404);
    } finally {
      await new Promise((resolve) => production.close(resolve));
    }
    // A server started without ENABLE_DEMO (the default, as the switch's own test shows) does not have the
    // route: a signed-in session gets 404 and nothing is written.
    const byDefault = createApp({ ...services, config: { ...services.config, enableDemo: false } }, { log: () => undefined }).listen(0, '127.0.0.1');
    await new Promise((resolve) => byDefault.once('listening', resolve));
    try {
      const other = await signedInUser(services);
      const res = await fetch(`http://127.0.0.1:${(byDefault.address() as AddressInfo).port}/api/v1/demo/server-owned`, {
        method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${other.token}` }, body: JSON.stringify(OPTIONS),
      });
      expect(res.status).toBe(404);
      const quotes = await services.db.withUser(other.userId, (sql) => sql.query('SELECT id FROM quotes'));
      expect(quotes.rows).toHaveLength(0);
    } finally {
      await new Promise((resolve) => byDefault.close(resolve));
    }
    // Server-owned collections stay closed to client pushes.
    const quote = expected.quotes[0]!;
    const push = await fetch(`${url}/api/v1/replication/quotes/push`, {
      method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify([{ assumedMasterState: null, newDocumentState: { ...quote, close: '1', _deleted: false } }]),
    });
    expect(push.status).toBe(403);
    expect(COLLECTIONS.quotes.serverOwned).toBe(true);
  });
});
