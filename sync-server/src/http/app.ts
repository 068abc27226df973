import express, { type Express } from 'express';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Services } from '../services.ts';
import { errorHandler, notFoundHandler } from './errors.ts';
import { healthRoutes } from '../health/routes.ts';

export interface AppOptions {
  /** Extra routers mounted under /api/v1 by feature modules. */
  log?: (msg: string, err?: unknown) => void;
}

/** Builds the Express app from its dependencies; starting it is start.ts's job. */
export function createApp(services: Services, opts: AppOptions = {}): Express {
  const log = opts.log ?? ((msg, err) => console.error(msg, err));
  const app = express();
  app.disable('x-powered-by');
  // Exactly the configured number of proxy hops, so X-Forwarded-For cannot be spoofed past them.
  app.set('trust proxy', services.config.trustProxyHops);

  const api = express.Router();
  api.use(express.json({ limit: '1mb' }));
  api.use(healthRoutes(services));
  app.use('/api/v1', api);
  app.use('/api', notFoundHandler);

  const dist = services.config.clientDist;
  if (existsSync(join(dist, 'index.html'))) {
    app.use(express.static(dist, { index: false, maxAge: '1h', setHeaders: noCacheForShell }));
    app.get(/^\/(?!api\/).*/, (_req, res) => {
      res.setHeader('Cache-Control', 'no-cache');
      res.sendFile(join(dist, 'index.html'));
    });
  }
  app.use(notFoundHandler);
  app.use(errorHandler(log));
  return app;
}

function noCacheForShell(res: express.Response, path: string): void {
  // The service worker and the shell must be revalidated so an update is noticed; hashed assets can be cached.
  if (/(sw\.js|workbox-[^/]*\.js|index\.html|manifest\.webmanifest)$/.test(path)) res.setHeader('Cache-Control', 'no-cache');
}
