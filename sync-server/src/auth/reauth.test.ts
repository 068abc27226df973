import { authenticator } from 'otplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../http/app.ts';
import type { Services } from '../services.ts';
import { openTestServices, testStacks } from '../testing/harness.ts';
import { TabClient } from './test-client.ts';

const FAST = { memoryCost: 1024, timeCost: 1, parallelism: 1 };
const PASSWORD = 'a sturdy passphrase 42';
const WRONG = 'not the password at all';
const POLICIES = { auth: { name: 'auth', limit: 10_000, windowMs: 60_000 }, totp: { name: 'totp', limit: 10_000, windowMs: 60_000 } };

/**
 * Issue 19, item 2, from the attacker's side: someone holding only an access token (a borrowed unlocked
 * tab, a leaked token) must not be able to enrol their own authenticator, take the backup codes, change
 * the password or end the owner's other sessions. Each of those needs the password, checked now.
 */
describe.each(testStacks())('settings that need the password, on $name', ({ backend, limits }) => {
  let services: Services;
  let app: ReturnType<typeof createApp>;

  beforeAll(async () => {
    ({ services } = await openTestServices(backend, { TRUST_PROXY_HOPS: '1', ALLOW_REGISTRATION: 'true' }, { limits }));
    app = createApp(services, { hashParams: FAST, policies: POLICIES });
  });
  afterAll(() => services?.close());

  async function signedIn(email: string, register = true): Promise<{ tab: TabClient; access: string }> {
    const tab = new TabClient(app, '198.51.100.80');
    await tab.fetchCsrf();
    if (register) expect((await tab.post('/api/v1/auth/register', { email, password: PASSWORD })).status).toBe(201);
    const res = await tab.post('/api/v1/auth/login', { email, password: PASSWORD });
    expect(res.status).toBe(200);
    return { tab, access: res.body.accessToken as string };
  }

  async function account(email: string) {
    const r = await services.db.asOwner((sql) =>
      sql.query<{ hash: string; totp_enabled: boolean; has_secret: boolean; codes: string | null; live: number }>(
        `SELECT u.password_hash AS hash, u.totp_enabled, u.totp_secret IS NOT NULL AS has_secret,
                (SELECT string_agg(code_hash, ',' ORDER BY code_hash) FROM backup_codes b WHERE b.user_id = u.id) AS codes,
                (SELECT count(DISTINCT family_id)::int FROM refresh_tokens r WHERE r.user_id = u.id AND r.revoked_at IS NULL) AS live
           FROM users u WHERE u.email = $1`,
        [email],
      ),
    );
    return r.rows[0]!;
  }

  /** Every guarded route, with the body an attacker would send given a password (or none). */
  const routes = (password: string | undefined) => [
    { path: '/api/v1/auth/totp/enrol', body: password === undefined ? {} : { password } },
    { path: '/api/v1/auth/totp/confirm', body: { code: '123456', ...(password === undefined ? {} : { password }) } },
    { path: '/api/v1/auth/totp/disable', body: { code: '123456', ...(password === undefined ? {} : { password }) } },
    { path: '/api/v1/auth/totp/backup-codes', body: password === undefined ? {} : { password } },
    { path: '/api/v1/auth/password', body: { currentPassword: password ?? '', newPassword: 'the attacker chose this one' } },
    { path: '/api/v1/auth/logout-all', body: password === undefined ? {} : { password } },
  ];

  it('refuses every one of them with only an access token, or with a wrong password, and changes nothing', async () => {
    const email = 'token-only@example.test';
    const { tab, access } = await signedIn(email);
    const owner = await signedIn(email, false);
    const before = await account(email);
    expect(before.live).toBe(2);
    const userId = (await tab.get('/api/v1/me', access)).body.id as string;
    for (const password of [undefined, WRONG]) {
      for (const r of routes(password)) {
        const res = await tab.post(r.path, r.body, { token: access });
        expect(res.status, `${r.path} with ${password ?? 'no password'}`).toBe(403);
        expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
        expect(res.body.type).toMatch(password === undefined ? /reauth-required$/ : /wrong-password$/);
        expect(res.body.secret).toBeUndefined();
        expect(res.body.backupCodes).toBeUndefined();
        // Stay under the lockout threshold (the last test counts failures on purpose).
        await services.db.withUser(userId, (sql) => sql.query('DELETE FROM auth_lockouts WHERE user_id = $1', [userId]));
      }
    }
    expect(await account(email)).toEqual(before);
    expect((await owner.tab.get('/api/v1/me', owner.access)).status).toBe(200);
  });

  it('with the password: enrol, confirm, renew the backup codes (the old ones stop working), then sign out everywhere', async () => {
    const email = 'with-password@example.test';
    const { tab, access } = await signedIn(email);
    const other = await signedIn(email, false);
    const enrol = await tab.post('/api/v1/auth/totp/enrol', { password: PASSWORD }, { token: access });
    expect(enrol.status).toBe(200);
    const confirm = await tab.post('/api/v1/auth/totp/confirm', { password: PASSWORD, code: authenticator.generate(enrol.body.secret as string) }, { token: access });
    expect(confirm.status).toBe(200);
    const first = confirm.body.backupCodes as string[];
    // Confirming ended the other session; sign it in again for the last step.
    const again = new TabClient(app, '198.51.100.81');
    await again.fetchCsrf();
    const otherAgain = await again.post('/api/v1/auth/login', { email, password: PASSWORD, totp: first[0]! });
    expect(otherAgain.status).toBe(200);

    const renewed = await tab.post('/api/v1/auth/totp/backup-codes', { password: PASSWORD }, { token: access });
    expect(renewed.status).toBe(200);
    const second = renewed.body.backupCodes as string[];
    expect(second).toHaveLength(10);
    expect(second.some((c) => first.includes(c))).toBe(false);
    expect((await again.post('/api/v1/auth/login', { email, password: PASSWORD, totp: first[1]! })).status).toBe(401);
    expect((await again.post('/api/v1/auth/login', { email, password: PASSWORD, totp: second[0]! })).status).toBe(200);

    expect((await tab.post('/api/v1/auth/logout-all', { password: PASSWORD }, { token: access })).status).toBe(204);
    expect((await tab.get('/api/v1/me', access)).status).toBe(401);
    expect((await again.get('/api/v1/me', otherAgain.body.accessToken as string)).status).toBe(401);
    expect((await other.tab.get('/api/v1/me', other.access)).status).toBe(401);
    expect((await account(email)).live).toBe(0);
  });

  it('counts a wrong password toward the sign-in lockout', async () => {
    const email = 'reauth-lockout@example.test';
    const { tab, access } = await signedIn(email);
    for (let i = 0; i < 5; i++) {
      expect((await tab.post('/api/v1/auth/totp/enrol', { password: WRONG }, { token: access })).body.type).toMatch(/wrong-password$/);
    }
    // Locked now: the right password is not even checked, here or at sign-in.
    const locked = await tab.post('/api/v1/auth/totp/enrol', { password: PASSWORD }, { token: access });
    expect(locked.status).toBe(403);
    expect(locked.body.type).toMatch(/account-locked$/);
    const login = new TabClient(app, '198.51.100.82');
    await login.fetchCsrf();
    expect((await login.post('/api/v1/auth/login', { email, password: PASSWORD })).status).toBe(401);
    expect((await account(email)).has_secret).toBe(false);
    const audit = await services.db.asOwner((sql) => sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM audit_logs WHERE action = 'auth.reauth.fail'`));
    expect(audit.rows[0]!.n).toBeGreaterThanOrEqual(6);
  });
});
