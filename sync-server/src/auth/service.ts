import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { audit } from '../audit/audit.ts';
import { AppError } from '../http/errors.ts';
import { ipKey } from '../limits/rate-limit.ts';
import type { LimitStore } from '../limits/store.ts';
import type { Services } from '../services.ts';
import type { Sql } from '../store/database.ts';
import { AccountLockout, DEFAULT_LOCKOUT, lockLengthMs, type Lockout, type PendingAttempt } from './lockout.ts';
import { dummyHash, hashPassword, needsRehash, passwordProblem, verifyPassword, type HashParams } from './passwords.ts';
import { sessionEventsFor } from './session-events.ts';
import { ACCESS_TOKEN_SECONDS, signAccessToken } from './tokens.ts';
import { hashBackupCode, matchTotp, newBackupCodes, newTotpSecret, normaliseBackupCode, otpauthUri } from './totp.ts';

export const REFRESH_TOKEN_DAYS = 7;
/**
 * A refresh token used again within this many ms (a parallel tab) may mint ONE sibling token; any further
 * use, or a use after the grace, is treated as theft.
 */
export const REFRESH_GRACE_MS = 10_000;

export { DEFAULT_LOCKOUT, type Lockout };

export interface AuthDeps {
  services: Services;
  limits: LimitStore;
  hashParams?: HashParams;
  lockout?: Lockout;
  refreshGraceMs?: number;
  /** ms since the epoch; tests move it to walk through lock periods. */
  clock?: () => number;
}

export interface ClientInfo {
  ip: string;
  userAgent: string;
}

export interface Session {
  accessToken: string;
  expiresIn: number;
  refreshToken: string;
  /** When the refresh token stops working (its own 7 days, or the session's absolute end if sooner). */
  refreshExpiresAt: Date;
  userId: string;
  /**
   * Given once, at sign-in: the second refresh factor. The device keeps it sealed under its data key and
   * sends it with every refresh, so a locked device (no key in memory) cannot refresh.
   */
  deviceSecret?: string;
}

const invalidCredentials = () => new AppError(401, 'invalid-credentials', 'Sign-in failed', 'The e-mail or password is wrong.');
const sessionEnded = () => AppError.unauthorized('The session has ended. Sign in again.', 'session-ended');

function tokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

function deviceSecretHash(secret: string): string {
  return createHash('sha256').update('mymidas-device-secret:' + secret).digest('hex');
}

/** Whether `secret` hashes to `storedHash`, in constant time (both are SHA-256 hex, so equal length). */
function secretMatches(secret: string | undefined, storedHash: string | null): boolean {
  if (!secret || !storedHash) return false;
  const given = Buffer.from(deviceSecretHash(secret));
  const stored = Buffer.from(storedHash);
  return given.length === stored.length && timingSafeEqual(given, stored);
}

/** What a token of a family carries over when it rotates. */
interface FamilyBinding {
  deviceSecretHash: string;
  /** null: a new family, which ends SESSION_MAX_DAYS from now. */
  sessionExpiresAt: Date | null;
}

export class AuthService {
  private readonly lockout: Lockout;
  private readonly accounts: AccountLockout;
  private readonly clock: () => number;
  constructor(private readonly deps: AuthDeps) {
    this.lockout = deps.lockout ?? DEFAULT_LOCKOUT;
    this.clock = deps.clock ?? Date.now;
    this.accounts = new AccountLockout(deps.services.db, this.lockout, this.clock);
  }

  /** Tells this process's SSE streams of the user to check their session now. */
  private revoked(userId: string): void {
    sessionEventsFor(this.deps.services.db).revoked(userId);
  }

  private get db() {
    return this.deps.services.db;
  }

