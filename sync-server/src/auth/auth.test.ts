import { generateKeyPairSync } from 'node:crypto';
import { SignJWT, UnsecuredJWT } from 'jose';
import { authenticator } from 'otplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditChain } from '../audit/audit.ts';
import { createApp } from '../http/app.ts';
import type { Services } from '../services.ts';
import { openTestServices, testStacks } from '../testing/harness.ts';
import { TabClient } from './test-client.ts';
import { AUDIENCE, ISSUER, signAccessToken } from './tokens.ts';

const FAST = { memoryCost: 1024, timeCost: 1, parallelism: 1 };
const EMAIL = 'owner@example.test';
const PASSWORD = 'a sturdy passphrase 42';

describe.each(testStacks())('authentication on $name', ({ backend, limits }) => {
  let services: Services;
  let app: ReturnType<typeof createApp>;
  let tab: TabClient;
  let access: string;

  beforeAll(async () => {
    ({ services } = await openTestServices(backend, { TRUST_PROXY_HOPS: '1' }, { limits }));
    app = createApp(services, { hashParams: FAST, refreshGraceMs: 0, policies: { auth: { name: 'auth', limit: 1000, windowMs: 60_000 }, totp: { name: 'totp', limit: 1000, windowMs: 60_000 } } });
    tab = new TabClient(app);
    await tab.fetchCsrf();
  });
  afterAll(() => services?.close());

  describe('registration', () => {
    it('refuses a weak password with a message that says why', async () => {
      const res = await tab.post('/api/v1/auth/register', { email: EMAIL, password: 'short' });
      expect(res.status).toBe(422);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(res.body.detail).toMatch(/at least 12 characters/);
      const common = await tab.post('/api/v1/auth/register', { email: EMAIL, password: 'passwordpassword' });
      expect(common.body.detail).toMatch(/too common/);
      const mine = await tab.post('/api/v1/auth/register', { email: EMAIL, password: 'owner-is-my-password' });
      expect(mine.body.detail).toMatch(/e-mail/);
    });

    it('lets the first visitor create the account, then closes for good', async () => {
      const first = await tab.post('/api/v1/auth/register', { email: EMAIL, password: PASSWORD });
      expect(first.status).toBe(201);
      const second = await tab.post('/api/v1/auth/register', { email: 'intruder@example.test', password: 'another long passphrase' });
      expect(second.status).toBe(403);
      expect(second.body.type).toMatch(/registration-closed$/);
      const status = await tab.get('/api/v1/auth/status');
      expect(status.body).toEqual({ registrationOpen: false, hasAccount: true });
    });

    it('stores the password as Argon2id with its parameters', async () => {
      const row = await services.db.asOwner((sql) => sql.query<{ h: string }>('SELECT password_hash AS h FROM users'));
      expect(row.rows[0]!.h).toMatch(/^\$argon2id\$v=19\$m=1024,t=1,p=1\$/);
    });
  });

  describe('sessions', () => {
    it('signs in and reaches /me with the bearer token', async () => {
      const res = await tab.post('/api/v1/auth/login', { email: EMAIL, password: PASSWORD });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ expiresIn: 900, tokenType: 'Bearer' });
      const cookie = (res.headers['set-cookie'] as unknown as string[]).find((c) => c.startsWith('mymidas_refresh='))!;
      expect(cookie).toMatch(/HttpOnly/);
      expect(cookie).toMatch(/SameSite=Strict/);
      expect(cookie).toMatch(/Path=\/api\/v1\/auth/);
      access = res.body.accessToken;
      const me = await tab.get('/api/v1/me', access);
      expect(me.body).toMatchObject({ email: EMAIL, totpEnabled: false });
    });

    it('refuses tokens with alg none, HS256 keyed with the public key, a foreign key, a wrong audience, or expired', async () => {
      const me = (await tab.get('/api/v1/me', access)).body as { id: string };
      const claims = { fam: 'x' };
      const none = new UnsecuredJWT(claims).setIssuer(ISSUER).setAudience(AUDIENCE).setSubject(me.id).setIssuedAt().setExpirationTime('10m').encode();
      const hs256 = await new SignJWT(claims)
        .setProtectedHeader({ alg: 'HS256', kid: services.keys.kid })
        .setIssuer(ISSUER).setAudience(AUDIENCE).setSubject(me.id).setIssuedAt().setExpirationTime('10m')
        .sign(new TextEncoder().encode(services.secrets.jwtPublicKeyPem));
      const foreign = generateKeyPairSync('rsa', { modulusLength: 2048 });
      const foreignSigned = await new SignJWT(claims)
        .setProtectedHeader({ alg: 'RS256', kid: services.keys.kid })
        .setIssuer(ISSUER).setAudience(AUDIENCE).setSubject(me.id).setIssuedAt().setExpirationTime('10m')
        .sign(foreign.privateKey);
      const wrongAud = await new SignJWT(claims)
        .setProtectedHeader({ alg: 'RS256', kid: services.keys.kid })
        .setIssuer(ISSUER).setAudience('someone-else').setSubject(me.id).setIssuedAt().setExpirationTime('10m')
        .sign(services.keys.privateKey);
      const expired = await signAccessToken(services.keys, { userId: me.id, familyId: 'x' }, Date.now() - 3_600_000);
      for (const token of [none, hs256, foreignSigned, wrongAud, expired]) {
        const res = await tab.get('/api/v1/me', token);
        expect(res.status).toBe(401);
        expect(res.body.type).toMatch(/invalid-token$/);
      }
    });

    it('refuses a cookie-authorised request without the CSRF token', async () => {
      const noHeader = await tab.post('/api/v1/auth/refresh', {}, { csrf: false });
      expect(noHeader.status).toBe(403);
      expect(noHeader.body.type).toMatch(/csrf$/);
      const wrong = new TabClient(app);
      wrong.cookies = new Map(tab.cookies);
      wrong.csrf = 'not-the-cookie-value';
      expect((await wrong.post('/api/v1/auth/logout')).status).toBe(403);
      // still signed in: nothing was revoked by the refused requests
      expect((await tab.get('/api/v1/me', access)).status).toBe(200);
    });

    it('rotates the refresh token, and a token used twice revokes the whole family and is audited', async () => {
      const r1 = tab.cookies.get('mymidas_refresh')!;
      const first = await tab.post('/api/v1/auth/refresh');
      expect(first.status).toBe(200);
      const r2 = tab.cookies.get('mymidas_refresh')!;
      expect(r2).not.toBe(r1);

      const thief = new TabClient(app, '203.0.113.66');
      await thief.fetchCsrf();
      thief.cookies.set('mymidas_refresh', r1);
      const replay = await thief.post('/api/v1/auth/refresh');
      expect(replay.status).toBe(401);
      expect(replay.body.type).toMatch(/refresh-reuse$/);

      const legit = await tab.post('/api/v1/auth/refresh');
      expect(legit.status).toBe(401);
      expect((await tab.get('/api/v1/me', first.body.accessToken)).status).toBe(401);

      const relog = await tab.post('/api/v1/auth/login', { email: EMAIL, password: PASSWORD });
      access = relog.body.accessToken;
      const log = await tab.get('/api/v1/audit?limit=100', access);
      const actions = (log.body.items as { action: string }[]).map((i) => i.action);
      expect(actions).toContain('auth.refresh.reuse-detected');
      expect(JSON.stringify(log.body)).not.toContain(PASSWORD);
      expect(JSON.stringify(log.body)).not.toContain(r1);
    });

    it('ends a session at logout, at once', async () => {
      const other = new TabClient(app);
      await other.fetchCsrf();
      const s = await other.post('/api/v1/auth/login', { email: EMAIL, password: PASSWORD });
      expect((await other.get('/api/v1/me', s.body.accessToken)).status).toBe(200);
      expect((await other.post('/api/v1/auth/logout')).status).toBe(204);
      expect((await other.get('/api/v1/me', s.body.accessToken)).status).toBe(401);
      expect((await other.post('/api/v1/auth/refresh')).status).toBe(401);
      expect((await tab.get('/api/v1/me', access)).status).toBe(200);
    });

    it('a password change ends every other session', async () => {
      const other = new TabClient(app);
      await other.fetchCsrf();
      const s = await other.post('/api/v1/auth/login', { email: EMAIL, password: PASSWORD });
      const res = await tab.post('/api/v1/auth/password', { currentPassword: PASSWORD, newPassword: PASSWORD + '!' }, { token: access });
      expect(res.status).toBe(204);
      expect((await other.get('/api/v1/me', s.body.accessToken)).status).toBe(401);
      expect((await tab.get('/api/v1/me', access)).status).toBe(200);
      await tab.post('/api/v1/auth/password', { currentPassword: PASSWORD + '!', newPassword: PASSWORD }, { token: access });
    });
  });

  describe('TOTP', () => {
    let secret: string;
    let backupCodes: string[];

    it('enrols with an otpauth URI and QR code, and confirms with a code', async () => {
      const enrol = await tab.post('/api/v1/auth/totp/enrol', { password: PASSWORD }, { token: access });
      expect(enrol.status).toBe(200);
      expect(enrol.body.otpauthUri).toMatch(/^otpauth:\/\/totp\/MyMidas:/);
      expect(enrol.body.qrSvg).toMatch(/^<svg/);
      secret = enrol.body.secret;
      const stored = await services.db.asOwner((sql) => sql.query<{ s: Uint8Array }>('SELECT totp_secret AS s FROM users'));
      expect(Buffer.from(stored.rows[0]!.s).includes(Buffer.from(secret))).toBe(false);
      const wrong = await tab.post('/api/v1/auth/totp/confirm', { password: PASSWORD, code: '000000' }, { token: access });
      expect(wrong.status).toBe(422);
      const ok = await tab.post('/api/v1/auth/totp/confirm', { password: PASSWORD, code: authenticator.generate(secret) }, { token: access });
      expect(ok.status).toBe(200);
      backupCodes = ok.body.backupCodes;
      expect(backupCodes).toHaveLength(10);
    });

    it('then asks for the second factor at login', async () => {
      const res = await tab.post('/api/v1/auth/login', { email: EMAIL, password: PASSWORD });
      expect(res.status).toBe(401);
      expect(res.body.type).toMatch(/totp-required$/);
    });

    it('accepts a code once and refuses it the second time', async () => {
      const next = authenticator.clone({ epoch: Date.now() + 30_000 }).generate(secret);
      const ok = await tab.post('/api/v1/auth/login', { email: EMAIL, password: PASSWORD, totp: next });
      expect(ok.status).toBe(200);
      access = ok.body.accessToken;
      const again = await tab.post('/api/v1/auth/login', { email: EMAIL, password: PASSWORD, totp: next });
      expect(again.status).toBe(401);
      expect(again.body.type).toMatch(/invalid-totp$/);
    });

    it('accepts a backup code exactly once', async () => {
      const code = backupCodes[3]!;
      const ok = await tab.post('/api/v1/auth/login', { email: EMAIL, password: PASSWORD, totp: code.toLowerCase() });
      expect(ok.status).toBe(200);
      access = ok.body.accessToken;
      const again = await tab.post('/api/v1/auth/login', { email: EMAIL, password: PASSWORD, totp: code });
      expect(again.status).toBe(401);
    });
  });

  describe('the audit log', () => {
    it('has a hash chain that detects a row edited by the database owner', async () => {
      const before = await verifyAuditChain(services.db);
      expect(before.ok).toBe(true);
      expect(before.rows).toBeGreaterThan(10);
      await services.db.asOwner((sql) => sql.query(`UPDATE audit_logs SET action = 'auth.nothing-to-see' WHERE id = (SELECT min(id) + 3 FROM audit_logs)`));
      const after = await verifyAuditChain(services.db);
      expect(after.ok).toBe(false);
      expect(after.brokenAt).toBeDefined();
    });
  });
});
