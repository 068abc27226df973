import { Router, type Request, type Response } from 'express';
import { COLLECTIONS, isCollectionName, type CollectionName } from '@mymidas/shared/schema';
import { CheckpointError, DEFAULT_PULL_LIMIT, encodeCheckpoint, MAX_PULL_LIMIT, parseCheckpoint, pushBodySchema } from '@mymidas/shared/protocol';
import { currentUser, requireUser, sessionIsLive } from '../auth/require-user.ts';
import { sessionEventsFor } from '../auth/session-events.ts';
import { AppError } from '../http/errors.ts';
import { clientIp } from '../limits/rate-limit.ts';
import type { Services } from '../services.ts';
import { busFor, type ChangeBus } from './bus.ts';
import { ReplicationService } from './service.ts';

export interface ReplicationRouteOptions {
  bus?: ChangeBus;
  /** Milliseconds between SSE keep-alive comments. */
  keepAliveMs?: number;
  /** Milliseconds between checks that a stream's session is still live (revocations by another process). */
  sessionCheckMs?: number;
  /** Open streams one user may hold on this server process; one more is refused with 429. */
  maxStreamsPerUser?: number;
}

export const MAX_STREAMS_PER_USER = 10;

function collectionParam(req: Request): CollectionName {
  const name = String(req.params.collection);
  if (!isCollectionName(name)) throw AppError.notFound(`There is no replicated collection "${name}".`);
  return name;
}

/** /replication/:collection/pull, /replication/:collection/push and /replication/stream (docs/sync-protocol.md). */
export function replicationRoutes(services: Services, opts: ReplicationRouteOptions = {}): Router {
  const router = Router();
  const bus = opts.bus ?? busFor(services);
  const replication = new ReplicationService({ db: services.db, cipher: services.cipher });
  const keepAliveMs = opts.keepAliveMs ?? 25_000;
  const sessionCheckMs = opts.sessionCheckMs ?? 15_000;
  const maxStreams = opts.maxStreamsPerUser ?? MAX_STREAMS_PER_USER;
  const auth = requireUser({ keys: services.keys, db: services.db });
  const openStreams = new Map<string, number>();

  router.get('/replication/stream', auth, (req: Request, res: Response) => {
    const { userId, familyId } = currentUser(res);
    const open = openStreams.get(userId) ?? 0;
    if (open >= maxStreams) {
      throw new AppError(429, 'too-many-streams', 'Too many open streams', `At most ${maxStreams} change streams may be open at once for one account. Close a tab or device and try again.`, {}, { 'Retry-After': '30' });
    }
    openStreams.set(userId, open + 1);
    res.status(200);
    res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Connection', 'keep-alive');
    res.setHeader('X-Accel-Buffering', 'no');
    res.flushHeaders();
    // A (re)connecting client may have missed hints while away: it must pull every collection once.
    res.write('retry: 5000\n\ndata: RESYNC\n\n');
    const unsubscribe = bus.subscribe(userId, (hint) => {
      res.write(`event: changed\ndata: ${JSON.stringify({ collections: hint.collections })}\n\n`);
    });
    const timer = setInterval(() => res.write(': keep-alive\n\n'), keepAliveMs);
    // A stream ends with its session: sign-out, password change, "sign out everywhere", refresh reuse.
    // This process's revocations are heard at once; another process's at the next periodic check.
    let closed = false;
    const checkSession = () => {
      if (closed) return;
      sessionIsLive(services.db, userId, familyId).then(
        (live) => {
          if (live || closed) return;
          res.write('event: session-ended\ndata: {}\n\n');
          res.end();
          cleanup();
        },
        () => undefined, // a failed check (database briefly away) is retried at the next interval
      );
    };
    const offRevoked = sessionEventsFor(services.db).onRevoked(userId, checkSession);
    const sessionTimer = setInterval(checkSession, sessionCheckMs);
    const cleanup = () => {
      if (closed) return;
      closed = true;
      clearInterval(timer);
      clearInterval(sessionTimer);
      offRevoked();
      unsubscribe();
      const left = (openStreams.get(userId) ?? 1) - 1;
      if (left > 0) openStreams.set(userId, left);
      else openStreams.delete(userId);
    };
    req.on('close', cleanup);
  });

  router.get('/replication/:collection/pull', auth, async (req, res) => {
    const collection = collectionParam(req);
    const { userId } = currentUser(res);
    let checkpoint;
    try {
      checkpoint = parseCheckpoint(collection, req.query.checkpoint);
    } catch (err) {
      if (err instanceof CheckpointError) throw AppError.badRequest(err.message);
      throw err;
    }
    const limitText = req.query.limit ?? String(DEFAULT_PULL_LIMIT);
    const limit = typeof limitText === 'string' && /^\d{1,5}$/.test(limitText) ? Number(limitText) : NaN;
    if (!(limit >= 1 && limit <= MAX_PULL_LIMIT)) throw AppError.badRequest(`limit must be a whole number from 1 to ${MAX_PULL_LIMIT}.`);
    const out = await replication.pullJson(userId, collection, checkpoint, limit);
    res.type('application/json').send(`{"documents":[${out.documents.join(',')}],"checkpoint":${JSON.stringify(encodeCheckpoint(out.checkpoint))}}`);
  });

  router.post('/replication/:collection/push', auth, async (req, res) => {
    const collection = collectionParam(req);
    const { userId } = currentUser(res);
    if (COLLECTIONS[collection].serverOwned) {
      throw AppError.forbidden(`"${collection}" is written only by the server; clients may pull it but not push to it.`, 'server-owned-collection');
    }
    const body = pushBodySchema.safeParse(req.body);
    if (!body.success) throw AppError.validation(body.error);
    const result = await replication.push(userId, collection, body.data, { ip: clientIp(req), userAgent: req.get('user-agent') ?? '' });
    if (result.written > 0) {
      // After the commit: a stream that hears this and pulls will see the rows.
      await bus.publish({ userId, collections: [collection] }).catch((err: unknown) => console.error('replication hint not published:', err));
    }
    res.json(result);
  });

  return router;
}