  async register(email: string, password: string, client: ClientInfo): Promise<{ id: string; email: string }> {
    const problem = passwordProblem(password, email);
    if (problem) throw new AppError(422, 'weak-password', 'The password is not strong enough', problem, { errors: [{ path: 'body.password', message: problem }] });
    const hash = await hashPassword(password, this.deps.hashParams);
    const id = randomUUID();
    const allow = this.deps.services.config.allowRegistration;
    const outcome = await this.db.withUser(id, async (sql) => {
      await sql.query('SELECT pg_advisory_xact_lock(8090002)');
      const count = (await sql.query<{ n: number }>('SELECT auth_user_count() AS n')).rows[0]!.n;
      if (count > 0 && !allow) return 'closed' as const;
      const taken = await sql.query('SELECT id FROM auth_find_user($1)', [email]);
      if (taken.rows.length) return 'taken' as const;
      await sql.query('INSERT INTO users (id, email, password_hash) VALUES ($1, $2, $3)', [id, email.toLowerCase(), hash]);
      await audit(sql, { userId: id, action: 'auth.register', entity: 'user', entityId: id, ...client });
      return 'ok' as const;
    });
    if (outcome === 'closed') {
      await this.db.withUser(null, (sql) => audit(sql, { userId: null, action: 'auth.register.refused', ...client }));
      throw AppError.forbidden('This MyMidas already has its account. Registration is closed.', 'registration-closed');
    }
    if (outcome === 'taken') throw AppError.conflict('An account with this e-mail already exists.', 'email-taken');
    return { id, email: email.toLowerCase() };
  }

  private async ipLockedUntil(ip: string): Promise<number> {
    return this.deps.limits.get(`lock:ip:${ipKey(ip)}`);
  }

  /**
   * Counts a failure against the client's IP (in the limit store: a sliding window, not refreshed by later
   * failures, and never while that IP is locked). The account's failures are counted by AccountLockout.
   */
  private async registerIpFailure(ip: string): Promise<boolean> {
    const { limits } = this.deps;
    const l = this.lockout;
    const now = this.clock();
    const cap = l.ipThreshold + 16;
    const w = await limits.hit(`fail:ip:${ipKey(ip)}`, cap, l.failureMemoryMs, now);
    const n = w.allowed ? cap - w.remaining : cap;
    const ms = lockLengthMs(l, n, l.ipThreshold);
    if (ms > 0) await limits.setUntil(`lock:ip:${ipKey(ip)}`, now + ms);
    return ms > 0;
  }

  private async refuse(userId: string | null, reason: string, nowLocked: boolean, client: ClientInfo): Promise<never> {
    await this.db.withUser(userId, async (sql) => {
      await audit(sql, { userId, action: 'auth.login.fail', details: { reason }, ...client });
      if (nowLocked) await audit(sql, { userId, action: 'auth.lockout', ...client });
    });
    throw invalidCredentials();
  }

  /**
   * Password first, always at full Argon2 cost (a dummy hash for unknown e-mails, and also when locked),
   * so an unknown user, a wrong password and a locked account look the same in body and timing.
   *
   * Lockout (lockout.ts): per account by user id in PostgreSQL, per IP in the limit store. While either is
   * locked nothing is counted and every attempt gets the wrong-password answer, except one way back in for
   * the owner: the right password together with an unused backup code (when two-factor sign-in is on).
   */
  async login(email: string, password: string, totp: string | undefined, client: ClientInfo): Promise<Session> {
    const found = (
      await this.db.withUser(null, (sql) =>
        sql.query<{ id: string; password_hash: string; totp_enabled: boolean }>('SELECT id, password_hash, totp_enabled FROM auth_find_user($1)', [email]),
      )
    ).rows[0];
    const ipLocked = (await this.ipLockedUntil(client.ip)) > this.clock();
    // Counted before the (slow) password check, so parallel guesses cannot outrun the count.
    const start = found && !ipLocked ? await this.accounts.begin(found.id) : undefined;
    const ok = await verifyPassword(found?.password_hash ?? (await dummyHash(this.deps.hashParams)), password);
    const locked = ipLocked || start?.locked === true;
    const attempt: PendingAttempt | undefined = start && !start.locked ? start.attempt : undefined;

    if (locked) {
      if (found && ok && found.totp_enabled && totp && normaliseBackupCode(totp) && (await this.useBackupCode(found.id, totp, client))) {
        await this.accounts.clear(found.id);
        await this.db.withUser(found.id, (sql) => audit(sql, { userId: found.id, action: 'auth.lockout.backup-code', ...client }));
        return this.finishLogin(found, password, client);
      }
      return this.refuse(found?.id ?? null, 'locked', false, client);
    }
    if (!found || !ok) {
      const ipNowLocked = await this.registerIpFailure(client.ip);
      return this.refuse(found?.id ?? null, found ? 'wrong-password' : 'unknown-user', ipNowLocked || (attempt?.setUntil ?? 0) > 0, client);
    }
    if (found.totp_enabled) {
      if (!totp) {
        // The right password asked for its second factor: not a failure.
        if (attempt) await this.accounts.forgive(attempt);
        throw new AppError(401, 'totp-required', 'Second factor needed', 'Enter the 6-digit code from your authenticator app, or a backup code.');
      }
      const accepted = await this.checkSecondFactor(found.id, totp, client);
      if (!accepted) {
        await this.registerIpFailure(client.ip);
        throw new AppError(401, 'invalid-totp', 'Sign-in failed', 'The code is wrong or was already used.');
      }
    }
    await this.accounts.clear(found.id);
    return this.finishLogin(found, password, client);
  }

