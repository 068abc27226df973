import type { RequestHandler, Response } from 'express';
import { AppError } from '../http/errors.ts';
import type { Database } from '../store/database.ts';
import { TokenError, verifyAccessToken, type TokenKeys } from './tokens.ts';

export interface AuthedLocals {
  userId: string;
  familyId: string;
}

/** The signed-in user of a request that passed requireUser. */
export function currentUser(res: Response): AuthedLocals {
  const locals = res.locals as Partial<AuthedLocals>;
  if (!locals.userId || !locals.familyId) throw AppError.unauthorized();
  return { userId: locals.userId, familyId: locals.familyId };
}

/**
 * Whether the session (refresh family) is still live: not logged out, not ended by a password change, not
 * past its absolute end (a family without one predates it and is judged by revocation alone).
 */
export async function sessionIsLive(db: Database, userId: string, familyId: string): Promise<boolean> {
  const live = await db.withUser(userId, (sql) =>
    sql.query('SELECT 1 FROM refresh_tokens WHERE family_id = $1 AND revoked_at IS NULL AND (session_expires_at IS NULL OR session_expires_at > now()) LIMIT 1', [familyId]),
  );
  return live.rows.length > 0;
}

/**
 * Bearer access token → res.locals.userId. The session's refresh family must still be live, so a
 * logout or a password change ends access at once rather than when the 15-minute token expires.
 */
export function requireUser(deps: { keys: TokenKeys; db: Database }): RequestHandler {
  return async (req, res, next) => {
    const header = req.get('authorization') ?? '';
    const m = /^Bearer ([A-Za-z0-9._~+/=-]+)$/.exec(header);
    if (!m) return next(AppError.unauthorized('Send the access token as "Authorization: Bearer <token>".'));
    try {
      const claims = await verifyAccessToken(deps.keys, m[1]!);
      if (!(await sessionIsLive(deps.db, claims.userId, claims.familyId))) return next(AppError.unauthorized('This session has ended. Sign in again.', 'session-ended'));
      res.locals.userId = claims.userId;
      res.locals.familyId = claims.familyId;
      next();
    } catch (err) {
      if (err instanceof TokenError) return next(AppError.unauthorized('The access token is not valid. Refresh it or sign in again.', 'invalid-token'));
      next(err);
    }
  };
}
