import { Router, type Request } from 'express';
import type { Services } from '../services.ts';
import { AppError } from '../http/errors.ts';
import { loadMigrations } from '../store/migrate.ts';
import { collectSections } from './sections.ts';
import { feedHealth } from '../feeds/status.ts';
import { requireUser } from '../auth/require-user.ts';

const LOOPBACK = /^(127\.|::1$|::ffff:127\.)/;

/**
 * How the request reached the app. A phone runs the PWA and its service worker only in a secure context,
 * so plain HTTP from another machine is worth saying. `secure` is req.secure: TLS on this socket, or
 * X-Forwarded-Proto from a trusted proxy (TRUST_PROXY / TRUST_PROXY_HOPS).
 */
export function transportOf(req: Request): Record<string, unknown> {
  const secure = req.secure;
  const remote = req.ip ?? req.socket.remoteAddress ?? '';
  const loopback = LOOPBACK.test(remote);
  const plainToNetwork = !secure && !loopback;
  return {
    https: secure,
    plainHttpToNetwork: plainToNetwork,
    degraded: plainToNetwork,
    ...(plainToNetwork
      ? { warning: 'Served over plain HTTP to another machine: put the HTTPS proxy in front (docs/operations.md, "HTTPS"); phones install the app and work offline only over HTTPS.' }
      : {}),
  };
}

async function migrationsApplied(services: Services): Promise<{ ok: boolean; missing: string[] }> {
  const expected = (await loadMigrations()).map((m) => m.name);
  const applied = new Set((await services.db.asOwner((sql) => sql.query<{ name: string }>('SELECT name FROM schema_migrations'))).rows.map((r) => r.name));
  const missing = expected.filter((m) => !applied.has(m));
  return { ok: missing.length === 0, missing };
}

function backupSection(services: Services): Record<string, unknown> {
  const s = services.backups.status();
  return {
    state: s.state,
    degraded: s.state === 'failing' || s.state === 'stale',
    lastGoodAt: s.lastGood?.createdAt ?? null,
    ageHours: s.lastGood?.ageHours ?? null,
    ...(s.lastRun && !s.lastRun.ok ? { lastFailureAt: s.lastRun.at, error: s.lastRun.error } : {}),
  };
}

/**
 * GET /health — liveness: the process answers and reaches its database; sections add what is degraded
 * (transport, backups, market feeds, and any other area's: sections.ts). 503 only when the database is unreachable.
 * GET /ready — readiness: database, Redis when configured, every migration applied, not shutting down;
 * 503 otherwise. The last backup's age is reported (not a reason to take the server out of service).
 * GET /backups/status — the backups as the settings page shows them (signed in).
 */
export function healthRoutes(services: Services): Router {
  const router = Router();
  router.get('/health', async (req, res, next) => {
    try {
      const started = performance.now();
      await services.db.withUser(null, (sql) => sql.query('SELECT 1'));
      const database = { ok: true, latencyMs: Math.round((performance.now() - started) * 10) / 10 };
      // A feed job that has not succeeded for a day is reported as degraded (docs/feeds.md).
      const { degraded, sections } = await collectSections(req, { transport: transportOf, backup: () => backupSection(services), feeds: () => feedHealth(services.db) });
      res.json({
        status: degraded ? 'degraded' : 'ok',
        version: services.version,
        storage: services.db.backend,
        rateLimitStore: services.limiterBackend,
        database,
        ...sections,
      });
    } catch {
      next(new AppError(503, 'unavailable', 'The database is not reachable', 'The server is up but cannot reach its database.'));
    }
  });

  router.get('/ready', async (_req, res) => {
    const checks: Record<string, { ok: boolean } & Record<string, unknown>> = {};
    checks.shutdown = { ok: !services.lifecycle.isDraining };
    try {
      await services.db.withUser(null, (sql) => sql.query('SELECT 1'));
      checks.database = { ok: true };
      checks.migrations = await migrationsApplied(services);
    } catch (err) {
      checks.database = { ok: false, error: err instanceof Error ? err.message : 'unreachable' };
    }
    if (services.limiterBackend === 'redis') {
      try {
        await services.limits.get('ready-probe');
        checks.redis = { ok: true };
      } catch {
        checks.redis = { ok: false, error: 'Redis does not answer' };
      }
    }
    const ready = Object.values(checks).every((c) => c.ok);
    const backup = backupSection(services);
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not-ready', checks, backup });
  });

  router.get('/backups/status', requireUser({ keys: services.keys, db: services.db }), (_req, res) => {
    res.json(services.backups.status());
  });
  return router;
}