  private async finishLogin(found: { id: string; password_hash: string }, password: string, client: ClientInfo): Promise<Session> {
    if (needsRehash(found.password_hash, this.deps.hashParams)) {
      const fresh = await hashPassword(password, this.deps.hashParams);
      await this.db.withUser(found.id, (sql) => sql.query('UPDATE users SET password_hash = $2 WHERE id = $1', [found.id, fresh]));
    }
    return this.db.withUser(found.id, async (sql) => {
      const session = await this.startFamily(sql, found.id, client);
      await audit(sql, { userId: found.id, action: 'auth.login.ok', entity: 'session', entityId: session.familyId, ...client });
      return session;
    });
  }

  /** Lifts an account's sign-in lock (operator console: `unlock`). Returns whether there was anything to lift. */
  async unlock(email: string, client: ClientInfo): Promise<{ userId: string; wasLocked: boolean } | null> {
    const found = (await this.db.withUser(null, (sql) => sql.query<{ id: string }>('SELECT id FROM auth_find_user($1)', [email]))).rows[0];
    if (!found) return null;
    const wasLocked = (await this.accounts.lockedUntil(found.id)) > this.clock();
    await this.db.withUser(found.id, async (sql) => {
      await this.accounts.clear(found.id, sql);
      await audit(sql, { userId: found.id, action: 'auth.unlock', details: { wasLocked }, ...client });
    });
    return { userId: found.id, wasLocked };
  }

  /** A backup code alone (never a 6-digit TOTP code, which is guessable): the owner's way past a lock. */
  private async useBackupCode(userId: string, code: string, client: ClientInfo): Promise<boolean> {
    const backup = normaliseBackupCode(code);
    if (!backup) return false;
    return this.db.withUser(userId, async (sql) => {
      const used = await sql.query('UPDATE backup_codes SET used_at = now() WHERE user_id = $1 AND code_hash = $2 AND used_at IS NULL RETURNING id', [userId, hashBackupCode(backup)]);
      if (!used.rows.length) return false;
      await audit(sql, { userId, action: 'auth.backup-code.used', ...client });
      return true;
    });
  }

  private async checkSecondFactor(userId: string, code: string, client: ClientInfo): Promise<boolean> {
    return this.db.withUser(userId, async (sql) => {
      const u = (await sql.query<{ totp_secret: Uint8Array | null; totp_last_step: number | null }>('SELECT totp_secret, totp_last_step FROM users WHERE id = $1 FOR UPDATE', [userId])).rows[0];
      if (!u?.totp_secret) return false;
      const secret = this.deps.services.cipher.decrypt(u.totp_secret, 'users', userId, 'totp_secret');
      const step = matchTotp(secret, code.trim(), u.totp_last_step);
      if (step !== null) {
        await sql.query('UPDATE users SET totp_last_step = $2 WHERE id = $1', [userId, step]);
        return true;
      }
      const backup = normaliseBackupCode(code);
      if (!backup) return false;
      const used = await sql.query('UPDATE backup_codes SET used_at = now() WHERE user_id = $1 AND code_hash = $2 AND used_at IS NULL RETURNING id', [userId, hashBackupCode(backup)]);
      if (used.rows.length) {
        await audit(sql, { userId, action: 'auth.backup-code.used', ...client });
        return true;
      }
      return false;
    });
  }

