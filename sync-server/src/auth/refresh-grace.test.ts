import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../http/app.ts';
import type { Services } from '../services.ts';
import { openTestServices, testStacks } from '../testing/harness.ts';
import { TabClient } from './test-client.ts';

const FAST = { memoryCost: 1024, timeCost: 1, parallelism: 1 };
const PASSWORD = 'a sturdy passphrase 42';
const POLICIES = { auth: { name: 'auth', limit: 10_000, windowMs: 60_000 } };

describe.each(testStacks())('refresh grace on $name', ({ backend, limits }) => {
  let services: Services;
  let app: ReturnType<typeof createApp>;

  beforeAll(async () => {
    ({ services } = await openTestServices(backend, { TRUST_PROXY_HOPS: '1', ALLOW_REGISTRATION: 'true' }, { limits }));
    // The default 10 s grace: the replays below all fall inside it.
    app = createApp(services, { hashParams: FAST, policies: POLICIES });
  });
  afterAll(() => services?.close());

  /** A signed-in tab, and a thief holding a copy of its current refresh cookie. */
  async function victimAndThief(email: string): Promise<{ tab: TabClient; thief: TabClient; stolen: string }> {
    const tab = new TabClient(app, '198.51.100.30');
    await tab.fetchCsrf();
    expect((await tab.post('/api/v1/auth/register', { email, password: PASSWORD })).status).toBe(201);
    expect((await tab.post('/api/v1/auth/login', { email, password: PASSWORD })).status).toBe(200);
    const stolen = tab.cookies.get('mymidas_refresh')!;
    // The worst case: the thief holds everything the device sends with a refresh.
    const thief = new TabClient(app, '203.0.113.30');
    await thief.fetchCsrf();
    thief.deviceSecret = tab.deviceSecret;
    return { tab, thief, stolen };
  }

  it('lets a rotated token mint one sibling within the grace, then refuses it and ends the whole family', async () => {
    const { tab, thief, stolen } = await victimAndThief('grace-one@example.test');
    expect((await tab.post('/api/v1/auth/refresh')).status).toBe(200);
    const tabAccess = (await tab.post('/api/v1/auth/refresh')).body.accessToken as string;

    thief.cookies.set('mymidas_refresh', stolen);
    const sibling = await thief.post('/api/v1/auth/refresh');
    expect(sibling.status).toBe(200);
    const siblingAccess = sibling.body.accessToken as string;
    // The same old token again, still within the 10 s: no second sibling.
    const again = new TabClient(app, '203.0.113.31');
    await again.fetchCsrf();
    again.deviceSecret = tab.deviceSecret;
    again.cookies.set('mymidas_refresh', stolen);
    const refused = await again.post('/api/v1/auth/refresh');
    expect(refused.status).toBe(401);
    expect(refused.body.type).toMatch(/refresh-reuse$/);
    // Every token of the family is dead: the sibling, the owner's, and their access tokens.
    expect((await thief.post('/api/v1/auth/refresh')).status).toBe(401);
    expect((await tab.post('/api/v1/auth/refresh')).status).toBe(401);
    expect((await tab.get('/api/v1/me', tabAccess)).status).toBe(401);
    expect((await tab.get('/api/v1/me', siblingAccess)).status).toBe(401);
    const audit = await services.db.asOwner((sql) => sql.query<{ d: { withinGrace: boolean } }>(`SELECT details AS d FROM audit_logs WHERE action = 'auth.refresh.reuse-detected'`));
    expect(audit.rows.map((r) => r.d.withinGrace)).toContain(true);
  });

  it('gives at most one token to a burst of parallel replays of one refresh token', async () => {
    const { tab, stolen } = await victimAndThief('grace-burst@example.test');
    expect((await tab.post('/api/v1/auth/refresh')).status).toBe(200);
    const thieves = await Promise.all(
      Array.from({ length: 6 }, async (_, i) => {
        const t = new TabClient(app, `203.0.113.${40 + i}`);
        await t.fetchCsrf();
        t.deviceSecret = tab.deviceSecret;
        t.cookies.set('mymidas_refresh', stolen);
        return t;
      }),
    );
    const answers = await Promise.all(thieves.map((t) => t.post('/api/v1/auth/refresh')));
    expect(answers.filter((a) => a.status === 200).length).toBeLessThanOrEqual(1);
    expect(answers.filter((a) => a.status === 401).length).toBeGreaterThanOrEqual(5);
    // Two uses beyond the owner's meant theft: the family is ended for everyone.
    expect((await tab.post('/api/v1/auth/refresh')).status).toBe(401);
    for (const t of thieves) expect((await t.post('/api/v1/auth/refresh')).status).toBe(401);
  });
});
