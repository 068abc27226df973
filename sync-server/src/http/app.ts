import cookieParser from 'cookie-parser';
import express, { type Express } from 'express';
import { authRoutes } from '../auth/routes.ts';
import { AuthService, type Lockout } from '../auth/service.ts';
import type { HashParams } from '../auth/passwords.ts';
import { DEFAULT_POLICIES, rateLimit, type RatePolicies } from '../limits/rate-limit.ts';
import { cors, permissionsPolicy, securityHeaders } from './security.ts';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Services } from '../services.ts';
import { errorHandler, notFoundHandler } from './errors.ts';
import { healthRoutes } from '../health/routes.ts';
import { errorLog, requestLog } from '../health/logging.ts';
import { replicationRoutes, type ReplicationRouteOptions } from '../replication/routes.ts';
import { attachmentRoutes } from '../attachments/routes.ts';
import { demoRoutes } from '../cli/demo-server-owned.ts';
import { feedRoutes } from '../feeds/routes.ts';

export interface AppOptions {
  /** Extra routers mounted under /api/v1 by feature modules. */
  log?: (msg: string, err?: unknown) => void;
  /** Tests lower these to exercise limits quickly; production uses the defaults. */
  policies?: Partial<RatePolicies>;
  hashParams?: HashParams;
  lockout?: Lockout;
  refreshGraceMs?: number;
  /** The sign-in lockout's clock (ms since the epoch); tests move it forward. */
  clock?: () => number;
  /** SSE stream settings (session re-check interval, streams per user). */
  replication?: ReplicationRouteOptions;
}

/** Builds the Express app from its dependencies; starting it is start.ts's job. */
export function createApp(services: Services, opts: AppOptions = {}): Express {
  const log = opts.log ?? errorLog(services.logger);
  const app = express();
  app.disable('x-powered-by');
  app.use(requestLog(services.logger), services.lifecycle.middleware);
  // X-Forwarded-For is believed only as configured: none by default (the socket address is the client),
  // else exactly TRUST_PROXY_HOPS hops, or only from the TRUST_PROXY addresses. req.ip is what limits,
  // lockouts and the audit log use (limits/rate-limit.ts clientIp).
  const { trustedProxies, trustProxyHops } = services.config;
  app.set('trust proxy', trustedProxies.length ? trustedProxies : trustProxyHops);

  app.use(securityHeaders({ production: services.config.environment === 'production' }));
  app.use(permissionsPolicy);
  app.use(cors(services.config.corsOrigins));

  const policies: RatePolicies = { ...DEFAULT_POLICIES, ...opts.policies };
  const auth = new AuthService({ services, limits: services.limits, ...(opts.hashParams ? { hashParams: opts.hashParams } : {}), ...(opts.lockout ? { lockout: opts.lockout } : {}), ...(opts.refreshGraceMs !== undefined ? { refreshGraceMs: opts.refreshGraceMs } : {}), ...(opts.clock ? { clock: opts.clock } : {}) });

  const api = express.Router();
  api.use((_req, res, next) => {
    res.setHeader('Cache-Control', 'no-store');
    next();
  });
  api.use(rateLimit(services.limits, policies.api));
  api.use(cookieParser());
  api.use(express.json({ limit: '1mb' }));
  api.use(healthRoutes(services));
  api.use(replicationRoutes(services, opts.replication), attachmentRoutes(services));
  api.use(feedRoutes(services));
  // `npm run demo` asks for the demo's prices and FX rates here: only when the server was started with
  // ENABLE_DEMO=1, never in production (cli/demo-server-owned.ts). Otherwise the path is a 404.
  if (services.config.enableDemo && services.config.environment !== 'production') api.use(demoRoutes(services));
  api.use(authRoutes({ services, auth, limits: services.limits, policies }));
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