  /** Days a session lasts from sign-in, however often it is refreshed. */
  private get sessionMaxDays(): number {
    return this.deps.services.config.sessionMaxDays;
  }

  private async issueToken(sql: Sql, userId: string, familyId: string, binding: FamilyBinding, client: ClientInfo): Promise<{ id: string; token: string; expiresAt: Date }> {
    const id = randomUUID();
    const token = randomBytes(32).toString('base64url');
    const row = await sql.query<{ expires_at: Date }>(
      `WITH s AS (SELECT COALESCE($7::timestamptz, now() + make_interval(days => $8::int)) AS session_end)
       INSERT INTO refresh_tokens (id, user_id, family_id, token_hash, expires_at, user_agent, ip, device_secret_hash, session_expires_at)
       SELECT $1, $2, $3, $4, LEAST(now() + make_interval(days => ${REFRESH_TOKEN_DAYS}), s.session_end), $5, $6, $9, s.session_end FROM s
       RETURNING expires_at`,
      [id, userId, familyId, tokenHash(token), client.userAgent.slice(0, 300), client.ip, binding.sessionExpiresAt, this.sessionMaxDays, binding.deviceSecretHash],
    );
    return { id, token, expiresAt: new Date(row.rows[0]!.expires_at) };
  }

  private async startFamily(sql: Sql, userId: string, client: ClientInfo): Promise<Session & { familyId: string }> {
    const familyId = randomUUID();
    const deviceSecret = randomBytes(32).toString('base64url');
    const { token, expiresAt } = await this.issueToken(sql, userId, familyId, { deviceSecretHash: deviceSecretHash(deviceSecret), sessionExpiresAt: null }, client);
    const accessToken = await signAccessToken(this.deps.services.keys, { userId, familyId });
    return { accessToken, expiresIn: ACCESS_TOKEN_SECONDS, refreshToken: token, refreshExpiresAt: expiresAt, userId, familyId, deviceSecret };
  }

