import { createReadStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, normalize, sep } from 'node:path';
import { build } from 'vite';

/**
 * The production build of the app (root vite.config.ts, PWA included) with the dashboard harness page
 * under /harness/, served from one origin on 127.0.0.1: cross-origin isolated (COOP + COEP, so
 * performance.measureUserAgentSpecificMemory works), and any path that is not a file answers the app's
 * index.html, as the real server does for client-side routes.
 */

const APP_CONFIG = new URL('../../vite.config.ts', import.meta.url).pathname;
const HARNESS_CONFIG = new URL('../dashboard-harness/vite.config.ts', import.meta.url).pathname;

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
};

export interface DashboardSite {
  readonly url: string;
  readonly dir: string;
  close(): Promise<void>;
}

export async function buildDashboardSite(): Promise<DashboardSite> {
  const dir = await mkdtemp(join(tmpdir(), 'mymidas-dashboard-'));
  try {
    await build({ configFile: APP_CONFIG, logLevel: 'warn', build: { outDir: dir, emptyOutDir: true, sourcemap: false } });
    await build({ configFile: HARNESS_CONFIG, logLevel: 'warn', build: { outDir: join(dir, 'harness'), emptyOutDir: true } });
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  const base = normalize(dir) + sep;
  const server = createServer((req, res) => {
    void (async () => {
      const path = decodeURIComponent(new URL(req.url ?? '/', 'http://127.0.0.1').pathname);
      let file = normalize(join(base, path));
      if (!file.startsWith(base)) {
        res.writeHead(403).end();
        return;
      }
      try {
        if ((await stat(file)).isDirectory()) file = join(file, 'index.html');
        await stat(file);
      } catch {
        if (path.startsWith('/api/') || extname(path) !== '') {
          res.writeHead(404, { 'content-type': 'application/json' }).end('{"title":"not found"}');
          return;
        }
        file = join(base, 'index.html');
      }
      res.writeHead(200, {
        'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
        'cache-control': 'no-store',
        'cross-origin-opener-policy': 'same-origin',
        'cross-origin-embedder-policy': 'require-corp',
      });
      createReadStream(file).pipe(res);
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    dir,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve())));
      await rm(dir, { recursive: true, force: true });
    },
  };
}
