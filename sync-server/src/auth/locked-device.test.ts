import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../http/app.ts';
import type { Services } from '../services.ts';
import { openTestServices, testStacks } from '../testing/harness.ts';
import { TabClient } from './test-client.ts';

const FAST = { memoryCost: 1024, timeCost: 1, parallelism: 1 };
const PASSWORD = 'a sturdy passphrase 42';
const POLICIES = { auth: { name: 'auth', limit: 10_000, windowMs: 60_000 } };
const DAY_MS = 86_400_000;

/**
 * Issue 19, item 1, from the attacker's side: someone at a locked (or erased) device holds the HttpOnly
 * refresh cookie and can fetch a CSRF token, but not the device secret, which the device keeps sealed
 * under its data key. Without it the server mints nothing; and no session outlives its absolute end.
 */
describe.each(testStacks())('a locked device cannot refresh, on $name', ({ backend, limits }) => {
  let services: Services;
  let app: ReturnType<typeof createApp>;

  beforeAll(async () => {
    ({ services } = await openTestServices(backend, { TRUST_PROXY_HOPS: '1', ALLOW_REGISTRATION: 'true', SESSION_MAX_DAYS: '2' }, { limits }));
    app = createApp(services, { hashParams: FAST, policies: POLICIES });
  });
  afterAll(() => services?.close());

  async function signedIn(email: string): Promise<{ tab: TabClient; access: string; secret: string }> {
    const tab = new TabClient(app, '198.51.100.70');
    await tab.fetchCsrf();
    expect((await tab.post('/api/v1/auth/register', { email, password: PASSWORD })).status).toBe(201);
    const res = await tab.post('/api/v1/auth/login', { email, password: PASSWORD });
    expect(res.status).toBe(200);
    expect(typeof res.body.deviceSecret).toBe('string');
    return { tab, access: res.body.accessToken as string, secret: res.body.deviceSecret as string };
  }

  const familyTokens = (email: string) =>
    services.db.asOwner((sql) =>
      sql.query<{ n: number }>('SELECT count(*)::int AS n FROM refresh_tokens r JOIN users u ON u.id = r.user_id WHERE u.email = $1', [email]),
    ).then((r) => r.rows[0]!.n);

  it('gives the device secret only in the sign-in answer, never in a cookie, and stores only its hash', async () => {
    const { tab, secret } = await signedIn('secret-shape@example.test');
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect([...tab.cookies.values()]).not.toContain(secret);
    const stored = await services.db.asOwner((sql) => sql.query<{ h: string }>('SELECT device_secret_hash AS h FROM refresh_tokens'));
    expect(stored.rows.every((r) => !r.h.includes(secret))).toBe(true);
    const refreshed = await tab.post('/api/v1/auth/refresh');
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.deviceSecret).toBeUndefined();
  });

  it('refuses a refresh with the cookie and the CSRF token but no device secret, mints nothing and spends nothing', async () => {
    const email = 'no-secret@example.test';
    const { tab, access } = await signedIn(email);
    const cookie = tab.cookies.get('mymidas_refresh');
    const before = await familyTokens(email);
    for (const body of [{}, { deviceSecret: '' }]) {
      const res = await tab.post('/api/v1/auth/refresh', body);
      expect(res.status).toBe(403);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(res.body.type).toMatch(/device-locked$/);
      expect(res.body.accessToken).toBeUndefined();
      expect(res.headers['set-cookie']).toBeUndefined();
    }
    expect(await familyTokens(email)).toBe(before);
    expect(tab.cookies.get('mymidas_refresh')).toBe(cookie);
    // The owner, once unlocked, still refreshes with the same cookie: the refusals did not spend it.
    expect((await tab.post('/api/v1/auth/refresh')).status).toBe(200);
    expect((await tab.get('/api/v1/me', access)).status).toBe(200);
    const audit = await services.db.asOwner((sql) => sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM audit_logs WHERE action = 'auth.refresh.device-refused'`));
    expect(audit.rows[0]!.n).toBeGreaterThanOrEqual(2);
  });

  it("refuses a wrong device secret, and another session's secret, minting nothing", async () => {
    const email = 'wrong-secret@example.test';
    const { tab, secret } = await signedIn(email);
    const other = new TabClient(app, '198.51.100.71');
    await other.fetchCsrf();
    const otherLogin = await other.post('/api/v1/auth/login', { email, password: PASSWORD });
    const before = await familyTokens(email);
    const flipped = (secret[0] === 'A' ? 'B' : 'A') + secret.slice(1);
    for (const deviceSecret of [flipped, otherLogin.body.deviceSecret as string, 'x'.repeat(128)]) {
      const res = await tab.post('/api/v1/auth/refresh', { deviceSecret });
      expect(res.status).toBe(403);
      expect(res.body.type).toMatch(/device-locked$/);
      expect(res.body.accessToken).toBeUndefined();
    }
    expect(await familyTokens(email)).toBe(before);
    const tooLong = await tab.post('/api/v1/auth/refresh', { deviceSecret: 'x'.repeat(129) });
    expect(tooLong.status).toBe(422);
    expect(await familyTokens(email)).toBe(before);
  });

  it('keeps the absolute end of a session through every rotation, and refuses a refresh past it', async () => {
    const email = 'absolute-end@example.test';
    const { tab, access } = await signedIn(email);
    const signedInAt = Date.now();
    for (let i = 0; i < 3; i++) expect((await tab.post('/api/v1/auth/refresh')).status).toBe(200);
    const rows = await services.db.asOwner((sql) =>
      sql.query<{ s: Date; e: Date }>('SELECT r.session_expires_at AS s, r.expires_at AS e FROM refresh_tokens r JOIN users u ON u.id = r.user_id WHERE u.email = $1', [email]),
    );
    expect(rows.rows).toHaveLength(4);
    const ends = new Set(rows.rows.map((r) => new Date(r.s).getTime()));
    expect(ends.size).toBe(1);
    const end = [...ends][0]!;
    // SESSION_MAX_DAYS=2: the end is two days after sign-in, and no token outlives it (7-day tokens are cut).
    expect(Math.abs(end - (signedInAt + 2 * DAY_MS))).toBeLessThan(60_000);
    for (const r of rows.rows) expect(new Date(r.e).getTime()).toBeLessThanOrEqual(end);
    const cookie = (await tab.post('/api/v1/auth/refresh')).headers['set-cookie'] as unknown as string[];
    const maxAge = Number(/Max-Age=(\d+)/.exec(cookie.find((c) => c.startsWith('mymidas_refresh='))!)![1]);
    expect(maxAge).toBeLessThanOrEqual(2 * 86_400);

    // Time passes: the session is past its end (moved in the database, as a clock cannot be).
    await services.db.asOwner((sql) =>
      sql.query(`UPDATE refresh_tokens SET session_expires_at = now() - interval '1 second' WHERE user_id = (SELECT id FROM users WHERE email = $1)`, [email]),
    );
    const late = await tab.post('/api/v1/auth/refresh');
    expect(late.status).toBe(401);
    expect(late.body.type).toMatch(/session-ended$/);
    expect(late.body.detail).toMatch(/at most 2 days/);
    expect(late.body.accessToken).toBeUndefined();
    // The family is ended: its access tokens stop at once, and the cookie was cleared.
    expect((await tab.get('/api/v1/me', access)).status).toBe(401);
    expect(tab.cookies.has('mymidas_refresh')).toBe(false);
    // The password starts a new session.
    expect((await tab.post('/api/v1/auth/login', { email, password: PASSWORD })).status).toBe(200);
  });

  it('sign-out revokes the family: the cookie with the right device secret is refused afterwards', async () => {
    const { tab, secret } = await signedIn('sign-out@example.test');
    const cookie = tab.cookies.get('mymidas_refresh')!;
    expect((await tab.post('/api/v1/auth/logout')).status).toBe(204);
    const thief = new TabClient(app, '203.0.113.70');
    await thief.fetchCsrf();
    thief.cookies.set('mymidas_refresh', cookie);
    const res = await thief.post('/api/v1/auth/refresh', { deviceSecret: secret });
    expect(res.status).toBe(401);
    expect(res.body.accessToken).toBeUndefined();
  });
});
