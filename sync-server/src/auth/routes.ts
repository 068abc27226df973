import { Router, type Request, type Response } from 'express';
import QRCode from 'qrcode';
import { z } from 'zod';
import { listAudit } from '../audit/audit.ts';
import { AppError } from '../http/errors.ts';
import { CSRF_COOKIE, newCsrfToken, requireCsrf } from '../http/security.ts';
import { applyLimit, clientIp, rateLimit, type RatePolicies } from '../limits/rate-limit.ts';
import type { LimitStore } from '../limits/store.ts';
import type { Services } from '../services.ts';
import { currentUser, requireUser } from './require-user.ts';
import { dummyHash } from './passwords.ts';
import type { AuthService, ClientInfo, Session } from './service.ts';

export const REFRESH_COOKIE = 'mymidas_refresh';
const AUTH_PATH = '/api/v1/auth';

const email = z.email('must be an e-mail address').max(254);
const registerBody = z.object({ email, password: z.string().max(1024) }).strict();
const loginBody = z.object({ email: z.string().max(254), password: z.string().max(1024), totp: z.string().max(32).optional() }).strict();
// Re-authentication: a missing password is refused by the service (403 reauth-required), not as a malformed body.
const password = z.string().max(1024).optional();
const reauthBody = z.object({ password }).strict();
const codeBody = z.object({ password, code: z.string().min(1).max(32) }).strict();
const refreshBody = z.object({ deviceSecret: z.string().max(128).optional() }).strict();
const passwordBody = z.object({ currentPassword: z.string().max(1024), newPassword: z.string().max(1024) }).strict();
const auditQuery = z.object({ before: z.coerce.number().int().positive().optional(), limit: z.coerce.number().int().min(1).max(200).default(50) });

function parse<T>(schema: z.ZodType<T>, value: unknown, where = 'body'): T {
  const r = schema.safeParse(value ?? {});
  if (!r.success) throw AppError.validation(r.error, where);
  return r.data;
}

function client(req: Request): ClientInfo {
  return { ip: clientIp(req), userAgent: req.get('user-agent') ?? '' };
}

export interface AuthRouteDeps {
  services: Services;
  auth: AuthService;
  limits: LimitStore;
  policies: RatePolicies;
}