  /**
   * Rotates the refresh token. A token used once before, within REFRESH_GRACE_MS, may mint one sibling
   * (two tabs refreshing at once); any other second use — after the grace, or a third use — means it was
   * stolen (or replayed): the whole family is revoked and the event audited.
   *
   * The cookie alone is not enough: the request must also carry the family's device secret (given at
   * sign-in, kept sealed by the device under its data key). Without it, or with a wrong one, nothing is
   * minted and the token is not spent (a locked tab of the owner's must not sign the device out). Past the
   * session's absolute end (SESSION_MAX_DAYS from sign-in) the family is ended: the password is needed.
   */
  async refresh(refreshToken: string, deviceSecret: string | undefined, client: ClientInfo): Promise<Session> {
    const hash = tokenHash(refreshToken);
    const owner = (await this.db.withUser(null, (sql) => sql.query<{ u: string | null }>('SELECT auth_refresh_owner($1) AS u', [hash]))).rows[0]?.u;
    if (!owner) throw sessionEnded();
    const result = await this.db.withUser(owner, async (sql) => {
      const row = (
        await sql.query<{
          id: string; family_id: string; used_at: Date | null; revoked_at: Date | null; expired: boolean; grace_sibling: string | null;
          device_secret_hash: string | null; session_expires_at: Date | null; session_over: boolean;
        }>(
          `SELECT id, family_id, used_at, revoked_at, expires_at < now() AS expired, grace_sibling, device_secret_hash, session_expires_at,
                  (session_expires_at IS NULL OR session_expires_at <= now()) AS session_over
             FROM refresh_tokens WHERE token_hash = $1 FOR UPDATE`,
          [hash],
        )
      ).rows[0];
      if (!row || row.revoked_at || row.expired) return { kind: 'ended' as const };
      if (row.session_over) {
        await sql.query('UPDATE refresh_tokens SET revoked_at = now() WHERE family_id = $1 AND revoked_at IS NULL', [row.family_id]);
        await audit(sql, { userId: owner, action: 'auth.session.expired', entity: 'session', entityId: row.family_id, ...client });
        return { kind: 'over' as const };
      }
      const late = row.used_at !== null && Date.now() - new Date(row.used_at).getTime() > (this.deps.refreshGraceMs ?? REFRESH_GRACE_MS);
      if (row.used_at && (late || row.grace_sibling)) {
        await sql.query('UPDATE refresh_tokens SET revoked_at = now() WHERE family_id = $1 AND revoked_at IS NULL', [row.family_id]);
        await audit(sql, { userId: owner, action: 'auth.refresh.reuse-detected', entity: 'session', entityId: row.family_id, details: { withinGrace: !late }, ...client });
        return { kind: 'reuse' as const };
      }
      if (!secretMatches(deviceSecret, row.device_secret_hash)) {
        await audit(sql, { userId: owner, action: 'auth.refresh.device-refused', entity: 'session', entityId: row.family_id, details: { secretGiven: Boolean(deviceSecret) }, ...client });
        return { kind: 'device' as const };
      }
      const next = await this.issueToken(sql, owner, row.family_id, { deviceSecretHash: row.device_secret_hash!, sessionExpiresAt: row.session_expires_at }, client);
      if (!row.used_at) await sql.query('UPDATE refresh_tokens SET used_at = now(), replaced_by = $2 WHERE id = $1', [row.id, next.id]);
      else await sql.query('UPDATE refresh_tokens SET grace_sibling = $2 WHERE id = $1', [row.id, next.id]);
      await audit(sql, { userId: owner, action: row.used_at ? 'auth.refresh.concurrent' : 'auth.refresh', entity: 'session', entityId: row.family_id, ...client });
      const accessToken = await signAccessToken(this.deps.services.keys, { userId: owner, familyId: row.family_id });
      return { kind: 'ok' as const, session: { accessToken, expiresIn: ACCESS_TOKEN_SECONDS, refreshToken: next.token, refreshExpiresAt: next.expiresAt, userId: owner } };
    });
    if (result.kind === 'ok') return result.session;
    if (result.kind === 'reuse') {
      this.revoked(owner);
      throw AppError.unauthorized('This sign-in was used twice, so every session of it has been ended. Sign in again.', 'refresh-reuse');
    }
    if (result.kind === 'device') {
      // 403, not 401: the session itself is not ended, so the route leaves the cookie in place.
      throw new AppError(403, 'device-locked', 'Unlock this device first', 'Renewing the session needs this device to be unlocked. Unlock it with your password, or sign in again.');
    }
    if (result.kind === 'over') {
      this.revoked(owner);
      throw AppError.unauthorized(`Sessions last at most ${this.sessionMaxDays} days. Sign in again with your password.`, 'session-ended');
    }
    throw sessionEnded();
  }

  async logout(refreshToken: string | undefined, client: ClientInfo): Promise<void> {
    if (!refreshToken) return;
    const hash = tokenHash(refreshToken);
    const owner = (await this.db.withUser(null, (sql) => sql.query<{ u: string | null }>('SELECT auth_refresh_owner($1) AS u', [hash]))).rows[0]?.u;
    if (!owner) return;
    await this.db.withUser(owner, async (sql) => {
      const fam = await sql.query<{ family_id: string }>('UPDATE refresh_tokens SET revoked_at = now() WHERE family_id = (SELECT family_id FROM refresh_tokens WHERE token_hash = $1) AND revoked_at IS NULL RETURNING family_id', [hash]);
      await audit(sql, { userId: owner, action: 'auth.logout', entity: 'session', entityId: fam.rows[0]?.family_id, ...client });
    });
    this.revoked(owner);
  }

