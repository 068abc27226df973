import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { audit } from '../audit/audit.ts';
import { AppError } from '../http/errors.ts';
import type { LimitStore } from '../limits/store.ts';
import type { Services } from '../services.ts';
import type { Sql } from '../store/database.ts';
import { dummyHash, hashPassword, needsRehash, passwordProblem, verifyPassword, type HashParams } from './passwords.ts';
import { ACCESS_TOKEN_SECONDS, signAccessToken } from './tokens.ts';
import { hashBackupCode, matchTotp, newBackupCodes, newTotpSecret, normaliseBackupCode, otpauthUri } from './totp.ts';

export const REFRESH_TOKEN_DAYS = 7;
/** A refresh token used again within this many ms (parallel tabs) is tolerated, not treated as theft. */
export const REFRESH_GRACE_MS = 10_000;

export interface Lockout {
  /** Failures before the first lock, per account and per IP. */
  accountThreshold: number;
  ipThreshold: number;
  baseLockMs: number;
  maxLockMs: number;
  failureMemoryMs: number;
}
export const DEFAULT_LOCKOUT: Lockout = { accountThreshold: 5, ipThreshold: 20, baseLockMs: 30_000, maxLockMs: 3_600_000, failureMemoryMs: 900_000 };

export interface AuthDeps {
  services: Services;
  limits: LimitStore;
  hashParams?: HashParams;
  lockout?: Lockout;
  refreshGraceMs?: number;
}

export interface ClientInfo {
  ip: string;
  userAgent: string;
}

export interface Session {
  accessToken: string;
  expiresIn: number;
  refreshToken: string;
  userId: string;
}

const invalidCredentials = () => new AppError(401, 'invalid-credentials', 'Sign-in failed', 'The e-mail or password is wrong.');

function tokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export class AuthService {
  private readonly lockout: Lockout;
  constructor(private readonly deps: AuthDeps) {
    this.lockout = deps.lockout ?? DEFAULT_LOCKOUT;
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

  private async lockedUntil(email: string, ip: string): Promise<number> {
    const { limits } = this.deps;
    return Math.max(await limits.get(`lock:acct:${email.toLowerCase()}`), await limits.get(`lock:ip:${ip}`));
  }

  private async registerFailure(email: string, ip: string): Promise<boolean> {
    const { limits } = this.deps;
    const l = this.lockout;
    let locked = false;
    for (const [key, threshold] of [[`acct:${email.toLowerCase()}`, l.accountThreshold], [`ip:${ip}`, l.ipThreshold]] as const) {
      const n = await limits.incr(`fail:${key}`, l.failureMemoryMs);
      if (n >= threshold) {
        const ms = Math.min(l.maxLockMs, l.baseLockMs * 2 ** (n - threshold));
        await limits.setUntil(`lock:${key}`, Date.now() + ms);
        locked = true;
      }
    }
    return locked;
  }

  /**
   * Password first, always at full Argon2 cost (a dummy hash for unknown e-mails, and also when locked),
   * so an unknown user, a wrong password and a locked account look the same in body and timing.
   */
  async login(email: string, password: string, totp: string | undefined, client: ClientInfo): Promise<Session> {
    const found = (
      await this.db.withUser(null, (sql) =>
        sql.query<{ id: string; password_hash: string; totp_enabled: boolean }>('SELECT id, password_hash, totp_enabled FROM auth_find_user($1)', [email]),
      )
    ).rows[0];
    const ok = await verifyPassword(found?.password_hash ?? (await dummyHash(this.deps.hashParams)), password);
    const locked = (await this.lockedUntil(email, client.ip)) > Date.now();
    if (!found || !ok || locked) {
      const nowLocked = await this.registerFailure(email, client.ip);
      const reason = locked ? 'locked' : !found ? 'unknown-user' : 'wrong-password';
      await this.db.withUser(found?.id ?? null, async (sql) => {
        await audit(sql, { userId: found?.id ?? null, action: 'auth.login.fail', details: { reason }, ...client });
        if (nowLocked && !locked) await audit(sql, { userId: found?.id ?? null, action: 'auth.lockout', ...client });
      });
      throw invalidCredentials();
    }
    if (found.totp_enabled) {
      if (!totp) {
        throw new AppError(401, 'totp-required', 'Second factor needed', 'Enter the 6-digit code from your authenticator app, or a backup code.');
      }
      const accepted = await this.checkSecondFactor(found.id, totp, client);
      if (!accepted) {
        await this.registerFailure(email, client.ip);
        throw new AppError(401, 'invalid-totp', 'Sign-in failed', 'The code is wrong or was already used.');
      }
    }
    await this.deps.limits.del(`fail:acct:${email.toLowerCase()}`, `lock:acct:${email.toLowerCase()}`);
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

  private async issueToken(sql: Sql, userId: string, familyId: string, client: ClientInfo): Promise<{ id: string; token: string }> {
    const id = randomUUID();
    const token = randomBytes(32).toString('base64url');
    await sql.query(
      `INSERT INTO refresh_tokens (id, user_id, family_id, token_hash, expires_at, user_agent, ip)
       VALUES ($1, $2, $3, $4, now() + make_interval(days => ${REFRESH_TOKEN_DAYS}), $5, $6)`,
      [id, userId, familyId, tokenHash(token), client.userAgent.slice(0, 300), client.ip],
    );
    return { id, token };
  }

  private async startFamily(sql: Sql, userId: string, client: ClientInfo): Promise<Session & { familyId: string }> {
    const familyId = randomUUID();
    const { token } = await this.issueToken(sql, userId, familyId, client);
    const accessToken = await signAccessToken(this.deps.services.keys, { userId, familyId });
    return { accessToken, expiresIn: ACCESS_TOKEN_SECONDS, refreshToken: token, userId, familyId };
  }

  /**
   * Rotates the refresh token. A token already used more than REFRESH_GRACE_MS ago means it was stolen
   * (or replayed): the whole family is revoked and the event audited.
   */
  async refresh(refreshToken: string, client: ClientInfo): Promise<Session> {
    const hash = tokenHash(refreshToken);
    const owner = (await this.db.withUser(null, (sql) => sql.query<{ u: string | null }>('SELECT auth_refresh_owner($1) AS u', [hash]))).rows[0]?.u;
    if (!owner) throw AppError.unauthorized('The session has ended. Sign in again.', 'session-ended');
    const result = await this.db.withUser(owner, async (sql) => {
      const row = (
        await sql.query<{ id: string; family_id: string; used_at: Date | null; revoked_at: Date | null; expired: boolean }>(
          'SELECT id, family_id, used_at, revoked_at, expires_at < now() AS expired FROM refresh_tokens WHERE token_hash = $1 FOR UPDATE',
          [hash],
        )
      ).rows[0];
      if (!row || row.revoked_at || row.expired) return { kind: 'ended' as const };
      if (row.used_at && Date.now() - new Date(row.used_at).getTime() > (this.deps.refreshGraceMs ?? REFRESH_GRACE_MS)) {
        await sql.query('UPDATE refresh_tokens SET revoked_at = now() WHERE family_id = $1 AND revoked_at IS NULL', [row.family_id]);
        await audit(sql, { userId: owner, action: 'auth.refresh.reuse-detected', entity: 'session', entityId: row.family_id, ...client });
        return { kind: 'reuse' as const };
      }
      const next = await this.issueToken(sql, owner, row.family_id, client);
      if (!row.used_at) await sql.query('UPDATE refresh_tokens SET used_at = now(), replaced_by = $2 WHERE id = $1', [row.id, next.id]);
      await audit(sql, { userId: owner, action: row.used_at ? 'auth.refresh.concurrent' : 'auth.refresh', entity: 'session', entityId: row.family_id, ...client });
      const accessToken = await signAccessToken(this.deps.services.keys, { userId: owner, familyId: row.family_id });
      return { kind: 'ok' as const, session: { accessToken, expiresIn: ACCESS_TOKEN_SECONDS, refreshToken: next.token, userId: owner } };
    });
    if (result.kind === 'ok') return result.session;
    if (result.kind === 'reuse') throw AppError.unauthorized('This sign-in was used twice, so every session of it has been ended. Sign in again.', 'refresh-reuse');
    throw AppError.unauthorized('The session has ended. Sign in again.', 'session-ended');
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
  }

  /** Ends every session of the user, or every one but `keepFamily`. */
  async revokeSessions(sql: Sql, userId: string, keepFamily?: string): Promise<number> {
    const res = await sql.query('UPDATE refresh_tokens SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL AND family_id IS DISTINCT FROM $2', [userId, keepFamily ?? null]);
    return res.rowCount;
  }

  async logoutAll(userId: string, client: ClientInfo): Promise<void> {
    await this.db.withUser(userId, async (sql) => {
      const n = await this.revokeSessions(sql, userId);
      await audit(sql, { userId, action: 'auth.logout-all', details: { sessions: n }, ...client });
    });
  }

  async changePassword(userId: string, familyId: string, current: string, next: string, client: ClientInfo): Promise<void> {
    const u = await this.me(userId);
    const hash = (await this.db.withUser(userId, (sql) => sql.query<{ h: string }>('SELECT password_hash AS h FROM users WHERE id = $1', [userId]))).rows[0]!.h;
    if (!(await verifyPassword(hash, current))) throw new AppError(403, 'wrong-password', 'Not allowed', 'The current password is wrong.');
    const problem = passwordProblem(next, u.email);
    if (problem) throw new AppError(422, 'weak-password', 'The password is not strong enough', problem, { errors: [{ path: 'body.newPassword', message: problem }] });
    const fresh = await hashPassword(next, this.deps.hashParams);
    await this.db.withUser(userId, async (sql) => {
      await sql.query('UPDATE users SET password_hash = $2, password_changed_at = now() WHERE id = $1', [userId, fresh]);
      const n = await this.revokeSessions(sql, userId, familyId);
      await audit(sql, { userId, action: 'auth.password.changed', details: { otherSessionsEnded: n }, ...client });
    });
  }

  async me(userId: string): Promise<{ id: string; email: string; totpEnabled: boolean; createdAt: string }> {
    const u = (await this.db.withUser(userId, (sql) => sql.query<{ id: string; email: string; totp_enabled: boolean; created_at: Date }>('SELECT id, email, totp_enabled, created_at FROM users WHERE id = $1', [userId]))).rows[0];
    if (!u) throw AppError.unauthorized();
    return { id: u.id, email: u.email, totpEnabled: u.totp_enabled, createdAt: new Date(u.created_at).toISOString() };
  }

  async totpEnrol(userId: string): Promise<{ secret: string; otpauthUri: string }> {
    const me = await this.me(userId);
    if (me.totpEnabled) throw AppError.conflict('Two-factor sign-in is already on. Turn it off first to enrol a new device.', 'totp-enabled');
    const secret = newTotpSecret();
    const sealed = this.deps.services.cipher.encrypt(secret, 'users', userId, 'totp_secret');
    await this.db.withUser(userId, (sql) => sql.query('UPDATE users SET totp_secret = $2, totp_last_step = NULL WHERE id = $1', [userId, sealed]));
    return { secret, otpauthUri: otpauthUri(me.email, secret) };
  }

  async totpConfirm(userId: string, familyId: string, code: string, client: ClientInfo): Promise<{ backupCodes: string[] }> {
    return this.db.withUser(userId, async (sql) => {
      const u = (await sql.query<{ totp_secret: Uint8Array | null; totp_enabled: boolean }>('SELECT totp_secret, totp_enabled FROM users WHERE id = $1 FOR UPDATE', [userId])).rows[0];
      if (!u?.totp_secret || u.totp_enabled) throw AppError.conflict('Start enrolment first.', 'totp-not-enrolling');
      const secret = this.deps.services.cipher.decrypt(u.totp_secret, 'users', userId, 'totp_secret');
      const step = matchTotp(secret, code.trim(), null);
      if (step === null) throw new AppError(422, 'invalid-totp', 'The code is wrong', 'The code does not match. Check the time on your phone and try the next code.');
      const codes = newBackupCodes();
      await sql.query('DELETE FROM backup_codes WHERE user_id = $1', [userId]);
      for (const c of codes) await sql.query('INSERT INTO backup_codes (id, user_id, code_hash) VALUES ($1, $2, $3)', [randomUUID(), userId, hashBackupCode(normaliseBackupCode(c)!)]);
      await sql.query('UPDATE users SET totp_enabled = true, totp_last_step = $2 WHERE id = $1', [userId, step]);
      const n = await this.revokeSessions(sql, userId, familyId);
      await audit(sql, { userId, action: 'auth.totp.enabled', details: { otherSessionsEnded: n }, ...client });
      return { backupCodes: codes };
    });
  }

  async totpDisable(userId: string, familyId: string, password: string, code: string, client: ClientInfo): Promise<void> {
    const hash = (await this.db.withUser(userId, (sql) => sql.query<{ h: string }>('SELECT password_hash AS h FROM users WHERE id = $1', [userId]))).rows[0]!.h;
    if (!(await verifyPassword(hash, password))) throw new AppError(403, 'wrong-password', 'Not allowed', 'The password is wrong.');
    if (!(await this.checkSecondFactor(userId, code, client))) throw new AppError(403, 'invalid-totp', 'Not allowed', 'The code is wrong or was already used.');
    await this.db.withUser(userId, async (sql) => {
      await sql.query('UPDATE users SET totp_enabled = false, totp_secret = NULL, totp_last_step = NULL WHERE id = $1', [userId]);
      await sql.query('DELETE FROM backup_codes WHERE user_id = $1', [userId]);
      const n = await this.revokeSessions(sql, userId, familyId);
      await audit(sql, { userId, action: 'auth.totp.disabled', details: { otherSessionsEnded: n }, ...client });
    });
  }
}