// Express 5 forwards a rejected async handler to the error middleware, so handlers need no try/catch.
/** The auth API (issue contract): register, login, refresh, logout(-all), TOTP, CSRF, me, audit, password. */
export function authRoutes(deps: AuthRouteDeps): Router {
  const { services, auth, limits, policies } = deps;
  const secure = services.config.environment === 'production';
  void dummyHash(); // warm the timing equaliser so the first unknown-user login is not faster
  const router = Router();
  const authLimit = rateLimit(limits, policies.auth);
  const signedIn = requireUser({ keys: services.keys, db: services.db });

  const setRefresh = (res: Response, s: Session) => {
    const maxAge = Math.max(0, s.refreshExpiresAt.getTime() - Date.now());
    res.cookie(REFRESH_COOKIE, s.refreshToken, { httpOnly: true, secure, sameSite: 'strict', path: AUTH_PATH, maxAge });
  };
  const sessionBody = (s: Session) => ({ accessToken: s.accessToken, expiresIn: s.expiresIn, tokenType: 'Bearer', ...(s.deviceSecret ? { deviceSecret: s.deviceSecret } : {}) });
  const refreshCookie = (req: Request) => (req.cookies as Record<string, string> | undefined)?.[REFRESH_COOKIE];

  router.get('/auth/csrf', (_req, res) => {
    const token = newCsrfToken();
    res.cookie(CSRF_COOKIE, token, { httpOnly: false, secure, sameSite: 'strict', path: '/' });
    res.setHeader('Cache-Control', 'no-store');
    res.json({ csrfToken: token });
  });

  router.get('/auth/status', async (_req, res) => {
    const users = (await services.db.withUser(null, (sql) => sql.query<{ n: number }>('SELECT auth_user_count() AS n'))).rows[0]!.n;
    res.json({ registrationOpen: users === 0 || services.config.allowRegistration, hasAccount: users > 0 });
  });

  router.post('/auth/register', authLimit, async (req, res) => {
    const body = parse(registerBody, req.body);
    res.status(201).json(await auth.register(body.email, body.password, client(req)));
  });

  router.post('/auth/login', authLimit, async (req, res) => {
    const body = parse(loginBody, req.body);
    if (body.totp) await applyLimit(limits, policies.totp, clientIp(req), res);
    const s = await auth.login(body.email, body.password, body.totp, client(req));
    setRefresh(res, s);
    res.setHeader('Cache-Control', 'no-store');
    res.json(sessionBody(s));
  });

  router.post('/auth/refresh', authLimit, requireCsrf, async (req, res) => {
    const token = refreshCookie(req);
    const body = parse(refreshBody, req.body);
    try {
      if (!token) throw AppError.unauthorized('No session cookie. Sign in again.', 'session-ended');
      const s = await auth.refresh(token, body.deviceSecret, client(req));
      setRefresh(res, s);
      res.setHeader('Cache-Control', 'no-store');
      res.json(sessionBody(s));
    } catch (err) {
      // A dead refresh cookie is cleared so the client stops presenting it.
      if (err instanceof AppError && err.status === 401) res.clearCookie(REFRESH_COOKIE, { path: AUTH_PATH });
      throw err;
    }
  });

  router.post('/auth/logout', authLimit, requireCsrf, async (req, res) => {
    await auth.logout(refreshCookie(req), client(req));
    res.clearCookie(REFRESH_COOKIE, { path: AUTH_PATH });
    res.status(204).end();
  });

  router.post('/auth/logout-all', authLimit, signedIn, async (req, res) => {
    const body = parse(reauthBody, req.body);
    await auth.logoutAll(currentUser(res).userId, body.password, client(req));
    res.clearCookie(REFRESH_COOKIE, { path: AUTH_PATH });
    res.status(204).end();
  });

  router.post('/auth/password', authLimit, signedIn, async (req, res) => {
    const body = parse(passwordBody, req.body);
    const me = currentUser(res);
    await auth.changePassword(me.userId, me.familyId, body.currentPassword, body.newPassword, client(req));
    res.status(204).end();
  });

  const totpLimit = rateLimit(limits, policies.totp);
  router.post('/auth/totp/enrol', totpLimit, signedIn, async (req, res) => {
    const body = parse(reauthBody, req.body);
    const r = await auth.totpEnrol(currentUser(res).userId, body.password, client(req));
    const qrSvg = await QRCode.toString(r.otpauthUri, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
    res.setHeader('Cache-Control', 'no-store');
    res.json({ ...r, qrSvg });
  });

  router.post('/auth/totp/confirm', totpLimit, signedIn, async (req, res) => {
    const me = currentUser(res);
    res.setHeader('Cache-Control', 'no-store');
    const body = parse(codeBody, req.body);
    res.json(await auth.totpConfirm(me.userId, me.familyId, body.password, body.code, client(req)));
  });

  router.post('/auth/totp/backup-codes', totpLimit, signedIn, async (req, res) => {
    const body = parse(reauthBody, req.body);
    res.setHeader('Cache-Control', 'no-store');
    res.json(await auth.regenerateBackupCodes(currentUser(res).userId, body.password, client(req)));
  });

  router.post('/auth/totp/disable', totpLimit, signedIn, async (req, res) => {
    const body = parse(codeBody, req.body);
    const me = currentUser(res);
    await auth.totpDisable(me.userId, me.familyId, body.password, body.code, client(req));
    res.status(204).end();
  });

  router.get('/me', signedIn, async (_req, res) => {
    res.json(await auth.me(currentUser(res).userId));
  });

  router.get('/audit', signedIn, async (req, res) => {
    const q = parse(auditQuery, req.query, 'query');
    const items = await listAudit(services.db, currentUser(res).userId, { limit: q.limit, ...(q.before ? { before: q.before } : {}) });
    const last = items.at(-1);
    res.json({ items, next: items.length === q.limit && last ? `/api/v1/audit?before=${last.id}&limit=${q.limit}` : null });
  });

  return router;
}