  /** Ends every session of the user, or every one but `keepFamily`. */
  async revokeSessions(sql: Sql, userId: string, keepFamily?: string): Promise<number> {
    const res = await sql.query('UPDATE refresh_tokens SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL AND family_id IS DISTINCT FROM $2', [userId, keepFamily ?? null]);
    return res.rowCount;
  }

  /**
   * A fresh re-authentication for the settings that could lock the owner out (two-factor, backup codes,
   * password, ending every session): the account's password, checked with Argon2 now. An access token
   * alone is not enough. A wrong password counts toward the account's sign-in lockout like a failed
   * sign-in; while the account is locked nothing is checked or counted.
   */
  async reauthenticate(userId: string, password: string | undefined, client: ClientInfo): Promise<void> {
    if (!password) throw new AppError(403, 'reauth-required', 'Password needed', 'Enter your password to change this.');
    const start = await this.accounts.begin(userId);
    if (start.locked) {
      await this.db.withUser(userId, (sql) => audit(sql, { userId, action: 'auth.reauth.fail', details: { reason: 'locked' }, ...client }));
      throw new AppError(403, 'account-locked', 'Too many wrong passwords', 'Too many wrong passwords. Wait a few minutes, then try again.');
    }
    const hash = (await this.db.withUser(userId, (sql) => sql.query<{ h: string }>('SELECT password_hash AS h FROM users WHERE id = $1', [userId]))).rows[0]?.h;
    const ok = await verifyPassword(hash ?? (await dummyHash(this.deps.hashParams)), password);
    if (ok && hash) {
      await this.accounts.forgive(start.attempt);
      return;
    }
    await this.db.withUser(userId, async (sql) => {
      await audit(sql, { userId, action: 'auth.reauth.fail', details: { reason: 'wrong-password' }, ...client });
      if (start.attempt.setUntil > 0) await audit(sql, { userId, action: 'auth.lockout', ...client });
    });
    throw new AppError(403, 'wrong-password', 'Not allowed', 'The password is wrong.');
  }

  async logoutAll(userId: string, password: string | undefined, client: ClientInfo): Promise<void> {
    await this.reauthenticate(userId, password, client);
    await this.db.withUser(userId, async (sql) => {
      const n = await this.revokeSessions(sql, userId);
      await audit(sql, { userId, action: 'auth.logout-all', details: { sessions: n }, ...client });
    });
    this.revoked(userId);
  }

  async changePassword(userId: string, familyId: string, current: string, next: string, client: ClientInfo): Promise<void> {
    const u = await this.me(userId);
    await this.reauthenticate(userId, current, client);
    const problem = passwordProblem(next, u.email);
    if (problem) throw new AppError(422, 'weak-password', 'The password is not strong enough', problem, { errors: [{ path: 'body.newPassword', message: problem }] });
    const fresh = await hashPassword(next, this.deps.hashParams);
    await this.db.withUser(userId, async (sql) => {
      await sql.query('UPDATE users SET password_hash = $2, password_changed_at = now() WHERE id = $1', [userId, fresh]);
      const n = await this.revokeSessions(sql, userId, familyId);
      await audit(sql, { userId, action: 'auth.password.changed', details: { otherSessionsEnded: n }, ...client });
    });
    this.revoked(userId);
  }

  async me(userId: string): Promise<{ id: string; email: string; totpEnabled: boolean; createdAt: string }> {
    const u = (await this.db.withUser(userId, (sql) => sql.query<{ id: string; email: string; totp_enabled: boolean; created_at: Date }>('SELECT id, email, totp_enabled, created_at FROM users WHERE id = $1', [userId]))).rows[0];
    if (!u) throw AppError.unauthorized();
    return { id: u.id, email: u.email, totpEnabled: u.totp_enabled, createdAt: new Date(u.created_at).toISOString() };
  }

