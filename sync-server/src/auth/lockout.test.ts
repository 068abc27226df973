import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { authenticator } from 'otplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/config.ts';
import { createApp } from '../http/app.ts';
import { MemoryLimitStore } from '../limits/store.ts';
import { openServices, type Services } from '../services.ts';
import { openTestServices, testStacks } from '../testing/harness.ts';
import { TabClient } from './test-client.ts';
import { unlockAccount } from './unlock.ts';

const FAST = { memoryCost: 1024, timeCost: 1, parallelism: 1 };
const PASSWORD = 'a sturdy passphrase 42';
const WRONG = 'not the password at all';
const MINUTE = 60_000;
// Rate limits are not under test here: high enough that only the lockout answers.
const POLICIES = { auth: { name: 'auth', limit: 10_000, windowMs: 60_000 }, totp: { name: 'totp', limit: 10_000, windowMs: 60_000 } };

describe.each(testStacks())('sign-in lockout on $name', ({ backend, limits }) => {
  let services: Services;
  let now = Date.now();
  const clock = () => now;
  const app = () => createApp(services, { hashParams: FAST, policies: POLICIES, clock });
  const register = async (email: string) => {
    expect((await new TabClient(app(), '192.0.2.1').post('/api/v1/auth/register', { email, password: PASSWORD })).status).toBe(201);
  };
  const login = (tab: TabClient, email: string, password: string, totp?: string) => tab.post('/api/v1/auth/login', { email, password, ...(totp ? { totp } : {}) });
  /** The account's lockout row, read as the server reads it (under row-level security). */
  const lockRow = async (email: string) => {
    const id = (await services.db.withUser(null, (sql) => sql.query<{ id: string }>('SELECT id FROM auth_find_user($1)', [email]))).rows[0]!.id;
    const r = await services.db.withUser(id, (sql) => sql.query<{ u: string; n: number }>('SELECT locked_until::text AS u, cardinality(failures) AS n FROM auth_lockouts WHERE user_id = $1', [id]));
    return { lockedUntil: Number(r.rows[0]?.u ?? 0), failures: r.rows[0]?.n ?? 0 };
  };

  beforeAll(async () => {
    ({ services } = await openTestServices(backend, { TRUST_PROXY_HOPS: '1', ALLOW_REGISTRATION: 'true' }, { limits }));
    now = Date.now();
  });
  afterAll(() => services?.close());

  it('a guess every 14 minutes cannot keep the owner out: the right password during a lock is refused but neither counts nor extends it', async () => {
    const email = 'slow-guesser-target@example.test';
    await register(email);
    const attacker = new TabClient(app(), '203.0.113.5');
    const owner = new TabClient(app(), '198.51.100.20');
    for (let i = 0; i < 5; i++) expect((await login(attacker, email, WRONG)).status).toBe(401);

    // Locked now: the owner's right password is refused, exactly like a wrong one…
    now += 10_000;
    const during = await login(owner, email, PASSWORD);
    expect(during.status).toBe(401);
    expect(during.body.type).toMatch(/invalid-credentials$/);
    const row = await lockRow(email);
    // …and did not lengthen the 30 s lock nor add a sixth failure.
    expect(row.lockedUntil).toBeGreaterThan(now);
    expect(row.lockedUntil - (now - 10_000)).toBeLessThanOrEqual(30_000);
    expect(row.failures).toBe(5);

    // Four hours of one wrong guess every 14 minutes (inside the old 15-minute memory, which each guess refreshed).
    for (let t = 0; t < 4 * 60; t += 14) {
      now += 14 * MINUTE;
      expect((await login(attacker, email, WRONG)).status).toBe(401);
    }
    now += MINUTE;
    const ok = await login(owner, email, PASSWORD);
    expect(ok.status).toBe(200);
    expect(ok.body.accessToken).toEqual(expect.any(String));
  });

  it('counts every Unicode case variant of the e-mail against the one account', async () => {
    const email = 'mimi.li@example.test';
    await register(email);
    // PostgreSQL's lower() folds 'İ' to 'i' (so each variant finds the account) while JavaScript's gives 'i̇':
    // keyed by the lower-cased text, each variant had its own counter and none ever locked.
    const variants = ['MİMI.Lİ@EXAMPLE.TEST', 'mİmi.li@example.test', 'mimİ.li@example.test', 'mimi.lİ@example.test', 'MİMİ.Lİ@Example.Test', 'mİmİ.li@example.test'];
    expect(new Set(variants.map((v) => v.toLowerCase())).size).toBe(variants.length);
    const attacker = new TabClient(app(), '203.0.113.6');
    for (const v of variants) {
      const found = await services.db.withUser(null, (sql) => sql.query('SELECT id FROM auth_find_user($1)', [v]));
      expect(found.rows, v).toHaveLength(1);
      expect((await login(attacker, v, WRONG)).status).toBe(401);
    }
    const owner = new TabClient(app(), '198.51.100.21');
    expect((await login(owner, email, PASSWORD)).status).toBe(401);
    const actions = await services.db.asOwner((sql) => sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM audit_logs a JOIN users u ON u.id = a.user_id WHERE a.action = 'auth.lockout' AND u.email = $1`, [email]));
    expect(actions.rows[0]!.n).toBeGreaterThanOrEqual(1);
  });

  it('checks at most the threshold of a burst of parallel guesses; the rest meet the lock', async () => {
    const email = 'burst-target@example.test';
    await register(email);
    const attacker = new TabClient(app(), '203.0.113.7');
    const answers = await Promise.all(Array.from({ length: 12 }, () => login(attacker, email, WRONG)));
    expect(answers.every((a) => a.status === 401)).toBe(true);
    expect((await lockRow(email)).failures).toBe(5);
    const reasons = await services.db.asOwner((sql) =>
      sql.query<{ reason: string; n: number }>(
        `SELECT a.details->>'reason' AS reason, count(*)::int AS n FROM audit_logs a JOIN users u ON u.id = a.user_id
         WHERE a.action = 'auth.login.fail' AND u.email = $1 GROUP BY 1 ORDER BY 1`,
        [email],
      ),
    );
    expect(reasons.rows).toEqual([{ reason: 'locked', n: 7 }, { reason: 'wrong-password', n: 5 }]);
  });

  it('lets the owner in with the password and an unused backup code while an attacker keeps the account locked', async () => {
    const email = 'totp-owner@example.test';
    await register(email);
    const owner = new TabClient(app(), '198.51.100.22');
    const s = await login(owner, email, PASSWORD);
    const enrol = await owner.post('/api/v1/auth/totp/enrol', { password: PASSWORD }, { token: s.body.accessToken });
    const confirm = await owner.post('/api/v1/auth/totp/confirm', { password: PASSWORD, code: authenticator.generate(enrol.body.secret) }, { token: s.body.accessToken });
    const codes = confirm.body.backupCodes as string[];
    const attacker = new TabClient(app(), '203.0.113.8');
    for (let i = 0; i < 8; i++) await login(attacker, email, WRONG);
    // Locked: a TOTP code (guessable, 10^6) does not open it, nor does a backup code with a wrong password.
    const totpNow = await login(owner, email, PASSWORD, authenticator.generate(enrol.body.secret));
    expect(totpNow.status).toBe(401);
    expect(totpNow.body.type).toMatch(/invalid-credentials$/);
    expect((await login(attacker, email, WRONG, codes[0])).status).toBe(401);
    const back = await login(owner, email, PASSWORD, codes[0]);
    expect(back.status).toBe(200);
    // The code is spent, and the way in is audited.
    const log = await owner.get('/api/v1/audit?limit=50', back.body.accessToken);
    expect((log.body.items as { action: string }[]).map((i) => i.action)).toContain('auth.lockout.backup-code');
    for (let i = 0; i < 8; i++) await login(attacker, email, WRONG);
    expect((await login(owner, email, PASSWORD, codes[0])).status).toBe(401);
  });

  it('is kept where no eviction reaches it: a flood of fake client addresses and an emptied limit store leave the lock in place', async () => {
    const email = 'evict-target@example.test';
    await register(email);
    const attacker = new TabClient(app(), '203.0.113.9');
    for (let i = 0; i < 5; i++) await login(attacker, email, WRONG);
    // The attacker rotates X-Forwarded-For (trusted here, the worst case) to fill the limit store…
    const flooder = app();
    await Promise.all(Array.from({ length: 200 }, (_, i) => new TabClient(flooder, `10.${i >> 8}.${i & 255}.${(i * 7) & 255}`).get('/api/v1/health')));
    // …and, worse than any eviction, every key of the limit store is gone.
    const emptied = { ...services, limits: new MemoryLimitStore() };
    const afterEviction = createApp(emptied, { hashParams: FAST, policies: POLICIES, clock });
    expect((await login(new TabClient(afterEviction, '198.51.100.23'), email, PASSWORD)).status).toBe(401);
    now += 31_000;
    expect((await login(new TabClient(afterEviction, '198.51.100.23'), email, PASSWORD)).status).toBe(200);
  });

  it('the console unlock lets the owner straight back in, and is audited', async () => {
    const email = 'console-unlock@example.test';
    // The console runs on the real clock.
    now = Date.now();
    await register(email);
    const attacker = new TabClient(app(), '203.0.113.10');
    for (let i = 0; i < 12; i++) await login(attacker, email, WRONG);
    const owner = new TabClient(app(), '198.51.100.24');
    expect((await login(owner, email, PASSWORD)).status).toBe(401);
    const r = await unlockAccount(services, email.toUpperCase());
    expect(r.account).toMatchObject({ wasLocked: true });
    expect((await login(owner, email, PASSWORD)).status).toBe(200);
    expect(await unlockAccount(services, 'nobody@example.test')).toEqual({ account: null });
    const rows = await services.db.asOwner((sql) => sql.query<{ ip: string }>(`SELECT ip FROM audit_logs WHERE action = 'auth.unlock'`));
    expect(rows.rows.map((x) => x.ip)).toContain('console');
  });
});

describe('the unlock command on an embedded server', () => {
  const root = fileURLToPath(new URL('../../../', import.meta.url));
  it('lifts the lock of a stopped embedded server from the console, and names a missing account', { timeout: 300_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mymidas-unlock-'));
    const env = { ENVIRONMENT: 'test', DATA_DIR: join(dir, 'data'), SECRETS_DIR: join(dir, 'secrets'), TRUST_PROXY_HOPS: '1' };
    const config = loadConfig(env, dir);
    const email = 'embedded-owner@example.test';
    let services = await openServices(config, { limits: new MemoryLimitStore() });
    try {
      const app = createApp(services, { hashParams: FAST, policies: POLICIES });
      expect((await new TabClient(app, '192.0.2.1').post('/api/v1/auth/register', { email, password: PASSWORD })).status).toBe(201);
      for (let i = 0; i < 6; i++) await new TabClient(app, '203.0.113.11').post('/api/v1/auth/login', { email, password: WRONG });
      expect((await new TabClient(app, '198.51.100.25').post('/api/v1/auth/login', { email, password: PASSWORD })).status).toBe(401);
    } finally {
      await services.close();
    }
    const cli = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'sync-server/src/cli/main.ts', 'unlock', ...args], { cwd: root, env: { PATH: process.env.PATH ?? '', ...env }, encoding: 'utf8' });
    const done = cli(email);
    expect(done.stderr).toBe('');
    expect(done.status).toBe(0);
    expect(done.stdout).toMatch(/sign-in lock lifted/);
    const missing = cli('ghost@example.test');
    expect(missing.status).toBe(4);
    services = await openServices(config, { limits: new MemoryLimitStore() });
    try {
      const app = createApp(services, { hashParams: FAST, policies: POLICIES });
      expect((await new TabClient(app, '198.51.100.25').post('/api/v1/auth/login', { email, password: PASSWORD })).status).toBe(200);
    } finally {
      await services.close();
    }
  });
});
