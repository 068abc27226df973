import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'vite';
import { serveDirectory } from './static-server.ts';
import type { StaticServer } from './static-server.ts';

export interface HarnessSite extends StaticServer {
  readonly dir: string;
}

/**
 * Builds a harness (a vite config under e2e/<name>-harness/) with vite's JS API into a fresh temp dir
 * and serves it on 127.0.0.1 at a random port. close() stops the server and removes the build.
 */
export async function buildAndServeHarness(configFile: string): Promise<HarnessSite> {
  const dir = await mkdtemp(join(tmpdir(), 'mymidas-harness-'));
  try {
    await build({ configFile, logLevel: 'warn', build: { outDir: dir, emptyOutDir: true } });
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  const server = await serveDirectory(dir);
  return {
    dir,
    url: server.url,
    async close() {
      await server.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** The replica harness (e2e/replica-harness): index.html for the tests, bench.html for the benchmark. */
export const REPLICA_HARNESS_CONFIG = new URL('../replica-harness/vite.config.ts', import.meta.url).pathname;
