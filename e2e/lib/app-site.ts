import { mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { createApp } from '@mymidas/sync-server/app';
import { openTestServices } from '@mymidas/sync-server/testing';

/**
 * The real product for browser tests and benchmarks: the client built for production by vite (the
 * repository's vite.config.ts, service worker included) into a temp dir, served by the real sync
 * server (createApp over embedded PGlite, in this process) on 127.0.0.1 at a random port.
 */

export const VITE_CONFIG = new URL('../../vite.config.ts', import.meta.url).pathname;

/** Set by the browser project's globalSetup (build-once.ts): a production build every test file may serve. */
export const SHARED_CLIENT_DIST_ENV = 'MYMIDAS_TEST_CLIENT_DIST';

const VITE_BIN = join(dirname(createRequire(import.meta.url).resolve('vite/package.json')), 'bin', 'vite.js');

/**
 * Builds the client for production into a fresh temp dir; returns the dir. The build runs in a child
 * process: @vitejs/plugin-vue keeps compiled scripts in a module-level cache, and a production build in
 * the test runner's own process mixes them into the client project's dev transforms ("multiple default
 * exports").
 */
export async function buildClient(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'mymidas-client-'));
  try {
    await promisify(execFile)(
      process.execPath,
      [VITE_BIN, 'build', '--config', VITE_CONFIG, '--logLevel', 'warn', '--outDir', dir, '--emptyOutDir'],
      { maxBuffer: 16 * 1024 * 1024 },
    );
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  return dir;
}

export interface AppSite {
  readonly url: string;
  /** The built client the server serves. */
  readonly dist: string;
  close(): Promise<void>;
}

export interface AppSiteOptions {
  /** An existing build to serve (not removed on close); by default one is built. */
  readonly dist?: string;
  /**
   * Sign-in calls allowed per minute from one IP. A browser test signs in, refreshes on every page
   * load and signs in again from a second context, all from 127.0.0.1, so the production limit of 10
   * is raised; the limit itself is tested in the server's own tests.
   */
  readonly authPerMinute?: number;
}

export async function startAppSite(options: AppSiteOptions = {}): Promise<AppSite> {
  const shared = process.env[SHARED_CLIENT_DIST_ENV];
  const dist = options.dist ?? shared ?? (await buildClient());
  const owned = !options.dist && !shared;
  const { services } = await openTestServices('pglite', { CLIENT_DIST: dist, ENABLE_DEMO: '1' });
  const perMinute = options.authPerMinute ?? 200;
  const app = createApp(services, {
    policies: { auth: { name: 'auth', limit: perMinute, windowMs: 60_000 }, totp: { name: 'totp', limit: perMinute, windowMs: 60_000 } },
    log: (msg, err) => console.error('[app-site]', msg, err),
  });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    dist,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await services.close();
      if (owned) await rm(dist, { recursive: true, force: true });
    },
  };
}
