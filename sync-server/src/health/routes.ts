import { Router } from 'express';
import type { Services } from '../services.ts';
import { AppError } from '../http/errors.ts';
import { feedHealth } from '../feeds/status.ts';

export function healthRoutes(services: Services): Router {
  const router = Router();
  router.get('/health', async (_req, res, next) => {
    try {
      const started = performance.now();
      await services.db.withUser(null, (sql) => sql.query('SELECT 1'));
      res.json({
        status: 'ok',
        version: services.version,
        storage: services.db.backend,
        rateLimitStore: services.limiterBackend,
        database: { ok: true, latencyMs: Math.round((performance.now() - started) * 10) / 10 },
        // A feed job that has not succeeded for a day is reported as degraded (docs/feeds.md).
        feeds: await feedHealth(services.db),
      });
    } catch {
      next(new AppError(503, 'unavailable', 'The database is not reachable', 'The server is up but cannot reach its database.'));
    }
  });
  return router;
}