  async totpEnrol(userId: string, password: string | undefined, client: ClientInfo): Promise<{ secret: string; otpauthUri: string }> {
    await this.reauthenticate(userId, password, client);
    const me = await this.me(userId);
    if (me.totpEnabled) throw AppError.conflict('Two-factor sign-in is already on. Turn it off first to enrol a new device.', 'totp-enabled');
    const secret = newTotpSecret();
    const sealed = this.deps.services.cipher.encrypt(secret, 'users', userId, 'totp_secret');
    await this.db.withUser(userId, (sql) => sql.query('UPDATE users SET totp_secret = $2, totp_last_step = NULL WHERE id = $1', [userId, sealed]));
    return { secret, otpauthUri: otpauthUri(me.email, secret) };
  }

  async totpConfirm(userId: string, familyId: string, password: string | undefined, code: string, client: ClientInfo): Promise<{ backupCodes: string[] }> {
    await this.reauthenticate(userId, password, client);
    return this.db.withUser(userId, async (sql) => {
      const u = (await sql.query<{ totp_secret: Uint8Array | null; totp_enabled: boolean }>('SELECT totp_secret, totp_enabled FROM users WHERE id = $1 FOR UPDATE', [userId])).rows[0];
      if (!u?.totp_secret || u.totp_enabled) throw AppError.conflict('Start enrolment first.', 'totp-not-enrolling');
      const secret = this.deps.services.cipher.decrypt(u.totp_secret, 'users', userId, 'totp_secret');
      const step = matchTotp(secret, code.trim(), null);
      if (step === null) throw new AppError(422, 'invalid-totp', 'The code is wrong', 'The code does not match. Check the time on your phone and try the next code.');
      const codes = await this.replaceBackupCodes(sql, userId);
      await sql.query('UPDATE users SET totp_enabled = true, totp_last_step = $2 WHERE id = $1', [userId, step]);
      const n = await this.revokeSessions(sql, userId, familyId);
      await audit(sql, { userId, action: 'auth.totp.enabled', details: { otherSessionsEnded: n }, ...client });
      return { backupCodes: codes };
    }).then((r) => {
      this.revoked(userId);
      return r;
    });
  }

  private async replaceBackupCodes(sql: Sql, userId: string): Promise<string[]> {
    const codes = newBackupCodes();
    await sql.query('DELETE FROM backup_codes WHERE user_id = $1', [userId]);
    for (const c of codes) await sql.query('INSERT INTO backup_codes (id, user_id, code_hash) VALUES ($1, $2, $3)', [randomUUID(), userId, hashBackupCode(normaliseBackupCode(c)!)]);
    return codes;
  }

  /** Ten new backup codes (the old ones stop working); needs the password and two-factor sign-in on. */
  async regenerateBackupCodes(userId: string, password: string | undefined, client: ClientInfo): Promise<{ backupCodes: string[] }> {
    await this.reauthenticate(userId, password, client);
    return this.db.withUser(userId, async (sql) => {
      const u = (await sql.query<{ totp_enabled: boolean }>('SELECT totp_enabled FROM users WHERE id = $1 FOR UPDATE', [userId])).rows[0];
      if (!u?.totp_enabled) throw AppError.conflict('Two-factor sign-in is off, so there are no backup codes to renew.', 'totp-not-enabled');
      const codes = await this.replaceBackupCodes(sql, userId);
      await audit(sql, { userId, action: 'auth.backup-codes.renewed', ...client });
      return { backupCodes: codes };
    });
  }

  async totpDisable(userId: string, familyId: string, password: string | undefined, code: string, client: ClientInfo): Promise<void> {
    await this.reauthenticate(userId, password, client);
    if (!(await this.checkSecondFactor(userId, code, client))) throw new AppError(403, 'invalid-totp', 'Not allowed', 'The code is wrong or was already used.');
    await this.db.withUser(userId, async (sql) => {
      await sql.query('UPDATE users SET totp_enabled = false, totp_secret = NULL, totp_last_step = NULL WHERE id = $1', [userId]);
      await sql.query('DELETE FROM backup_codes WHERE user_id = $1', [userId]);
      const n = await this.revokeSessions(sql, userId, familyId);
      await audit(sql, { userId, action: 'auth.totp.disabled', details: { otherSessionsEnded: n }, ...client });
    });
    this.revoked(userId);
  }
}
